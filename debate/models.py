"""The debate's data: articles, speakers, quoted posts, claims, propositions and stances."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, router, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from .text import extract_links, quote_occurs, render_markdown, render_post_text

handle_validator = RegexValidator(
    r"^[A-Za-z0-9_]{1,15}$",
    "An X handle has 1 to 15 letters, digits or underscores, without the @.",
)


class Timestamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


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
        return "".join(part[0] for part in self.name.split()[:2]).upper()


class Article(Timestamped):
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

    def get_absolute_url(self) -> str:
        return reverse("debate:article", kwargs={"slug": self.slug})


class RelationBasis(models.TextChoices):
    """How we know that one post answers or quotes another."""

    EXPLICIT = "explicit", "explicit in the post"
    INFERRED = "inferred", "inferred by an editor"


class PostQuerySet(models.QuerySet["Post"]):
    def chronological(self) -> PostQuerySet:
        return self.order_by("posted_at", "pk")

    def by_speakers(self, speakers: list[Speaker]) -> PostQuerySet:
        return self.filter(speaker__in=speakers) if speakers else self


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
    # whole conversation loads in one query however deep it runs.
    thread_root = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
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
            self._move_descendants()

    def get_absolute_url(self) -> str:
        return reverse("debate:post", kwargs={"pk": self.pk})

    def _move_descendants(self) -> None:
        """Carry this post's replies (and theirs) over to its new thread."""
        frontier = [self.pk]
        while frontier:
            children = list(
                Post.objects.filter(in_reply_to__in=frontier).values_list("pk", flat=True)
            )
            Post.objects.filter(pk__in=children).update(thread_root=self.thread_root_id)
            frontier = children

    def refresh_derived(self) -> None:
        """Recompute what is stored only to be served fast: HTML, links, thread root."""
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


class ArticlePost(models.Model):
    """A post quoted by an article, at its place in the article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="quoted_posts")
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="quoted_in")
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


class Proposition(Timestamped):
    slug = models.SlugField(max_length=100, unique=True)
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


class ClaimQuerySet(models.QuerySet["Claim"]):
    def from_posts(self) -> ClaimQuerySet:
        return self.filter(post__isnull=False)

    def from_articles(self) -> ClaimQuerySet:
        return self.filter(article__isnull=False)


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
            errors["quote"] = f"These words do not occur in the {where}."
        if self.post_id and self.speaker_id and self.post.speaker_id != self.speaker_id:
            errors["speaker"] = "A claim from a post belongs to the post's speaker."
        if errors:
            raise ValidationError(errors)


class StanceValue(models.TextChoices):
    PRO = "pro", "for"
    ANTI = "anti", "against"
    NEUTRAL = "neutral", "neutral"


class ReviewState(models.TextChoices):
    DRAFT = "draft", "draft"
    PUBLISHED = "published", "published"
    REVIEWED = "reviewed", "reviewed"

    @classmethod
    def public(cls) -> list[str]:
        return [cls.PUBLISHED, cls.REVIEWED]


class Confidence(models.TextChoices):
    LOW = "low", "low"
    MEDIUM = "medium", "medium"
    HIGH = "high", "high"


class StanceConflict(Exception):
    """Someone else saved this stance since it was loaded: saving now would overwrite them."""

    def __init__(self, stance_pk: int, expected_version: int) -> None:
        super().__init__(
            f"Stance {stance_pk} changed since version {expected_version} was loaded; "
            "nothing was saved."
        )
        self.stance_pk = stance_pk
        self.expected_version = expected_version


class StanceQuerySet(models.QuerySet["Stance"]):
    def public(self) -> StanceQuerySet:
        """Stances readers may see: published or reviewed, never drafts."""
        return self.filter(review_state__in=ReviewState.public())


class Stance(Timestamped):
    """A claim's stance toward a proposition, as one annotator judged it.

    ``version`` counts saves. A save states which version it started from and is refused
    (:class:`StanceConflict`) when the row has moved on since: optimistic locking, so two
    editors never silently overwrite each other.
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="stances")
    proposition = models.ForeignKey(Proposition, on_delete=models.PROTECT, related_name="stances")
    value = models.CharField("stance", max_length=10, choices=StanceValue)
    confidence = models.CharField(
        max_length=6,
        choices=Confidence,
        blank=True,
        default="",
        help_text="How sure the annotator is (blank on old stances).",
    )
    rationale = models.TextField(help_text="Why, in a sentence or two (Markdown).")
    rationale_html = models.TextField(editable=False, default="")
    evidence = models.TextField(
        blank=True, help_text="Words from the claim's source that show the stance."
    )
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stances"
    )
    annotated_at = models.DateTimeField(default=timezone.now)
    review_state = models.CharField(
        max_length=10, choices=ReviewState, default=ReviewState.PUBLISHED
    )
    # Provenance: set from the logged-in user by the code that saves, never from a form field.
    # Null on stances loaded from fixtures, which predate these fields.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up by one on every save; a save from an older one is refused."
    )

    objects = StanceQuerySet.as_manager()

    class Meta:
        ordering = ["proposition", "pk"]
        indexes = [models.Index(fields=["proposition", "value"], name="stance_prop_value_idx")]
        permissions = [("review_stance", "Can mark stances reviewed")]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "proposition", "annotator"],
                name="stance_one_per_annotator",
                violation_error_message=(
                    "This annotator already has a stance on this claim for this proposition."
                ),
            ),
            models.CheckConstraint(
                condition=Q(value__in=StanceValue.values), name="stance_value_valid"
            ),
            models.CheckConstraint(
                condition=Q(review_state__in=ReviewState.values), name="stance_review_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(confidence__in=[*Confidence.values, ""]),
                name="stance_confidence_valid",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="stance_version_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.claim.speaker}: {self.label} ({self.proposition})"

    def save(self, *args, **kwargs) -> None:
        self.refresh_derived()
        if self._state.adding or self.pk is None:
            super().save(*args, **kwargs)
            return
        with transaction.atomic(using=router.db_for_write(Stance, instance=self)):
            # Claim the row for this version in the same statement that checks it, so that of
            # two concurrent saves from the same version exactly one gets through.
            claimed = Stance._base_manager.filter(pk=self.pk, version=self.version).update(
                version=F("version") + 1
            )
            if not claimed:
                raise StanceConflict(self.pk, self.version)
            self.version += 1
            super().save(*args, **kwargs)

    def refresh_derived(self) -> None:
        self.rationale_html = render_markdown(self.rationale)

    @property
    def label(self) -> str:
        """The stance in readers' words, e.g. "pro-open-source"."""
        return self.proposition.label_for(self.value)

    def clean(self) -> None:
        try:
            claim = self.claim  # set on a new, unsaved claim when added inline
        except Claim.DoesNotExist:
            claim = None
        if (
            self.evidence
            and claim is not None
            and not quote_occurs(self.evidence, claim.source_text)
        ):
            raise ValidationError({"evidence": "These words do not occur in the claim's source."})


class RevisionAction(models.TextChoices):
    CREATED = "created", "created"
    CHANGED = "changed", "changed"
    DELETED = "deleted", "deleted"


class StanceRevision(models.Model):
    """One change to a stance: who, when, and its tracked values before and after.

    Kept on the claim (not only the stance) so that the history of a deleted stance stays
    readable on the claim's page.
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="stance_revisions")
    stance = models.ForeignKey(
        Stance, on_delete=models.SET_NULL, null=True, blank=True, related_name="revisions"
    )
    stance_number = models.PositiveBigIntegerField(help_text="The stance's id, kept after it goes.")
    action = models.CharField(max_length=10, choices=RevisionAction)
    version = models.PositiveIntegerField(help_text="The stance's version after this change.")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stance_revisions",
    )
    changed_at = models.DateTimeField(default=timezone.now)
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [
            models.Index(fields=["claim", "-changed_at"], name="revision_claim_idx"),
            models.Index(fields=["stance", "version"], name="revision_stance_version_idx"),
        ]

    def __str__(self) -> str:
        return f"Stance {self.stance_number} {self.get_action_display()} (v{self.version})"


class SiteVersion(models.Model):
    """One row counting edits to anything a public page shows.

    Cached pages and their ETags are keyed by this number, so any edit makes every cached
    page stale at once, in every server process: one indexed read per request, shared by
    all of them. See debate/pagecache.py.
    """

    number = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="siteversion_single_row")]

    def __str__(self) -> str:
        return f"version {self.number} of {self.changed_at:%Y-%m-%d %H:%M:%S}"
