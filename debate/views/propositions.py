"""Propositions: the list, each proposition's sides, and the stance map of everyone."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from ..http.pagecache import public_page
from ..models import Proposition
from ..reading.positions import proposition_page, proposition_rows
from ..reading.standings import map_rows
from .fragments import HtmxHttpRequest


@require_safe
@public_page
def proposition_list(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "debate/proposition_list.html", {"rows": proposition_rows()})


@require_safe
@public_page
def proposition_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    proposition = get_object_or_404(Proposition, slug=slug)
    return render(request, "debate/proposition_detail.html", proposition_page(proposition))


@require_safe
@public_page
def stance_map(request: HtmxHttpRequest) -> HttpResponse:
    propositions, rows = map_rows()
    context = {"propositions": propositions, "rows": rows}
    return render(request, "debate/stance_map.html", context)
