"""A post's permalink: its whole conversation, with the post itself in focus."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..http.pagecache import public_page
from ..reading.cards import thread_around
from ..reading.metadata import json_ld, social_media_posting
from .fragments import HtmxHttpRequest


@require_safe
@public_page
def post_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    items = thread_around(pk)
    focus = next((item.node for item in items if item.node.is_focus), None)
    if focus is None:
        raise Http404("No post has this number.")
    post = focus.post
    context = {
        "post": post,
        "entry": focus,
        "items": items,
        "json_ld": json_ld(social_media_posting(request, post)),
    }
    return render(request, "debate/post_detail.html", context)
