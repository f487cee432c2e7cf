"""A debate's propositions: the list, each proposition's sides, and the stance map."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from ..http.pagecache import public_page
from ..models import Debate
from ..reading.positions import proposition_page, proposition_rows
from ..reading.standings import map_rows
from .fragments import HtmxHttpRequest
from .hub import in_debate


@require_safe
@public_page
@in_debate
def proposition_list(request: HtmxHttpRequest, debate: Debate) -> HttpResponse:
    context = {"debate": debate, "rows": proposition_rows(debate)}
    return render(request, "debate/proposition_list.html", context)


@require_safe
@public_page
@in_debate
def proposition_detail(request: HtmxHttpRequest, debate: Debate, slug: str) -> HttpResponse:
    proposition = get_object_or_404(debate.propositions, slug=slug)
    return render(request, "debate/proposition_detail.html", proposition_page(proposition, debate))


@require_safe
@public_page
@in_debate
def stance_map(request: HtmxHttpRequest, debate: Debate) -> HttpResponse:
    propositions, rows = map_rows(debate)
    context = {"debate": debate, "propositions": propositions, "rows": rows}
    return render(request, "debate/stance_map.html", context)
