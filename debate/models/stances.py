"""Stances (a claim toward a proposition, as one annotator judged it) and their history."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models, router, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from ..text import quote_occurs, render_markdown
from .base import Timestamped
from .choices import Confidence, ReviewState, RevisionAction, StanceValue
from .claims import Claim, Proposition

# A rationale is a sentence or two; the limit keeps rendering it cheap (``render_markdown``).
RATIONALE_MAX_LENGTH = 5000


def _provenance() -> models.ForeignKey:
    """Who did something to a stance: set by the code that saves, never from a form field."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )


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

    def toward(self, value: str = "", proposition: str = "") -> StanceQuerySet:
        """Of that value (when given), toward the proposition with that slug (when given)."""
        stances = self.filter(value=value) if value else self
        return stances.filter(proposition__slug=proposition) if proposition else stances

    def of_post(self) -> StanceQuerySet:
        """On a claim of the post an outer query is looking at (for ``Exists``)."""
        return self.filter(claim__post=OuterRef("pk"))

    def in_debate(self, debate: object) -> StanceQuerySet:
        """On claims made in ``debate``: from its posts, or from its articles' prose."""
        from .sources import ArticlePost

        quoted = ArticlePost.objects.filter(post=OuterRef("claim__post"), article__debate=debate)
        return self.filter(Q(claim__article__debate=debate) | Exists(quoted))


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
    RATIONALE_MAX_LENGTH = RATIONALE_MAX_LENGTH
    rationale = models.TextField(
        max_length=RATIONALE_MAX_LENGTH,
        validators=[MaxLengthValidator(RATIONALE_MAX_LENGTH)],
        help_text="Why, in a sentence or two (Markdown).",
    )
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
    created_by = _provenance()
    updated_by = _provenance()
    reviewed_by = _provenance()
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
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("rationale"), RATIONALE_MAX_LENGTH),
                name="stance_rationale_max_length",
            ),
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


class StanceRevision(models.Model):
    """One change to a stance: who, when, and its tracked values before and after.

    Kept on the claim (not only the stance) so that the history of a deleted stance stays
    readable on the claim's page. It outlives the claim too (``claim`` becomes null; the
    snapshots keep the claim's words).
    """

    claim = models.ForeignKey(
        Claim,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stance_revisions",
    )
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
