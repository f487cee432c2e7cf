"""Propositions, and the claims speakers make that bear on them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from ..text import quote_occurs, render_markdown
from .base import Timestamped
from .choices import StanceValue
from .posts import Post
from .selection import ClaimQuerySet
from .sources import Article, Speaker


class Proposition(Timestamped):
    slug = models.SlugField(max_length=100, unique=True)
    debates = models.ManyToManyField(
        "Debate",
        related_name="propositions",
        blank=True,
        help_text="The debates it is argued in; one proposition may run through several.",
    )
    label = models.CharField("short label", max_length=80, help_text='e.g. "Open-source AI"')
    statement = models.CharField(
        max_length=300, help_text='e.g. "AI models should be released as open source"'
    )
    description = models.TextField(blank=True, help_text="Markdown.")
    description_html = models.TextField(editable=False, default="")
    pro_label = models.CharField(
        max_length=60, help_text='How readers call the "for" side, e.g. "pro-open-source".'
    )
    anti_label = models.CharField(
        max_length=60, help_text='How readers call the "against" side, e.g. "anti-open-source".'
    )

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs) -> None:
        self.refresh_derived()
        super().save(*args, **kwargs)

    def refresh_derived(self) -> None:
        self.description_html = render_markdown(self.description)

    def label_for(self, value: str) -> str:
        return {StanceValue.PRO: self.pro_label, StanceValue.ANTI: self.anti_label}.get(
            value, "neutral"
        )


class Claim(Timestamped):
    """What a speaker asserts, drawn from one of their posts or from an article's prose."""

    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="claims")
    summary = models.CharField(
        max_length=300, help_text="The assertion in a sentence, in the annotator's words."
    )
    quote = models.TextField(
        help_text="The exact words in the source (the post's text or the article's body)."
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(post__isnull=False) & Q(article__isnull=True))
                | (Q(post__isnull=True) & Q(article__isnull=False)),
                name="claim_has_one_source",
                violation_error_message="A claim comes from a post or an article, not both.",
            ),
            models.CheckConstraint(
                condition=~Q(quote=""),
                name="claim_quote_present",
                violation_error_message="Quote the words the claim rests on.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.speaker}: {self.summary}"

    @property
    def source_text(self) -> str:
        if self.post_id:
            return self.post.text
        return self.article.body if self.article_id else ""

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if bool(self.post_id) == bool(self.article_id):
            errors["post"] = "Choose the claim's source: one post, or one article."
        elif self.quote and not quote_occurs(self.quote, self.source_text):
            where = "post's text" if self.post_id else "article's body"
            errors["quote"] = (
                f"These words do not occur in the {where}: quote its own words, exactly as "
                "written (spacing and quote marks may differ). Nothing was saved."
            )
        if self.post_id and self.speaker_id and self.post.speaker_id != self.speaker_id:
            errors["speaker"] = "A claim from a post belongs to the post's speaker."
        if errors:
            raise ValidationError(errors)
