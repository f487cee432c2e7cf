"""The home page: the debates Threadline holds."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..http.pagecache import public_page
from ..reading.debates import debate_cards
from ..reading.filters import PARAM_ORDER
from .fragments import HtmxHttpRequest
from .hub import moved


def timeline_params(request: HtmxHttpRequest) -> bool:
    """Whether the query asks for a timeline: ``/?speaker=...`` from before there were many
    debates."""
    return any(name in request.GET for name in PARAM_ORDER)


@require_safe
def home(request: HtmxHttpRequest) -> HttpResponse:
    if timeline_params(request):
        return moved(request, "timeline")
    return home_page(request)


@require_safe
@public_page
def home_page(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "debate/home.html", {"cards": debate_cards()})
