"""Who speaks and where their words were published: speakers, articles, quoted posts."""

from __future__ import annotations

import zlib

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse

from ..text import normalize_newlines
from .base import Timestamped, handle_validator
from .selection import SpeakerQuerySet

# Speakers' colours: this many, [data-hue="0"] to [data-hue="23"] in static/css/threadline.css.
SPEAKER_HUES = 24


def initials_of(name: str) -> str:
    """What a speaker's avatar shows: the first letters of the first two words of the name."""
    return "".join(part[0] for part in name.split()[:2]).upper()


def hue_of(slug: str) -> int:
    """A speaker's colour, 0 to ``SPEAKER_HUES - 1``: the CRC-32 of the slug (UTF-8), modulo
    ``SPEAKER_HUES``. The same slug gets the same colour in every process and run (Python's
    ``hash()`` of a string is salted per process), and no speaker is named anywhere."""
    return zlib.crc32(slug.encode()) % SPEAKER_HUES


class Speaker(Timestamped):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    handle = models.CharField(
        "X handle",
        max_length=15,
        blank=True,
        validators=[handle_validator],
        help_text="Without the @, e.g. pmarca. Unique regardless of case.",
    )
    role = models.CharField("role or affiliation", max_length=200, blank=True)
    bio = models.TextField("short bio", blank=True)
    profile_url = models.URLField("profile URL", blank=True)

    objects = SpeakerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("handle"),
                condition=~Q(handle=""),
                name="speaker_handle_unique_ci",
                violation_error_message="Another speaker already has this X handle.",
            ),
            models.CheckConstraint(
                condition=~Q(handle__startswith="@"),
                name="speaker_handle_without_at",
                violation_error_message="Store the handle without the @.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def at_handle(self) -> str:
        return f"@{self.handle}" if self.handle else ""

    @property
    def initials(self) -> str:
        return initials_of(self.name)

    @property
    def hue(self) -> int:
        """The speaker's colour (``hue_of`` the slug), shown as ``data-hue`` on avatars."""
        return hue_of(self.slug)


class Article(Timestamped):
    debate = models.ForeignKey(
        "Debate",
        on_delete=models.PROTECT,
        related_name="articles",
        help_text="The debate it reports; the posts it quotes belong to that debate.",
    )
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, unique=True)
    outlet = models.CharField(max_length=200, blank=True)
    url = models.URLField("URL", max_length=500, blank=True)
    published_on = models.DateField("publication date", null=True, blank=True)
    body = models.TextField(help_text="The text as published, kept verbatim.")
    posts = models.ManyToManyField(
        "Post", through="ArticlePost", related_name="articles", blank=True
    )

    class Meta:
        ordering = ["-published_on", "title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # A browser's textarea sends CRLF; the article page finds its posts line by line.
        self.body = normalize_newlines(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("debate:article", kwargs={"slug": self.slug})


class ArticlePost(models.Model):
    """A post quoted by an article, at its place in the article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="quoted_posts")
    post = models.ForeignKey("Post", on_delete=models.PROTECT, related_name="quoted_in")
    position = models.PositiveSmallIntegerField(help_text="1 for the first post quoted, and so on.")

    class Meta:
        ordering = ["article", "position"]
        verbose_name = "quoted post"
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="articlepost_position"),
            models.UniqueConstraint(fields=["article", "post"], name="articlepost_once"),
            models.CheckConstraint(condition=Q(position__gte=1), name="articlepost_position_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.article} #{self.position}"
