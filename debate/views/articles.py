"""An article as published, with the posts it quotes in place and its prose claims marked."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from ..http.pagecache import public_page
from ..models import Article
from ..reading.articles import article_page
from .fragments import HtmxHttpRequest


@require_safe
@public_page
def article_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article, slug=slug)
    return render(request, "debate/article_detail.html", article_page(article))
