"""Posts to annotate, in the editors' workspace: the page listing every post without a claim
(oldest first, a page at a time, in a fixed number of queries), "Annotate next", which opens
the claim form for the oldest of them, and what saving that form leads to: the claim form of
the next one. Mounted from ``ClaimAdmin.get_urls()``; the queue itself is
``debate.editing.post_queue``.

The queue is per debate when the request names one (``?debate=<slug>``): the queue page, the
claim form and "Annotate next" carry it on, so an editor walks one debate's posts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.http import urlencode

from ..editing.post_queue import next_post, remaining, remaining_by, to_annotate
from ..models import Claim, Debate, Post
from ..text import parse_id
from .base import excerpt

PAGE_SIZE = 50
EMPTY_QUEUE = "Every post has a claim: no post is left to annotate."


def queue_debate(request: HttpRequest | None) -> Debate | None:
    """The debate the request's queue is scoped to (``?debate=<slug>``), if it names one
    that exists; looked up once per request."""
    if request is None:
        return None
    if not hasattr(request, "_queue_debate"):
        slug = request.GET.get("debate", "").strip()[:100]
        request._queue_debate = Debate.objects.filter(slug=slug).first() if slug else None
    return request._queue_debate


def queue_posts(request: HttpRequest | None) -> QuerySet[Post] | None:
    """The posts these pages draw the queue from: those of the debate the request names, or
    every post (None)."""
    debate = queue_debate(request)
    return Post.objects.in_debate(debate) if debate is not None else None


def _with(url: str, debate: Debate | None, **params: object) -> str:
    pairs = {**params, **({"debate": debate.slug} if debate is not None else {})}
    return f"{url}?{urlencode(pairs)}" if pairs else url


def claim_form_url(post: Post, debate: Debate | None = None) -> str:
    """The claim form for a new claim from ``post``, with the post fixed and shown in full
    (and the queue it came from, ``debate``'s or everyone's)."""
    return _with(reverse("admin:debate_claim_add"), debate, post=post.pk)


def next_url(after: Post | None = None, debate: Debate | None = None) -> str:
    """ "Annotate next": the oldest post without a claim (after ``after``, when skipping it)."""
    params = {"after": after.pk} if after is not None else {}
    return _with(reverse("admin:debate_claim_annotate_next_post"), debate, **params)


def queue_url(debate: Debate | None = None) -> str:
    return _with(reverse("admin:debate_claim_posts_to_annotate"), debate)


def debate_choices(request: HttpRequest) -> list[tuple[Debate, int, str]]:
    """Each debate with how many of its posts wait for a claim and its queue's URL: two
    queries however many debates."""
    waiting = remaining_by("quoted_in__article__debate")
    return [
        (debate, waiting.get(debate.pk, 0), queue_url(debate))
        for debate in Debate.objects.newest_first()
    ]


def posts_to_annotate(request: HttpRequest, model_admin: ModelAdmin) -> HttpResponse:
    """The queue page: the posts without a claim, oldest first, each one click from its claim
    form. Two queries (the count and the page), however many posts wait."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    debate = queue_debate(request)
    posts = to_annotate(queue_posts(request)).select_related("speaker")
    page = Paginator(posts, PAGE_SIZE).get_page(request.GET.get("page"))
    title = f"Posts to annotate in {debate.title}" if debate else "Posts to annotate"
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.opts,
        "page": page,
        "rows": [(post, claim_form_url(post, debate)) for post in page],
        "next_url": next_url(debate=debate),
        "debate": debate,
        "debates": debate_choices(request),
        "all_url": queue_url(),
    }
    return TemplateResponse(request, "admin/debate/claim/posts_to_annotate.html", context)


def annotate_next(request: HttpRequest, model_admin: ModelAdmin) -> HttpResponse:
    """Open the claim form for the oldest post without a claim; ``?after=<id>`` skips that
    post (the next one after it, in time order, wrapping round)."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    number = parse_id(request.GET.get("after", ""))
    after = Post.objects.filter(pk=number).first() if number is not None else None
    post = next_post(queue_posts(request), after=after)
    debate = queue_debate(request)
    if post is None:
        model_admin.message_user(request, EMPTY_QUEUE, messages.SUCCESS)
        return HttpResponseRedirect(queue_url(debate))
    return HttpResponseRedirect(claim_form_url(post, debate))


def queue_context(request: HttpRequest, post: Post) -> dict:
    """What the claim form started from ``post`` says about the queue, and where it leads."""
    debate = queue_debate(request)
    return {
        "post_queue": True,
        "post_queue_debate": debate,
        "post_queue_remaining": remaining(queue_posts(request), besides=post),
        "post_queue_skip": next_url(after=post, debate=debate),
        "post_queue_url": queue_url(debate),
    }


def saved_then_next(request: HttpRequest, model_admin: ModelAdmin, claim: Claim) -> HttpResponse:
    """After "Save and annotate next post": the claim form for the next post without one."""
    saved = f"Saved the claim “{excerpt(claim.summary, 10)}”."
    model_admin.message_user(request, saved, messages.SUCCESS)
    post = next_post(queue_posts(request), after=claim.post if claim.post_id else None)
    debate = queue_debate(request)
    if post is None:
        model_admin.message_user(request, EMPTY_QUEUE, messages.SUCCESS)
        return HttpResponseRedirect(queue_url(debate))
    return HttpResponseRedirect(claim_form_url(post, debate))


def urls(model_admin: ModelAdmin) -> list[URLPattern]:
    """The queue's pages, for ``ClaimAdmin.get_urls()``: behind the admin's login, as the
    claims' add permission allows."""

    def view(function):
        return model_admin.admin_site.admin_view(lambda request: function(request, model_admin))

    return [
        path("posts-to-annotate/", view(posts_to_annotate), name="debate_claim_posts_to_annotate"),
        path(
            "posts-to-annotate/next/", view(annotate_next), name="debate_claim_annotate_next_post"
        ),
    ]
