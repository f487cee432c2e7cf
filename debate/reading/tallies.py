"""Where each speaker stands: tallies of public stances and the words readers see for them.

The tallies are pure Python over plain rows, so tests call them without a database;
``load_tallies`` makes the rows in one grouped query. The unit counted is the
claim: a claim counts once toward a value when at least one public stance on that
proposition gives it that value, however many annotators agree. (When annotators disagree,
the claim counts toward each value they chose.)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from ..models import Claim, Post, Speaker, Stance

VALUES = ("pro", "anti", "neutral")
MIXED = "mixed"
NONE = "none"


class Labelled(Protocol):
    pro_label: str
    anti_label: str


def value_words(value: str, proposition: Labelled) -> str:
    """A stance value in readers' words: "pro-open-source", never "pro"."""
    return {"pro": proposition.pro_label, "anti": proposition.anti_label}.get(value, "neutral")


@dataclass
class Tally:
    """Claims per stance value for one speaker or proposition, with where they come from:
    how many distinct posts (what the timeline can show) and how many article-prose claims."""

    claims: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VALUES, 0))
    posts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VALUES, 0))
    prose: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VALUES, 0))

    def add(self, value: str, claims: int, posts: int = 0, prose: int = 0) -> None:
        if value in self.claims:
            self.claims[value] += claims
            self.posts[value] += posts
            self.prose[value] += prose

    @property
    def total(self) -> int:
        return sum(self.claims.values())

    @property
    def leading(self) -> str:
        """The value with the most claims; "mixed" on a tie for first, "none" without any."""
        top = max(self.claims.values())
        if top == 0:
            return NONE
        leaders = [value for value in VALUES if self.claims[value] == top]
        return leaders[0] if len(leaders) == 1 else MIXED

    @property
    def is_mixed(self) -> bool:
        """Claims on both sides, for and against."""
        return self.claims["pro"] > 0 and self.claims["anti"] > 0

    def widths(self, scale: int = 100) -> dict[str, tuple[int, int]]:
        """(x, width) of each value's segment in a bar ``scale`` units long, in VALUES order.

        Rounded so the segments always fill the bar exactly, with no gap or overlap.
        """
        total = self.total
        spans: dict[str, tuple[int, int]] = {}
        running = 0
        start = 0
        for value in VALUES:
            running += self.claims[value]
            end = round(running * scale / total) if total else 0
            spans[value] = (start, end - start)
            start = end
        return spans


@dataclass(frozen=True)
class Verdict:
    """A speaker's overall stance on a proposition, ready to show."""

    value: str  # "pro", "anti", "neutral", "mixed" or "none": a CSS modifier, never shown
    words: str  # what the reader reads
    count: int  # claims behind it (0 for "mixed" and "none")

    @property
    def recorded(self) -> bool:
        return self.value != NONE


def verdict(tally: Tally, proposition: Labelled) -> Verdict:
    leading = tally.leading
    if leading == NONE:
        return Verdict(NONE, "no stance recorded", 0)
    if leading == MIXED:
        return Verdict(MIXED, "mixed", 0)
    return Verdict(leading, value_words(leading, proposition), tally.claims[leading])


class Tallies:
    """Tallies by (speaker id, proposition id), built from grouped rows.

    Each row is a mapping with ``speaker``, ``proposition``, ``value``, ``claims`` and,
    optionally, ``posts`` (distinct posts those claims come from) and ``prose`` (those of
    the claims that come from an article's prose).
    """

    def __init__(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self._cells: dict[tuple[Any, Any], Tally] = {}
        for row in rows:
            key = (row["speaker"], row["proposition"])
            self._cells.setdefault(key, Tally()).add(
                row["value"], row["claims"], row.get("posts", 0), row.get("prose", 0)
            )

    def get(self, speaker: Any, proposition: Any) -> Tally:
        return self._cells.get((speaker, proposition)) or Tally()

    def for_proposition(self, proposition: Any) -> Tally:
        """Every speaker's claims on one proposition, added up."""
        tally = Tally()
        for (_, prop), cell in self._cells.items():
            if prop == proposition:
                for value in VALUES:
                    tally.add(value, cell.claims[value], cell.posts[value], cell.prose[value])
        return tally

    def speaker_ids(self) -> set[Any]:
        return {speaker for speaker, _ in self._cells}

    def speakers_on(self, proposition: Any) -> Iterator[tuple[Any, Tally]]:
        for (speaker, prop), cell in self._cells.items():
            if prop == proposition:
                yield speaker, cell


@dataclass
class SideMember:
    """One speaker in one column of a proposition page."""

    speaker: Any
    count: int  # their claims on this side
    mixed: bool  # they also have claims on the other side
    posts: int = 0  # posts those claims come from
    prose: int = 0  # those claims that come from an article's prose
    claims: list[Any] = field(default_factory=list)  # the strongest few, best first
    more_url: str = ""  # their posts on this side, on the timeline

    @property
    def more(self) -> int:
        return max(self.count - len(self.claims), 0)


def sides(
    tallies: Iterable[tuple[Any, Tally]], speakers: Mapping[Any, Any]
) -> dict[str, list[SideMember]]:
    """Speakers for, against and neutral: most claims on that side first, then by name.

    A speaker with claims on both sides is on both, marked mixed.
    """
    columns: dict[str, list[SideMember]] = {value: [] for value in VALUES}
    for speaker_id, tally in tallies:
        speaker = speakers.get(speaker_id)
        if speaker is None:
            continue
        for value in VALUES:
            if tally.claims[value]:
                mixed = tally.is_mixed and value != "neutral"
                columns[value].append(
                    SideMember(
                        speaker,
                        tally.claims[value],
                        mixed,
                        posts=tally.posts[value],
                        prose=tally.prose[value],
                    )
                )
    for members in columns.values():
        members.sort(key=lambda m: (-m.count, str(m.speaker)))
    return columns


def _count_of(rows: QuerySet, field: str) -> Subquery:
    # A correlated count rather than Count() over joins: two joined reverse relations would
    # multiply each other's rows.
    counts = (
        rows.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def speakers_with_counts(debate: Any = None) -> QuerySet[Speaker]:
    """Speakers with ``post_count`` and ``claim_count``: everywhere, or in ``debate`` alone
    (then only the speakers who take part in it)."""
    if debate is None:
        posts, claims = Post.objects.all(), Claim.objects.all()
        speakers = Speaker.objects.all()
    else:
        posts = Post.objects.in_debate(debate)
        claims = Claim.objects.filter(
            Q(article__debate=debate) | Q(post__in=Post.objects.in_debate(debate).values("pk"))
        )
        speakers = Speaker.objects.in_debate(debate)
    return speakers.annotate(
        post_count=_count_of(posts, "speaker"), claim_count=_count_of(claims, "speaker")
    )


def _counted(rows: QuerySet) -> QuerySet:
    """Grouped stance rows with what a Tally holds: claims, the posts they come from, and
    those from an article's prose."""
    return rows.annotate(
        n_claims=Count("claim_id", distinct=True),
        n_posts=Count("claim__post_id", distinct=True),
        n_prose=Count("claim_id", distinct=True, filter=Q(claim__article__isnull=False)),
    )


def _cell(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "speaker": row["claim__speaker_id"],
        "proposition": row["proposition_id"],
        "value": row["value"],
        "claims": row["n_claims"],
        "posts": row["n_posts"],
        "prose": row["n_prose"],
    }


def load_tallies(stances: QuerySet[Stance] | None = None) -> Tallies:
    """Claims (and the posts they come from) per speaker, proposition and value: one query."""
    stances = Stance.objects.public() if stances is None else stances
    rows = stances.order_by().values("claim__speaker_id", "proposition_id", "value")
    return Tallies(_cell(row) for row in _counted(rows))


def tallies_by_debate(stances: QuerySet[Stance], debates: Iterable[Any]) -> dict[int, Tallies]:
    """``stances`` counted per debate (by debate pk), in one query: a claim counts in the
    debate of its article, or in each debate whose articles quote its post."""
    wanted = [getattr(debate, "pk", debate) for debate in debates]
    if not wanted:
        return {}
    debate_of_claim = Coalesce(
        F("claim__article__debate_id"), F("claim__post__quoted_in__article__debate_id")
    )
    rows = (
        stances.annotate(debate_id=debate_of_claim)
        .filter(debate_id__in=wanted)
        .order_by()
        .values("debate_id", "claim__speaker_id", "proposition_id", "value")
    )
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in _counted(rows):
        grouped.setdefault(row["debate_id"], []).append(_cell(row))
    return {debate_id: Tallies(found) for debate_id, found in grouped.items()}
