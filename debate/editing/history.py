"""A stance's history in words: what each revision changed, and what happened since a version.

``debate.editing.revisions`` writes the revisions; this module reads them back for editors:
the history on the claim and stance pages (the latest ``HISTORY_LIMIT``, in one query however
long the history is) and the report an editor gets when someone saved a stance first.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import dateformat, timezone
from django.utils.text import Truncator

from ..models import (
    Confidence,
    ReviewState,
    RevisionAction,
    Stance,
    StanceRevision,
    StanceValue,
    account_name,
)

# The values a revision keeps, with the words the history uses for them.
TRACKED = {
    "proposition": "proposition",
    "value": "stance",
    "confidence": "confidence",
    "rationale": "rationale",
    "evidence": "evidence",
    "review_state": "review state",
    "annotator": "annotator",
    "reviewed_by": "reviewed by",
    # The claim the stance judges, kept in words (revisions older than these keys lack them).
    "claim": "claim",
    "quote": "claim's quote",
    "source": "claim's source",
}
CLAIM_WORDS = ["claim", "quote", "source"]
CHOICE_LABELS = {
    "value": dict(StanceValue.choices),
    "confidence": dict(Confidence.choices),
    "review_state": dict(ReviewState.choices),
}
# The history pages show this many revisions, newest first, and say when there are more.
HISTORY_LIMIT = 50
Snapshot = dict[str, str | None]


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str


def display(field: str, value: str | None) -> str:
    if value in (None, ""):
        return "not stated" if field == "confidence" else "—"
    return CHOICE_LABELS.get(field, {}).get(value, value)


def changes(old: Snapshot | None, new: Snapshot | None) -> list[Change]:
    """What differs between two snapshots, field by field, in words. A field one of two
    snapshots does not keep (one written before it was tracked) is not a change."""
    both = old is not None and new is not None
    old, new = old or {}, new or {}
    return [
        Change(field, label, display(field, old.get(field)), display(field, new.get(field)))
        for field, label in TRACKED.items()
        if old.get(field) != new.get(field)
        and not (both and (field not in old or field not in new))
    ]


def author(revision: StanceRevision) -> str:
    """Who made a revision, as editors see them ("someone" for a deleted account)."""
    return account_name(revision.changed_by) or "someone"


# The history on the claim and stance pages ----------------------------------------------------


@dataclass
class HistoryEntry:
    revision: StanceRevision
    author: str
    proposition: str
    changes: list[Change]


def stance_history(revisions: QuerySet[StanceRevision]) -> tuple[list[HistoryEntry], bool]:
    """The latest revisions (and whether there are older ones), ready for the template.

    Fetches one revision more than it shows, to know whether there are older ones, rather
    than the whole history."""
    latest = list(
        revisions.select_related("changed_by").order_by("-changed_at", "-pk")[: HISTORY_LIMIT + 1]
    )
    entries = [
        HistoryEntry(
            revision=revision,
            author=author(revision),
            proposition=(revision.new or revision.old or {}).get("proposition") or "",
            changes=changes(revision.old, revision.new),
        )
        for revision in latest[:HISTORY_LIMIT]
    ]
    return entries, len(latest) > HISTORY_LIMIT


# What happened since the version an editor loaded ---------------------------------------------


def short(text: str, chars: int = 80) -> str:
    return Truncator(text).chars(chars, truncate="…")


def quoted(change: Change) -> str:
    if change.field in {"rationale", "evidence"}:
        return f"“{short(change.old)}” → “{short(change.new)}”"
    return f"{change.old} → {change.new}"


def conflict_report(stance_pk: int, loaded_version: int) -> list[str]:
    """What happened to a stance since ``loaded_version``, in sentences for the editor."""
    current = Stance.objects.filter(pk=stance_pk).values_list("version", flat=True).first()
    revisions = list(
        StanceRevision.objects.filter(stance_number=stance_pk, version__gt=loaded_version)
        .select_related("changed_by")
        .order_by("version", "pk")
    )
    lines = []
    for revision in revisions:
        when = dateformat.format(timezone.localtime(revision.changed_at), "j M Y, H:i T")
        action = revision.get_action_display()
        lines.append(f"{author(revision)} {action} it on {when} (version {revision.version}):")
        lines += [
            f"– {change.label}: {quoted(change)}" for change in changes(revision.old, revision.new)
        ]
    if current is None and not any(r.action == RevisionAction.DELETED for r in revisions):
        lines.append("It has since been deleted.")
    if not lines:
        lines.append(f"It was changed elsewhere: it is now at version {current}.")
    return lines
