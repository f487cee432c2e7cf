"""The annotation queue: which claim to annotate next toward a proposition.

Claims are taken in the order they were made (the post's time, or the article's publication
date; undated articles last), so an editor works through the debate as it happened. "Next"
means after the current claim, wrapping round to the oldest, so skipping a claim moves on
instead of bouncing back to it.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import DateTimeField, F, Q, QuerySet
from django.db.models.functions import Cast, Coalesce

from ..models import Claim, Proposition, Stance


def with_claim_date(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """Annotate ``claim_date``: when the words were published."""
    return claims.annotate(
        claim_date=Coalesce(
            F("post__posted_at"), Cast("article__published_on", output_field=DateTimeField())
        )
    )


def oldest_first(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    return claims.order_by(F("claim_date").asc(nulls_last=True), "pk")


def pending(proposition: Proposition, annotator: AbstractBaseUser | None = None) -> QuerySet[Claim]:
    """Claims with no stance toward ``proposition`` (from ``annotator``, when given)."""
    stances = Stance.objects.filter(proposition=proposition)
    if annotator is not None:
        stances = stances.filter(annotator=annotator)
    return with_claim_date(Claim.objects.exclude(pk__in=stances.values("claim_id")))


def next_claim(
    proposition: Proposition,
    *,
    after: Claim | None = None,
    annotator: AbstractBaseUser | None = None,
) -> Claim | None:
    """The claim to annotate after ``after``, oldest first; None when the queue is empty."""
    queue = pending(proposition, annotator)
    if after is None:
        return oldest_first(queue).first()
    queue = queue.exclude(pk=after.pk)
    date = with_claim_date(Claim.objects.filter(pk=after.pk)).values_list("claim_date", flat=True)
    after_date = date.first()
    if after_date is None:
        later = Q(claim_date__isnull=True, pk__gt=after.pk)
    else:
        later = (
            Q(claim_date__gt=after_date)
            | Q(claim_date=after_date, pk__gt=after.pk)
            | Q(claim_date__isnull=True)
        )
    return oldest_first(queue.filter(later)).first() or oldest_first(queue).first()
