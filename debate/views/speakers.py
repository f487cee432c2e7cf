"""Speakers: a debate's speakers with where each stands, and each speaker's own page."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from ..http.pagecache import public_page
from ..models import Debate
from ..reading.standings import speaker_page, speaker_rows
from ..reading.tallies import speakers_with_counts
from .fragments import HtmxHttpRequest
from .hub import in_debate


@require_safe
@public_page
@in_debate
def speaker_list(request: HtmxHttpRequest, debate: Debate) -> HttpResponse:
    context = {"debate": debate, "rows": speaker_rows(debate)}
    return render(request, "debate/speaker_list.html", context)


@require_safe
@public_page
def all_speakers(request: HtmxHttpRequest) -> HttpResponse:
    """Everyone quoted in any debate."""
    return render(request, "debate/speaker_list.html", {"debate": None, "rows": speaker_rows()})


@require_safe
@public_page
def speaker_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    speaker = get_object_or_404(speakers_with_counts(), slug=slug)
    return render(request, "debate/speaker_detail.html", speaker_page(speaker))
