"""What editing a claim does to the stances it carries.

A stance judges a claim's words. When the words change (the summary, the quote, the source it
quotes or the speaker), a reviewer's sign-off no longer covers what readers see, so it is voided
(back to published), and each stance's history records the change, whoever made it. Deleting
claims goes through ``delete_stances`` first, so that what each stance said stays in the history
(the revisions outlive the claim: ``StanceRevision.claim`` is set to null, and each revision keeps
the claim's words).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import Claim, ReviewState, RevisionAction, Stance, StanceRevision
from ..versioning import bulk_edit
from .history import CLAIM_WORDS, Snapshot
from .revisions import SNAPSHOT_RELATED, _revision, claim_snapshot, delete_stances, snapshot

VOIDED_NOTICE = (
    "The claim's words changed, so the review of {count} stance{s} on it was voided (back to "
    "published): a reviewer should look at {them} again."
)


def stored_words(claim: Claim) -> Snapshot | None:
    """The claim's words as stored, to read before saving it (None for a new claim)."""
    if claim.pk is None:
        return None
    stored = Claim.objects.select_related("speaker", "article").filter(pk=claim.pk).first()
    return claim_snapshot(stored) if stored is not None else None


def claim_changed(claim: Claim, before: Snapshot | None, user: AbstractBaseUser) -> str:
    """Call after ``claim`` is saved, with its ``stored_words`` from before: when its words
    differ, every stance on it gets a revision recording the change (and a new version), and
    reviewed ones go back to published. A fixed number of queries however many stances.

    Returns a notice for the editor when reviews were voided ("" otherwise)."""
    if before is None:
        return ""
    after = claim_snapshot(claim)
    if all(before.get(field) == after[field] for field in CLAIM_WORDS):
        return ""
    now = timezone.now()
    with transaction.atomic():
        stances = list(
            Stance.objects.filter(claim=claim)
            .select_for_update(of=("self",))
            .select_related(*SNAPSHOT_RELATED)
            .order_by("pk")
        )
        if not stances:
            return ""
        revisions, voided = [], []
        for stance in stances:
            new = snapshot(stance)  # the claim as saved now
            old = {**new, **{field: before.get(field) for field in CLAIM_WORDS}}
            if stance.review_state == ReviewState.REVIEWED:
                voided.append(stance.pk)
                new = {**new, "review_state": ReviewState.PUBLISHED, "reviewed_by": None}
            revisions.append(
                _revision(stance, RevisionAction.CHANGED, user, now, old, new, stance.version + 1)
            )
        with bulk_edit():  # update() sends no signals: cached public pages must still go stale
            Stance.objects.filter(pk__in=[stance.pk for stance in stances]).update(
                updated_by=user, updated_at=now, version=F("version") + 1
            )
            if voided:
                Stance.objects.filter(pk__in=voided).update(
                    review_state=ReviewState.PUBLISHED, reviewed_by=None, reviewed_at=None
                )
            StanceRevision.objects.bulk_create(revisions)
    if not voided:
        return ""
    many = len(voided) != 1
    return VOIDED_NOTICE.format(
        count=len(voided), s="s" if many else "", them="them" if many else "it"
    )


def delete_claims(claims: Iterable[Claim], user: AbstractBaseUser) -> int:
    """Delete claims, their stances through ``delete_stances`` (a revision each, kept), in one
    edit. Refused whole when ``user`` may not delete one of the stances."""
    ids = [claim.pk for claim in claims]
    if not ids:
        return 0
    with bulk_edit():
        stances = Stance.objects.filter(claim_id__in=ids).select_related(*SNAPSHOT_RELATED)
        delete_stances(stances.order_by("pk"), user)
        Claim.objects.filter(pk__in=ids).delete()
    return len(ids)
