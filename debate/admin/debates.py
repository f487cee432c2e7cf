"""Debates: editors add and change them (an import can start one too); Reviewers may also
delete one that holds no article (an article's debate is protected)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from ..models import Debate
from .base import AtomicActionsAdmin


@admin.register(Debate)
class DebateAdmin(AtomicActionsAdmin):
    list_display = ["title", "slug", "starts_on", "ends_on", "article_count", "proposition_count"]
    search_fields = ["title", "question", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "question", "summary", "starts_on", "ends_on"]
    date_hierarchy = "starts_on"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Debate]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                article_total=Count("articles", distinct=True),
                proposition_total=Count("propositions", distinct=True),
            )
        )

    @admin.display(description="articles", ordering="article_total")
    def article_count(self, debate: Debate) -> int:
        return debate.article_total

    @admin.display(description="propositions", ordering="proposition_total")
    def proposition_count(self, debate: Debate) -> int:
        return debate.proposition_total
