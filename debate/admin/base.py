"""What every page of the editors' workspace shares: atomic bulk actions, labelled autocompletes,
excerpts, compact text areas, and the one query for "annotators disagree"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import models, transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator

from ..models import Stance
from ..text import parse_id

COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})}}


def excerpt(text: str, words: int = 14) -> str:
    return Truncator(text).words(words, truncate="…")


def split_judgements() -> QuerySet[Stance]:
    """(claim_id, proposition_id) rows where public stances differ: the claim and stance lists'
    "annotators disagree" filters."""
    return (
        Stance.objects.public()
        .values("claim_id", "proposition_id")
        .annotate(values=Count("value", distinct=True))
        .filter(values__gt=1)
    )


class LabelledAutocomplete(AutocompleteSelect):
    """Django's autocomplete with a placeholder: while empty, select2's box is otherwise
    nameless to a screen reader (axe: aria-input-field-name)."""

    def build_attrs(self, base_attrs: dict, extra_attrs: dict | None = None) -> dict:
        attrs = super().build_attrs(base_attrs, extra_attrs=extra_attrs)
        attrs["data-placeholder"] = f"Choose {self.field.verbose_name}…"
        return attrs


class AtomicActionsAdmin(admin.ModelAdmin):
    """Run each bulk action in one transaction: Django's own "delete selected" logs the
    deletions before it deletes, so a failure halfway would otherwise leave log entries
    (and any partial work) behind."""

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        # An id no row can have ("²", which int() refuses; one past 64 bits, which SQLite
        # refuses) is simply not found, on every page that names an object.
        field = self.model._meta.get_field(from_field) if from_field else self.model._meta.pk
        if isinstance(field, models.IntegerField) and parse_id(object_id) is None:
            return None
        return super().get_object(request, object_id, from_field)

    def get_paginator(self, request: HttpRequest, queryset: QuerySet, *args: Any, **kwargs: Any):
        # The autocompletes page through get_queryset() as it is; where that counts something
        # (GROUP BY), Django drops the model's ordering, so the pages would be in no order
        # (and Django warns). The lists order their queryset themselves.
        if not queryset.ordered:
            queryset = queryset.order_by(*(self.model._meta.ordering or []), "pk")
        return super().get_paginator(request, queryset, *args, **kwargs)

    def response_action(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        with transaction.atomic():
            return super().response_action(request, *args, **kwargs)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs: Any):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = LabelledAutocomplete(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
