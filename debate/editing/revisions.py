"""Saving stances with their provenance and history.

Every write to a stance from the workspace goes through here, so each one records who made it
(from the logged-in user, never a form field), keeps the review bookkeeping straight, and
leaves a ``StanceRevision`` with the tracked values before and after. Bulk operations use a
fixed number of queries however many stances they touch, and count as one edit
(``debate.versioning.bulk_edit``). Reading the history back is ``debate.editing.history``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from ..models import (
    Claim,
    Proposition,
    ReviewState,
    RevisionAction,
    Stance,
    StanceConflict,
    StanceRevision,
    display_name,
)
from ..versioning import bulk_edit
from .history import CLAIM_WORDS, Snapshot
from .roles import is_reviewer

# What a snapshot reads through the stance's claim: join it in wherever stances are loaded to
# be snapshotted, so that bulk operations stay at a fixed number of queries.
SNAPSHOT_RELATED = ("proposition", "annotator", "reviewed_by", "claim__speaker", "claim__article")
NOT_YOURS = (
    "This is {name}'s stance: only its annotator and reviewers may change or delete it. "
    "Add a stance of your own instead."
)

# Changing any of these voids a review: the reviewer looked at different words (the claim's
# among them: a stance judges a claim, so moving it, or changing the claim, is a new judgement).
CONTENT = ["proposition", "value", "confidence", "rationale", "evidence", *CLAIM_WORDS]
# What an edit conflict can merge field by field (the rest is bookkeeping, not an edit).
MERGEABLE = [*CONTENT, "review_state"]


def _name(user: AbstractBaseUser | None) -> str | None:
    # The login name, which names the account for good (a display name may be changed).
    return user.get_username() if user is not None else None


def claim_snapshot(claim: Claim) -> Snapshot:
    """The words of the claim a stance judges, as its snapshots keep them (``CLAIM_WORDS``)."""
    if claim.post_id:
        source = f"post {claim.post_id}"
    elif claim.article_id:
        source = f"article “{claim.article.title}”"
    else:
        source = None
    return {
        "claim": f"{claim.speaker.name}: {claim.summary}" if claim.speaker_id else claim.summary,
        "quote": claim.quote,
        "source": source,
    }


def snapshot(stance: Stance) -> Snapshot:
    """The tracked values of a stance (``history.TRACKED``), as JSON-ready strings (names
    rather than ids, so that the history stays readable whatever happens to the rows they
    point at, the claim included)."""
    return {
        **claim_snapshot(stance.claim),
        "proposition": stance.proposition.label if stance.proposition_id else None,
        "value": stance.value,
        "confidence": stance.confidence,
        "rationale": stance.rationale,
        "evidence": stance.evidence,
        "review_state": stance.review_state,
        "annotator": _name(stance.annotator) if stance.annotator_id else None,
        "reviewed_by": _name(stance.reviewed_by) if stance.reviewed_by_id else None,
    }


def _revision(
    stance: Stance,
    action: str,
    user: AbstractBaseUser,
    now: datetime.datetime,
    old: Snapshot | None,
    new: Snapshot | None,
    version: int | None = None,
) -> StanceRevision:
    """A revision of ``stance`` (unsaved), at the stance's version unless told otherwise."""
    return StanceRevision(
        claim_id=stance.claim_id,
        stance=stance,
        stance_number=stance.pk,
        action=action,
        version=stance.version if version is None else version,
        changed_by=user,
        changed_at=now,
        old=old,
        new=new,
    )


def may_change(stance: Stance, user: AbstractBaseUser) -> bool:
    """Whether ``user`` may change or delete this stance (as stored): a stance is one
    annotator's judgement, so only they may rewrite it, and reviewers, who answer for all."""
    return stance.pk is None or stance.annotator_id == user.pk or is_reviewer(user)


def check_may_change(stance: Stance, user: AbstractBaseUser) -> None:
    if not may_change(stance, user):
        raise PermissionDenied(NOT_YOURS.format(name=display_name(stance.annotator)))


@dataclass
class SaveResult:
    stance: Stance
    revision: StanceRevision | None
    notice: str = ""  # something the editor should know, e.g. that a review was voided


def _review_bookkeeping(
    stance: Stance,
    before: Snapshot | None,
    user: AbstractBaseUser,
    now: datetime.datetime,
    moved: bool = False,
) -> str:
    """Keep reviewed_by/reviewed_at true to the review state; return a notice, if any."""
    if stance.review_state != ReviewState.REVIEWED:
        stance.reviewed_by, stance.reviewed_at = None, None
        return ""
    was_reviewed = before is not None and before["review_state"] == ReviewState.REVIEWED
    if not was_reviewed:
        if not is_reviewer(user):
            raise PermissionDenied("Only reviewers can mark a stance reviewed.")
        stance.reviewed_by, stance.reviewed_at = user, now
        return ""
    after = snapshot(stance)
    if not moved and all(before.get(field) == after[field] for field in CONTENT):
        return ""
    if is_reviewer(user):
        stance.reviewed_by, stance.reviewed_at = user, now
        return ""
    stance.review_state = ReviewState.PUBLISHED
    stance.reviewed_by, stance.reviewed_at = None, None
    return (
        "The stance had been reviewed; your change sent it back to published, "
        "so that a reviewer looks at it again."
    )


def save_stance(stance: Stance, user: AbstractBaseUser) -> SaveResult:
    """Save a new or edited stance as ``user`` and record the revision.

    Raises StanceConflict when someone saved the stance after the version it was loaded at,
    and PermissionDenied when a non-reviewer marks it reviewed or changes another annotator's
    stance.
    """
    now = timezone.now()
    with transaction.atomic():
        before, moved = None, False
        if stance.pk is not None:
            current = Stance.objects.select_related(*SNAPSHOT_RELATED).filter(pk=stance.pk).first()
            if current is None:
                raise StanceConflict(stance.pk, stance.version)
            check_may_change(current, user)
            stance.annotator_id = current.annotator_id  # whoever judged it stays its annotator
            before = snapshot(current)
            moved = current.claim_id != stance.claim_id
        else:
            stance.created_by = user
            stance.annotated_at = now
            stance.version = 1  # whatever a form said
            if stance.annotator_id is None:
                stance.annotator = user
        stance.updated_by = user
        notice = _review_bookkeeping(stance, before, user, now, moved)
        stance.save()
        after = snapshot(stance)
        if before == after:
            return SaveResult(stance, None, notice)
        action = RevisionAction.CREATED if before is None else RevisionAction.CHANGED
        revision = _revision(stance, action, user, now, before, after)
        revision.save(force_insert=True)
    return SaveResult(stance, revision, notice)


def delete_stances(stances: Iterable[Stance], user: AbstractBaseUser) -> int:
    """Delete stances, keeping a revision of what each one said.

    Refused whole (PermissionDenied) when one of them is another annotator's and ``user`` is
    not a reviewer.
    """
    stances = list(stances)
    if not stances:
        return 0
    for stance in stances:
        check_may_change(stance, user)
    now = timezone.now()
    with bulk_edit():  # one edit, however many stances go
        StanceRevision.objects.bulk_create(
            _revision(stance, RevisionAction.DELETED, user, now, snapshot(stance), None)
            for stance in stances
        )
        Stance.objects.filter(pk__in=[stance.pk for stance in stances]).delete()
    return len(stances)


def set_review_state(
    stances: QuerySet[Stance], state: str, user: AbstractBaseUser
) -> tuple[int, int]:
    """Move stances to a review state as ``user``; returns (changed, already in that state).

    Checks the right itself (hiding an action from non-reviewers is not enough), and keeps a
    revision per stance, in a fixed number of queries.
    """
    if state == ReviewState.REVIEWED and not is_reviewer(user):
        raise PermissionDenied("Only reviewers can mark stances reviewed.")
    now = timezone.now()
    reviewed = state == ReviewState.REVIEWED
    with transaction.atomic():
        # By id: the admin's queryset may be DISTINCT, which FOR UPDATE does not allow.
        ids = list(stances.values_list("pk", flat=True))
        chosen = list(
            Stance.objects.filter(pk__in=ids)
            .select_for_update(of=("self",))
            .select_related(*SNAPSHOT_RELATED)
            .order_by("pk")
        )
        todo = [stance for stance in chosen if stance.review_state != state]
        if not todo:
            return 0, len(chosen)  # nothing changed: not an edit
        revisions = []
        for stance in todo:
            before = snapshot(stance)
            after = {
                **before,
                "review_state": state,
                "reviewed_by": _name(user) if reviewed else None,
            }
            revisions.append(
                _revision(
                    stance, RevisionAction.CHANGED, user, now, before, after, stance.version + 1
                )
            )
        with bulk_edit():  # update() sends no signals: cached public pages must still go stale
            Stance.objects.filter(pk__in=[stance.pk for stance in todo]).update(
                review_state=state,
                reviewed_by=user if reviewed else None,
                reviewed_at=now if reviewed else None,
                updated_by=user,
                updated_at=now,
                version=F("version") + 1,
            )
            StanceRevision.objects.bulk_create(revisions)
    return len(todo), len(chosen) - len(todo)


@dataclass
class BulkResult:
    created: list[Stance]
    skipped: list[Claim]  # the user already had a stance toward the proposition there


def set_stances(
    claims: Sequence[Claim],
    *,
    proposition: Proposition,
    value: str,
    confidence: str,
    rationale: str,
    review_state: str,
    user: AbstractBaseUser,
) -> BulkResult:
    """Give many claims the same stance by ``user`` toward one proposition.

    Claims where the user already has a stance toward it are skipped, never overwritten: that
    stance may carry evidence and reasoning a bulk edit would lose.
    """
    if review_state == ReviewState.REVIEWED and not is_reviewer(user):
        raise PermissionDenied("Only reviewers can mark stances reviewed.")
    now = timezone.now()
    with bulk_edit():  # bulk_create sends no signals: cached public pages must still go stale
        taken = set(
            Stance.objects.filter(
                claim__in=claims, proposition=proposition, annotator=user
            ).values_list("claim_id", flat=True)
        )
        todo = [claim for claim in claims if claim.pk not in taken]
        stances = []
        for claim in todo:
            stance = Stance(
                claim=claim,
                proposition=proposition,
                value=value,
                confidence=confidence,
                rationale=rationale,
                review_state=review_state,
                annotator=user,
                annotated_at=now,
                created_by=user,
                updated_by=user,
            )
            if review_state == ReviewState.REVIEWED:
                stance.reviewed_by, stance.reviewed_at = user, now
            stance.refresh_derived()  # bulk_create bypasses save()
            stances.append(stance)
        Stance.objects.bulk_create(stances)
        StanceRevision.objects.bulk_create(
            _revision(stance, RevisionAction.CREATED, user, now, None, snapshot(stance))
            for stance in stances
        )
    return BulkResult(created=stances, skipped=[claim for claim in claims if claim.pk in taken])


@dataclass
class Merge:
    take_theirs: dict[str, object]  # field -> form value: changed by them, left alone by you
    clashes: list[str]  # fields both changed, differently


def merge_edits(current: Stance, loaded_version: int, mine: dict[str, object]) -> Merge:
    """Three-way merge of an editor's form (``mine``, tracked values as snapshots hold them)
    with the stance as it is now, against the version the editor loaded.

    The loaded version's values come from the revision that followed it; without one (the
    stance changed outside the workspace) nothing is merged and every difference counts as
    a clash.
    """
    following = (
        StanceRevision.objects.filter(stance_number=current.pk, version=loaded_version + 1)
        .order_by("pk")
        .first()
    )
    base = following.old if following is not None and following.old else None
    now = snapshot(current)
    take_theirs: dict[str, object] = {}
    clashes: list[str] = []
    for field, value in mine.items():
        if value == now[field]:
            continue
        if base is not None and now[field] == base[field]:
            continue  # only you changed it: yours stands
        if base is not None and value == base[field]:
            take_theirs[field] = (
                current.proposition_id if field == "proposition" else getattr(current, field)
            )
        else:
            clashes.append(field)
    return Merge(take_theirs, clashes)
