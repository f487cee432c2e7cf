"""Posts on X as articles quoted them, with their replies, quotes and threads."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from ..text import extract_links, normalize_newlines, render_post_text
from .base import Timestamped, handle_validator
from .choices import RelationBasis
from .selection import PostQuerySet
from .sources import Speaker


class Post(Timestamped):
    """A post on X, as quoted by an article."""

    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="posts")
    handle_shown = models.CharField(
        max_length=15, validators=[handle_validator], help_text="The handle as shown, without @."
    )
    display_name_shown = models.CharField(
        max_length=200, help_text="The display name as shown, emoji and all."
    )
    text = models.TextField(help_text="The post's text, verbatim.")
    text_html = models.TextField(editable=False, default="")
    links = models.JSONField(default=list, blank=True, editable=False)
    posted_at = models.DateTimeField(
        help_text="When it was posted. Without a known time, midnight UTC of the day shown."
    )
    time_known = models.BooleanField(
        default=False, help_text="Whether posted_at carries a real time of day or only a date."
    )
    permalink_url = models.URLField("permalink on X", blank=True)
    in_reply_to = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replies"
    )
    reply_basis = models.CharField(
        max_length=10, choices=RelationBasis, blank=True, help_text="Required with a reply."
    )
    quotes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quoted_by",
        help_text="The post this one quote-posts.",
    )
    quote_basis = models.CharField(max_length=10, choices=RelationBasis, blank=True)
    # The first post of the thread this one belongs to (itself for a root), kept so that a
    # whole conversation loads in one query however deep it runs. RESTRICT, not PROTECT: a
    # root's reference to itself must not keep it from being deleted (its replies still do,
    # through in_reply_to, with Django's list of what protects it).
    thread_root = models.ForeignKey(
        "self",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        editable=False,
        related_name="thread_posts",
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["posted_at", "pk"]
        indexes = [
            models.Index(fields=["posted_at", "id"], name="post_timeline_idx"),
            models.Index(fields=["speaker", "posted_at", "id"], name="post_speaker_timeline_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(in_reply_to__isnull=True) & Q(reply_basis=""))
                | (Q(in_reply_to__isnull=False) & ~Q(reply_basis="")),
                name="post_reply_has_basis",
                violation_error_message="A reply says whether it is explicit or inferred.",
            ),
            models.CheckConstraint(
                condition=(Q(quotes__isnull=True) & Q(quote_basis=""))
                | (Q(quotes__isnull=False) & ~Q(quote_basis="")),
                name="post_quote_has_basis",
                violation_error_message="A quote-post says whether it is explicit or inferred.",
            ),
            models.CheckConstraint(
                condition=~Q(in_reply_to=models.F("pk")),
                name="post_not_reply_to_itself",
                violation_error_message="A post cannot answer itself.",
            ),
            models.CheckConstraint(
                condition=~Q(quotes=models.F("pk")),
                name="post_not_quoting_itself",
                violation_error_message="A post cannot quote itself.",
            ),
            models.UniqueConstraint(
                fields=["permalink_url"],
                condition=~Q(permalink_url=""),
                name="post_permalink_unique",
                violation_error_message="Another post already has this permalink.",
            ),
        ]

    def __str__(self) -> str:
        excerpt = self.text if len(self.text) <= 60 else f"{self.text[:57]}…"
        return f"@{self.handle_shown}, {self.posted_at:%d %b %Y}: {excerpt}"

    def save(self, *args, **kwargs) -> None:
        old_root_id = self.thread_root_id
        self.refresh_derived()
        super().save(*args, **kwargs)
        if self.thread_root_id is None:
            self.thread_root_id = self.pk
            Post.objects.filter(pk=self.pk).update(thread_root=self.pk)
        if old_root_id is not None and old_root_id != self.thread_root_id:
            # Carry this post's replies (and theirs) over to its new thread.
            Post.objects.filter(in_reply_to=self.pk).rethread()

    def get_absolute_url(self) -> str:
        return reverse("debate:post", kwargs={"pk": self.pk})

    def refresh_derived(self) -> None:
        """Recompute what is stored only to be served fast: HTML, links, thread root.

        The text's line endings become LF first: a browser's textarea sends CRLF, and an
        article's body (LF, see ``Article.save``) is searched for the post's lines."""
        self.text = normalize_newlines(self.text)
        self.text_html = render_post_text(self.text)
        self.links = extract_links(self.text)
        if self.in_reply_to_id:
            parent = Post.objects.only("thread_root_id").get(pk=self.in_reply_to_id)
            self.thread_root_id = parent.thread_root_id or parent.pk
        else:
            self.thread_root_id = self.pk  # None for a new post: set after the insert

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.in_reply_to_id and not self.reply_basis:
            errors["reply_basis"] = "Say whether the reply is explicit in the post or inferred."
        if not self.in_reply_to_id and self.reply_basis:
            errors["reply_basis"] = "Only a reply has a reply basis."
        if self.quotes_id and not self.quote_basis:
            errors["quote_basis"] = "Say whether the quote is explicit in the post or inferred."
        if not self.quotes_id and self.quote_basis:
            errors["quote_basis"] = "Only a quote-post has a quote basis."
        parent = self.in_reply_to if self.in_reply_to_id else None
        if parent is not None and self.pk is not None and self._has_ancestor(parent, self.pk):
            errors["in_reply_to"] = "That post is itself a reply to this one: no cycles."
        if parent is not None and self.posted_at and parent.posted_on > self.posted_on:
            errors["in_reply_to"] = "A reply cannot be older than the post it answers."
        if self.quotes_id and self.pk is not None and self.quotes_id == self.pk:
            errors["quotes"] = "A post cannot quote itself."
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _has_ancestor(post: Post, ancestor_pk: int) -> bool:
        seen: set[int] = set()
        current: Post | None = post
        while current is not None and current.pk not in seen:
            if current.pk == ancestor_pk:
                return True
            seen.add(current.pk)
            current = current.in_reply_to
        return False

    @property
    def posted_on(self):
        return self.posted_at.astimezone(datetime.UTC).date()
