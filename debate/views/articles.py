"""Articles: a debate's list, and each article as published, with the posts it quotes in
place and its prose claims marked."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from ..http.pagecache import public_page
from ..models import Article, Debate
from ..reading.articles import article_page, debate_articles
from .fragments import HtmxHttpRequest
from .hub import in_debate


@require_safe
@public_page
@in_debate
def article_list(request: HtmxHttpRequest, debate: Debate) -> HttpResponse:
    context = {"debate": debate, "articles": debate_articles(debate)}
    return render(request, "debate/article_list.html", context)


@require_safe
@public_page
def article_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.select_related("debate"), slug=slug)
    return render(request, "debate/article_detail.html", article_page(article))
