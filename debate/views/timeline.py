"""The timeline: the whole page, the next page of threads, or the results of a filter change."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from ..http.pagecache import public_page
from ..models import Debate
from ..reading.filters import tidy_query
from ..reading.timeline import build_timeline
from .fragments import LOAD_MORE_TARGET, SYNC_HEADER, HtmxHttpRequest, wants_fragment
from .hub import in_debate


@require_safe
@public_page(tidy=tidy_query)
@vary_on_headers("HX-Request", "HX-Target", SYNC_HEADER)
@in_debate
def timeline(request: HtmxHttpRequest, debate: Debate) -> HttpResponse:
    # A form sent without JavaScript was redirected to the short URL a reader would share
    # (public_page, with tidy_query); an htmx swap is told that URL to push.
    tidy = tidy_query(request.GET)
    view = build_timeline(debate, request.GET)
    context = {"debate": debate, "timeline": view, "fragment": False, "sync_all": False}
    if not wants_fragment(request):
        return render(request, "debate/timeline.html", context)
    if request.htmx.target == LOAD_MORE_TARGET:
        # Scrolling on: only the next page of threads, which replaces the "more" link.
        return render(request, "debate/timeline.html#page", context)
    # A filter change: the results, plus the filter form's counts swapped out of band. A chip
    # or "clear all" also resets the typed fields (search, dates, order) to match the URL.
    context |= {"fragment": True, "sync_all": request.headers.get(SYNC_HEADER) == "all"}
    response = render(request, "debate/timeline.html#results", context)
    if tidy is not None:
        return push_url(response, f"{request.path}{tidy}")
    return response
