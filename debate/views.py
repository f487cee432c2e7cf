"""Reader-facing pages. Small function views; HTMX requests get only the fragment they swap."""

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from .articles import layout
from .models import Article, ArticlePost, Claim, Post
from .timeline import build_timeline, make_entry, posts_for_cards, public_stances, thread_around


def wants_fragment(request: HttpRequest) -> bool:
    """An HTMX swap, but not htmx restoring history, which needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


@require_safe
@vary_on_headers("HX-Request")
def timeline(request: HttpRequest) -> HttpResponse:
    view = build_timeline(request.GET)
    template = "debate/timeline.html#results" if wants_fragment(request) else "debate/timeline.html"
    return render(request, template, {"timeline": view})


@require_safe
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post.objects.select_related("speaker"), pk=pk)
    items = thread_around(post)
    focus = next(item.node for item in items if item.node.is_focus)
    return render(
        request, "debate/post_detail.html", {"post": post, "items": items, "focus": focus}
    )


@require_safe
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article, slug=slug)
    positions = dict(ArticlePost.objects.filter(article=article).values_list("post_id", "position"))
    posts = posts_for_cards(Post.objects.filter(pk__in=positions))
    entries = sorted((make_entry(post) for post in posts), key=lambda e: positions[e.post.pk])
    claims = (
        Claim.objects.filter(article=article)
        .select_related("speaker")
        .prefetch_related(Prefetch("stances", queryset=public_stances()))
        .order_by("pk")
    )
    entry_by_post = {entry.post.pk: entry for entry in entries}
    blocks = layout(article.body, [entry.post for entry in entries])
    for block in blocks:
        if block.kind == "post":
            block.post = entry_by_post[block.post.pk]
    return render(
        request,
        "debate/article_detail.html",
        {"article": article, "blocks": blocks, "entries": entries, "claims": claims},
    )
