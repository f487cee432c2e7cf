"""How stances show in the workspace: their provenance, their badges in the lists, and the
history and save-race handling the claim and stance pages share."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponseRedirect
from django.utils.html import format_html, format_html_join

from ..editing.history import stance_history
from ..models import Stance, StanceConflict, StanceRevision, account_name
from ..reading.agreed import DISAGREE_LABEL, AgreedStance
from .base import AtomicActionsAdmin

# What a stance's form, heading and provenance show (the heading names the claim's speaker).
STANCE_RELATED = (
    "claim__speaker",
    "proposition",
    "annotator",
    "created_by",
    "updated_by",
    "reviewed_by",
)
RACE_MESSAGE = (
    "Someone saved this stance at the very moment you did, so nothing of yours was saved. "
    "This is the page as it is now: make your change again."
)


def person(user) -> str:
    return account_name(user) if user is not None else "—"


def stamp(moment) -> str:
    return f"{moment:%d %b %Y, %H:%M} UTC" if moment else ""


def provenance_html(stance: Stance) -> str:
    """Who judged, wrote, changed and reviewed a stance, and when: read-only on its forms."""
    if stance.pk is None:
        return "You, once saved."
    rows = [("annotator", person(stance.annotator), stamp(stance.annotated_at))]
    if stance.created_by_id:
        rows.append(("created by", person(stance.created_by), stamp(stance.created_at)))
    if stance.updated_by_id:
        rows.append(("last changed by", person(stance.updated_by), stamp(stance.updated_at)))
    if stance.reviewed_by_id:
        rows.append(("reviewed by", person(stance.reviewed_by), stamp(stance.reviewed_at)))
    rows.append(("version", str(stance.version), ""))
    return format_html(
        '<dl class="tl-provenance">{}</dl>',
        format_html_join("", "<div><dt>{}</dt><dd>{} <small>{}</small></dd></div>", rows),
    )


def stance_badge(entry: AgreedStance) -> str:
    """One proposition's stance on a claim, in words: agreed, held by a majority, or split."""
    if not entry.disputed:
        words = entry.label + (f" ×{entry.annotators}" if entry.annotators > 1 else "")
    elif entry.value is None:
        words = f"{entry.proposition.label}: {DISAGREE_LABEL}"
    else:
        held = entry.counts[0][2]
        words = f"{entry.label}, {held} of {len(entry.stances)}"
    classes = f"tl-badge tl-badge--{entry.value or 'disputed'}"
    if entry.disputed:
        classes += " tl-badge--split"
    return format_html(
        '<span class="{}" title="{}: {}">{}</span>',
        classes,
        entry.proposition.label,
        entry.summary,
        words,
    )


class StanceHistoryAdmin(AtomicActionsAdmin):
    """A change page that shows the history of some stances below the form
    (``templates/admin/debate/stance_history.html``) and survives a lost save race."""

    def history_of(self, object_id: str) -> QuerySet[StanceRevision] | None:
        """The revisions to show on the page of ``object_id``; None for no history."""
        raise NotImplementedError

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        context = dict(extra_context or {})
        revisions = self.history_of(object_id) if object_id else None
        if revisions is not None:
            context["stance_history"], context["history_truncated"] = stance_history(revisions)
        try:
            return super().changeform_view(request, object_id, form_url, context)
        except StanceConflict:
            # Two saves crossed between validation and writing; the transaction rolled back.
            self.message_user(request, RACE_MESSAGE, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
