"""Debates: the many exchanges the AI-policy debate is made of, each with its own articles."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from ..text import render_markdown
from .base import Timestamped


class DebateQuerySet(models.QuerySet["Debate"]):
    def newest_first(self) -> DebateQuerySet:
        """The latest period first (undated debates last), then by title: said explicitly,
        as a grouped query does not keep the model's default order."""
        return self.order_by(models.F("starts_on").desc(nulls_last=True), "title", "pk")

    def of_post(self, post: object) -> DebateQuerySet:
        """The debates whose articles quote ``post`` (a post may be quoted in several)."""
        from .sources import ArticlePost

        quoted = ArticlePost.objects.filter(article__debate=OuterRef("pk"), post=post)
        return self.filter(Exists(quoted))


class Debate(Timestamped):
    """One exchange: the articles that report it, the posts they quote, the propositions it
    turns on. Speakers are global (a person is the same in every debate); posts belong to a
    debate through the articles that quote them."""

    title = models.CharField(max_length=200, help_text='e.g. "The open-source AI debate"')
    slug = models.SlugField(max_length=100, unique=True, help_text="Its address: /debates/<slug>/")
    question = models.CharField(
        "the question it turns on",
        max_length=300,
        blank=True,
        help_text='e.g. "Should frontier AI models be released as open source?"',
    )
    summary = models.TextField(blank=True, help_text="A short summary, in Markdown.")
    summary_html = models.TextField(editable=False, default="")
    starts_on = models.DateField("period from", null=True, blank=True)
    ends_on = models.DateField("period until", null=True, blank=True)

    objects = DebateQuerySet.as_manager()

    class Meta:
        ordering = [models.F("starts_on").desc(nulls_last=True), "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(starts_on__lte=models.F("ends_on")),
                name="debate_period_in_order",
                violation_error_message="The period ends before it starts.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.refresh_derived()
        super().save(*args, **kwargs)

    def refresh_derived(self) -> None:
        self.summary_html = render_markdown(self.summary)

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.starts_on > self.ends_on:
            raise ValidationError({"ends_on": "The period ends before it starts."})

    def get_absolute_url(self) -> str:
        return reverse("debate:timeline", args=[self.slug])

    @property
    def period(self) -> str:
        """The period in words: "Mar 2024", "Mar to Jun 2024" (an en dash), "from 2 Mar 2024"."""
        return period_words(self.starts_on, self.ends_on)


def _day(moment: datetime.date) -> str:
    return f"{moment.day} {moment:%b %Y}"


def period_words(start: datetime.date | None, end: datetime.date | None) -> str:
    if start and end:
        if start == end:
            return _day(start)
        if (start.year, start.month) == (end.year, end.month):
            return f"{start:%b %Y}"
        if start.year == end.year:
            return f"{start:%b} – {end:%b %Y}"
        return f"{start:%b %Y} – {end:%b %Y}"
    if start:
        return f"from {_day(start)}"
    if end:
        return f"until {_day(end)}"
    return ""
