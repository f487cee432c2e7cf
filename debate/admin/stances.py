"""Stances on their own: the list with its filters, each stance's page with its history, the
review actions, and the agreement between annotators."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import dateformat
from django.utils.html import format_html

from ..editing.report import agreement_report
from ..editing.revisions import (
    SNAPSHOT_RELATED,
    delete_stances,
    may_change,
    save_stance,
    set_review_state,
)
from ..editing.roles import is_reviewer
from ..models import ReviewState, Stance, StanceRevision
from ..text import parse_id
from .base import excerpt, split_judgements
from .display import STANCE_RELATED, StanceHistoryAdmin, person, provenance_html
from .forms import STANCE_LAYOUT, STANCE_RADIOS, StanceAdminForm
from .previews import preview_rationale


class DisputedFilter(admin.SimpleListFilter):
    title = "agreement"
    parameter_name = "agreement"

    def lookups(self, request, model_admin):
        return [("disputed", "annotators disagree")]

    def queryset(self, request, queryset):
        if self.value() != "disputed":
            return queryset
        split = split_judgements().filter(
            claim_id=OuterRef("claim_id"), proposition_id=OuterRef("proposition")
        )
        return queryset.filter(Exists(split))


@admin.register(Stance)
class StanceAdmin(StanceHistoryAdmin):
    form = StanceAdminForm
    # Four columns, each carrying two facts, so the list fits beside the filters on a laptop.
    list_display = ["claim_excerpt", "badge", "review", "by"]
    list_filter = [
        "proposition",
        "value",
        "confidence",
        "review_state",
        DisputedFilter,
        ("annotator", admin.RelatedOnlyFieldListFilter),
        "claim__speaker",
    ]
    search_fields = ["claim__summary", "claim__quote", "rationale", "evidence"]
    autocomplete_fields = ["claim", "proposition"]
    radio_fields = STANCE_RADIOS
    date_hierarchy = "annotated_at"
    fields = ["claim", *STANCE_LAYOUT]
    readonly_fields = ["provenance"]
    actions = ["mark_reviewed", "publish_drafts"]

    def get_urls(self):
        own = [
            path(
                "preview/",
                self.admin_site.admin_view(preview_rationale),
                name="debate_stance_preview",
            ),
            path(
                "agreement/",
                self.admin_site.admin_view(self.agreement_view),
                name="debate_stance_agreement",
            ),
        ]
        return own + super().get_urls()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Stance]:
        # Everything the list and the form show, in the one query. (A select_related here
        # makes the changelist skip list_select_related, so the list's needs are named too.)
        return super().get_queryset(request).select_related(*STANCE_RELATED)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def has_change_permission(self, request: HttpRequest, obj: Stance | None = None) -> bool:
        # Another annotator's stance is theirs: an Editor sees it read-only (and a POST is
        # refused); save_stance refuses it too.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_change(obj, request.user))

    def has_delete_permission(self, request: HttpRequest, obj: Stance | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_change(obj, request.user))

    def has_review_permission(self, request: HttpRequest) -> bool:
        return is_reviewer(request.user)

    @admin.display(description="claim", ordering="claim__speaker__name")
    def claim_excerpt(self, stance: Stance) -> str:
        return f"{stance.claim.speaker.name}: {excerpt(stance.claim.summary, 10)}"

    @admin.display(description="stance", ordering="value")
    def badge(self, stance: Stance) -> str:
        return format_html(
            '<span class="tl-badge tl-badge--{}">{}</span> <small class="tl-muted">{}</small>',
            stance.value,
            stance.label,
            stance.proposition.label,
        )

    @admin.display(description="review state", ordering="review_state")
    def review(self, stance: Stance) -> str:
        confidence = (
            f"{stance.confidence} confidence" if stance.confidence else "confidence not stated"
        )
        return format_html(
            '<span class="tl-state tl-state--{}">{}</span> <small class="tl-muted">{}</small>',
            stance.review_state,
            stance.get_review_state_display(),
            confidence,
        )

    @admin.display(description="annotator", ordering="annotator__username")
    def by(self, stance: Stance) -> str:
        return format_html(
            '{} <small class="tl-muted">changed {}</small>',
            person(stance.annotator),
            dateformat.format(stance.updated_at, "j M Y"),
        )

    @admin.display(description="provenance")
    def provenance(self, stance: Stance) -> str:
        return provenance_html(stance)

    def history_of(self, object_id: str) -> QuerySet[StanceRevision] | None:
        # By number, not by the foreign key: a deleted stance's revisions stay.
        number = parse_id(object_id)
        return None if number is None else StanceRevision.objects.filter(stance_number=number)

    def save_model(self, request, obj, form, change):
        result = save_stance(obj, request.user)
        if result.notice:
            self.message_user(request, result.notice, messages.WARNING)

    def delete_model(self, request, obj):
        delete_stances([obj], request.user)

    def delete_queryset(self, request, queryset):
        delete_stances(queryset.select_related(*SNAPSHOT_RELATED), request.user)

    @admin.action(description="Mark the selected stances reviewed", permissions=["review"])
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[Stance]) -> None:
        try:
            changed, unchanged = set_review_state(queryset, ReviewState.REVIEWED, request.user)
        except PermissionDenied:
            self.message_user(request, "Only reviewers can mark stances reviewed.", messages.ERROR)
            return
        self.message_user(
            request,
            f"Marked {changed} stance{'s' if changed != 1 else ''} reviewed."
            + (f" {unchanged} already were." if unchanged else ""),
            messages.SUCCESS,
        )

    @admin.action(description="Publish the selected drafts", permissions=["change"])
    def publish_drafts(self, request: HttpRequest, queryset: QuerySet[Stance]) -> None:
        drafts = queryset.filter(review_state=ReviewState.DRAFT)
        changed, _ = set_review_state(drafts, ReviewState.PUBLISHED, request.user)
        others = queryset.count() - changed
        self.message_user(
            request,
            f"Published {changed} draft{'s' if changed != 1 else ''}."
            + (f" Left {others} that were not drafts as they were." if others else ""),
            messages.SUCCESS,
        )

    def agreement_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        include_drafts = request.GET.get("drafts") == "1"
        context = {
            **self.admin_site.each_context(request),
            "title": "Agreement between annotators",
            "opts": self.opts,
            "report": agreement_report(include_drafts=include_drafts),
            "include_drafts": include_drafts,
        }
        return TemplateResponse(request, "admin/debate/stance/agreement.html", context)
