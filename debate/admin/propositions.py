"""Propositions: the questions stances take a side on, each with its statement, short label and
the words for its two sides. Editors add and change them; Reviewers may also delete one that
no stance takes a side on (migration 0008; Django's own permission checks, in the ModelAdmin,
refuse everyone else, whatever a template shows)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from ..models import Proposition
from .base import AtomicActionsAdmin


@admin.register(Proposition)
class PropositionAdmin(AtomicActionsAdmin):
    list_display = ["label", "statement", "pro_label", "anti_label", "stance_count"]
    search_fields = ["label", "statement", "description"]
    prepopulated_fields = {"slug": ["label"]}
    fields = ["label", "slug", "statement", "description", "pro_label", "anti_label", "debates"]
    filter_horizontal = ["debates"]
    list_filter = ["debates"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Proposition]:
        return super().get_queryset(request).annotate(stance_total=Count("stances"))

    @admin.display(description="stances", ordering="stance_total")
    def stance_count(self, proposition: Proposition) -> int:
        return proposition.stance_total
