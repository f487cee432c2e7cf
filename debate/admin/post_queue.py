"""Posts to annotate, in the editors' workspace: the page listing every post without a claim
(oldest first, a page at a time, in a fixed number of queries), "Annotate next", which opens
the claim form for the oldest of them, and what saving that form leads to: the claim form of
the next one. Mounted from ``ClaimAdmin.get_urls()``; the queue itself is
``debate.editing.post_queue``."""

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

from ..editing.post_queue import next_post, remaining, to_annotate
from ..models import Claim, Post
from ..text import parse_id
from .base import excerpt

PAGE_SIZE = 50
EMPTY_QUEUE = "Every post has a claim: no post is left to annotate."


def queue_posts(request: HttpRequest) -> QuerySet[Post] | None:
    """The posts these pages draw the queue from: every post (None). The one place to scope
    it, e.g. to the debate a request names."""
    return None


def claim_form_url(post: Post) -> str:
    """The claim form for a new claim from ``post``, with the post fixed and shown in full."""
    return f"{reverse('admin:debate_claim_add')}?{urlencode({'post': post.pk})}"


def next_url(after: Post | None = None) -> str:
    """ "Annotate next": the oldest post without a claim (after ``after``, when skipping it)."""
    url = reverse("admin:debate_claim_annotate_next_post")
    return f"{url}?{urlencode({'after': after.pk})}" if after is not None else url


def queue_url() -> str:
    return reverse("admin:debate_claim_posts_to_annotate")


def posts_to_annotate(request: HttpRequest, model_admin: ModelAdmin) -> HttpResponse:
    """The queue page: the posts without a claim, oldest first, each one click from its claim
    form. Two queries (the count and the page), however many posts wait."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    posts = to_annotate(queue_posts(request)).select_related("speaker")
    page = Paginator(posts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Posts to annotate",
        "opts": model_admin.opts,
        "page": page,
        "rows": [(post, claim_form_url(post)) for post in page],
        "next_url": next_url(),
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
    if post is None:
        model_admin.message_user(request, EMPTY_QUEUE, messages.SUCCESS)
        return HttpResponseRedirect(queue_url())
    return HttpResponseRedirect(claim_form_url(post))


def queue_context(request: HttpRequest, post: Post) -> dict:
    """What the claim form started from ``post`` says about the queue, and where it leads."""
    return {
        "post_queue": True,
        "post_queue_remaining": remaining(queue_posts(request), besides=post),
        "post_queue_skip": next_url(after=post),
        "post_queue_url": queue_url(),
    }


def saved_then_next(request: HttpRequest, model_admin: ModelAdmin, claim: Claim) -> HttpResponse:
    """After "Save and annotate next post": the claim form for the next post without one."""
    saved = f"Saved the claim “{excerpt(claim.summary, 10)}”."
    model_admin.message_user(request, saved, messages.SUCCESS)
    post = next_post(queue_posts(request), after=claim.post if claim.post_id else None)
    if post is None:
        model_admin.message_user(request, EMPTY_QUEUE, messages.SUCCESS)
        return HttpResponseRedirect(queue_url())
    return HttpResponseRedirect(claim_form_url(post))


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
