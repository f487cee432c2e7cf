"""Reader-facing pages. Small function views; HTMX requests get only the fragment they swap."""

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from .articles import layout
from .metadata import json_ld, social_media_posting
from .models import Article, ArticlePost, Claim, Post
from .pagecache import public_page
from .timeline import (
    build_timeline,
    card_fetch_mode,
    make_entry,
    posts_for_cards,
    public_stances,
    thread_around,
)


def wants_fragment(request: HttpRequest) -> bool:
    """An HTMX swap, but not htmx restoring history, which needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


LOAD_MORE_TARGET = "load-more"
SYNC_HEADER = "X-Threadline-Sync"


PARAM_ORDER = ["speaker", "stance", "proposition", "article", "from", "to", "q", "order", "after"]


def tidy_query(params: QueryDict) -> str | None:
    """The query string without empty fields and defaults (what a submitted form sends), in
    one fixed order, or None when it is tidy already. Values are kept as given, wrong ones
    included, so that the page can still say what was wrong with them."""
    given = [(key, value) for key, values in params.lists() for value in values]
    kept = [(k, v) for k, v in given if v.strip() and not (k == "order" and v == "oldest")]
    rank = {name: index for index, name in enumerate(PARAM_ORDER)}
    kept.sort(key=lambda pair: rank.get(pair[0], len(rank)))  # stable: repeats keep order
    if kept == given:
        return None
    return f"?{urlencode(kept)}" if kept else ""


@require_safe
@public_page
@vary_on_headers("HX-Request", "HX-Target", SYNC_HEADER)
def timeline(request: HttpRequest) -> HttpResponse:
    tidy = tidy_query(request.GET)
    if tidy is not None and not request.htmx:
        # A form sent without JavaScript: land on the short URL a reader would share.
        return redirect(f"{request.path}{tidy}")
    view = build_timeline(request.GET)
    context = {"timeline": view, "fragment": False, "sync_all": False}
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


@require_safe
@public_page
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
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


@require_safe
@public_page
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article, slug=slug)
    positions = dict(ArticlePost.objects.filter(article=article).values_list("post_id", "position"))
    posts = posts_for_cards(Post.objects.filter(pk__in=positions)).fetch_mode(card_fetch_mode())
    entries = sorted((make_entry(post) for post in posts), key=lambda e: positions[e.post.pk])
    claims = (
        Claim.objects.filter(article=article)
        .select_related("speaker")
        .prefetch_related(Prefetch("stances", queryset=public_stances()))
        .order_by("pk")
    )
    entry_by_post = {entry.post.pk: entry for entry in entries}
    claims = list(claims)
    blocks = layout(article.body, [entry.post for entry in entries], claims)
    for block in blocks:
        if block.kind == "post":
            block.post = entry_by_post[block.post.pk]
    return render(
        request,
        "debate/article_detail.html",
        {"article": article, "blocks": blocks, "entries": entries, "claims": claims},
    )
