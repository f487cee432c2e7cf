"""Which debate an import goes into: the one rule, for the ``import_article`` command and the
admin's import page, and checked again in ``save_import``'s transaction.

- a slug: that debate; a new one with that slug when a title is given too and none has it;
  refused when none has it and no title is given;
- a title alone: the debate with that title, or a new one with a slug made from it;
- neither: the only debate; a new one named after the article when there is none; refused
  when there are several.

A refusal names the debates (slug and title); each caller says how to choose in its own words.
Read only: a new debate is written by ``save_import``, in its one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify

from ..models import Debate
from .lines import ParseError, Problem

TITLE_LENGTH = Debate._meta.get_field("title").max_length
SLUG_LENGTH = Debate._meta.get_field("slug").max_length
LISTED = 50  # debates named in a refusal; the rest are counted


@dataclass(frozen=True)
class DebateChoice:
    """An existing debate, or the title and slug of one to make."""

    debate: Debate | None
    title: str = ""
    slug: str = ""

    @classmethod
    def existing(cls, debate: Debate) -> DebateChoice:
        return cls(debate, debate.title, debate.slug)

    @property
    def is_new(self) -> bool:
        return self.debate is None

    @property
    def address(self) -> str:
        return reverse("debate:timeline", args=[self.slug])

    def describe(self) -> str:
        if self.is_new:
            return f"a new debate, “{self.title}”, at {self.address}"
        return f"“{self.title}”, at {self.address}"


class DebateRefused(ParseError):
    """No debate can be chosen from what was asked. ``kind`` says why, for the caller to say
    how to choose: "several" (none asked for, more than one exists), "unknown" (no debate has
    the slug), "same-title" (several have the title), "invalid" (a slug or title unusable)."""

    def __init__(self, reason: str, kind: str, listed: bool = True) -> None:
        self.reason, self.kind = reason, kind
        self.debates: list[tuple[str, str]] = []
        self.unlisted = 0
        if listed:
            rows = Debate.objects.order_by("slug").values_list("slug", "title")
            self.debates = list(rows[: LISTED + 1])
            if len(self.debates) > LISTED:
                self.debates = self.debates[:LISTED]
                self.unlisted = rows.count() - LISTED
        super().__init__(self.problems_with(""))

    def problems_with(self, how: str) -> list[Problem]:
        """The reason, then how to choose (``how``, in the caller's words), then the debates."""
        problems = [Problem(None, f"{self.reason} {how}".strip())]
        problems += [Problem(None, f"{slug}: {title}") for slug, title in self.debates]
        if self.unlisted:
            problems.append(Problem(None, f"…and {self.unlisted:,} more."))
        return problems


def choose_debate(slug: str | None, title: str | None, article_title: str) -> DebateChoice:
    """The debate an article titled ``article_title`` goes into, given the slug and the title
    asked for (either may be None or empty). Raises DebateRefused; writes nothing."""
    slug = (slug or "").strip()
    title = " ".join((title or "").split())
    if slug:
        found = Debate.objects.filter(slug=slug).first()
        if found is not None:
            return DebateChoice.existing(found)
        if not title:
            raise DebateRefused(f"No debate has the slug “{slug}”.", "unknown")
        _check_new(slug, title)
        return DebateChoice(None, title, slug)
    if title:
        named = list(Debate.objects.filter(title__iexact=title).order_by("pk")[:2])
        if len(named) > 1:
            raise DebateRefused(f"Several debates are titled “{title}”.", "same-title")
        if named:
            return DebateChoice.existing(named[0])
        _check_new(None, title)
        return DebateChoice(None, title, unique_slug(title))
    debates = list(Debate.objects.order_by("pk")[:2])
    if len(debates) == 1:
        return DebateChoice.existing(debates[0])
    if debates:
        count = Debate.objects.count()
        raise DebateRefused(
            f"Threadline has {count:,} debates: say which one this article goes into.", "several"
        )
    named_after = " ".join(article_title.split())[:TITLE_LENGTH].strip() or "Imported articles"
    return DebateChoice(None, named_after, unique_slug(named_after))


def _check_new(slug: str | None, title: str) -> None:
    if len(title) > TITLE_LENGTH:
        raise DebateRefused(
            f"A debate's title is at most {TITLE_LENGTH} characters; this one has {len(title):,}.",
            "invalid",
            listed=False,
        )
    if slug is None:
        return
    try:
        validate_slug(slug)
        if len(slug) > SLUG_LENGTH:
            raise ValidationError("too long")
    except ValidationError:
        raise DebateRefused(
            f"“{slug}” cannot be a debate's slug: use letters, digits, hyphens and "
            f"underscores, at most {SLUG_LENGTH} characters.",
            "invalid",
            listed=False,
        ) from None


def unique_slug(title: str) -> str:
    """A slug made from ``title``, free among the debates: "name", then "name-2"…"""
    base = slugify(title)[: SLUG_LENGTH - 6].strip("-") or "debate"
    taken = set(
        Debate.objects.filter(Q(slug=base) | Q(slug__startswith=f"{base}-")).values_list(
            "slug", flat=True
        )
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug
