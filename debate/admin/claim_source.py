"""The claim form's source: the post a claim comes from, in full and in its conversation, or
the article's prose, shown read-only for the editor to select the quote (and a stance's
evidence) from; and the claim's form, whose source is fixed when the page names it.

A claim started from a post (``?post=<id>``, as "Posts to annotate" opens it) quotes that
post: the form offers no other post and takes the speaker from it. ``?article=<id>`` fixes an
article the same way (the speaker is still chosen). Whatever the form shows, the model's own
check (``Claim.clean``, with the one quote matcher) decides whether the quote is in the source.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..models import Article, Claim, Post
from ..text import locate_quote, parse_id
from .post_queue import queue_url

# The conversation beside the post: this many of the posts it answers (the nearest), and of
# the replies below it (the oldest), whatever the thread's size.
THREAD_BEFORE = 10
THREAD_AFTER = 30


@dataclass(frozen=True)
class FixedSource:
    """The source a new claim's page names; nothing when it names none (or none that exists)."""

    post: Post | None = None
    article: Article | None = None

    def __bool__(self) -> bool:
        return self.post is not None or self.article is not None


def fixed_source(request: HttpRequest) -> FixedSource:
    """The post (``?post=``) or article (``?article=``) a new claim's page is for, read once
    per request: the form, its fieldsets and the page all ask."""
    cached = getattr(request, "_claim_source", None)
    if cached is not None:
        return cached
    source = FixedSource()
    post_id = parse_id(request.GET.get("post", ""))
    article_id = parse_id(request.GET.get("article", ""))
    if post_id is not None:
        post = Post.objects.select_related("speaker").filter(pk=post_id).first()
        source = FixedSource(post=post) if post is not None else source
    elif article_id is not None:
        source = FixedSource(article=Article.objects.filter(pk=article_id).first())
    request._claim_source = source
    return source


@dataclass(frozen=True)
class ThreadEntry:
    post: Post
    answers: Post | None  # the post it replies to, when shown or this one
    current: bool = False


@dataclass(frozen=True)
class Conversation:
    entries: list[ThreadEntry]
    earlier: int  # posts it answers, further up, not shown
    later: int  # replies below it not shown


def conversation(post: Post) -> Conversation:
    """The posts ``post`` answers (oldest first), the post, then the replies below it, at
    any depth (oldest first): two queries, whatever the size of the thread."""
    rows = Post.objects.filter(thread_root_id=post.thread_root_id or post.pk).values_list(
        "pk", "in_reply_to_id", "posted_at"
    )
    parent = {pk: reply_to for pk, reply_to, _ in rows}
    order = {pk: (posted_at, pk) for pk, _, posted_at in rows}
    parent[post.pk] = post.in_reply_to_id
    order[post.pk] = (post.posted_at, post.pk)
    above: list[int] = []
    seen = {post.pk}
    current = parent[post.pk]
    while current is not None and current in parent and current not in seen:
        above.append(current)
        seen.add(current)
        current = parent[current]
    children: dict[int, list[int]] = defaultdict(list)
    for pk, reply_to in parent.items():
        if reply_to is not None:
            children[reply_to].append(pk)
    below: list[int] = []
    frontier = [post.pk]
    while frontier:
        level, frontier = frontier, []
        for pk in level:
            for child in children[pk]:
                if child not in seen:
                    seen.add(child)
                    below.append(child)
                    frontier.append(child)
    below.sort(key=order.__getitem__)
    shown_above, shown_below = above[:THREAD_BEFORE], below[:THREAD_AFTER]
    loaded = Post.objects.select_related("speaker").in_bulk([*shown_above, *shown_below])
    loaded[post.pk] = post
    entries = [
        ThreadEntry(loaded[pk], loaded.get(parent[pk]), current=pk == post.pk)
        for pk in [*reversed(shown_above), post.pk, *shown_below]
        if pk in loaded
    ]
    return Conversation(entries, len(above) - len(shown_above), len(below) - len(shown_below))


def marked(text: str, quote: str) -> SafeString:
    """The source text, escaped, with the claim's current quote marked where it occurs."""
    found = locate_quote(quote, text) if quote else None
    if found is None:
        return format_html("{}", text)
    start, end = found
    return format_html("{}<mark>{}</mark>{}", text[:start], text[start:end], text[end:])


def source_html(claim: Claim) -> str:
    """The claim's source, read-only: the post in its conversation, or the article's prose."""
    if claim.post_id:
        post = claim.post
        others = Claim.objects.filter(post=post).exclude(pk=claim.pk).order_by("pk")
        return render_to_string(
            "admin/debate/claim/source.html",
            {
                "conversation": conversation(post),
                "text": marked(post.text, claim.quote),
                "other_claims": list(others.only("pk", "summary")),
            },
        )
    if claim.article_id:
        return render_to_string(
            "admin/debate/claim/source.html",
            {"article": claim.article, "text": marked(claim.article.body, claim.quote)},
        )
    return ""


def claim_fieldsets(request: HttpRequest, claim: Claim | None) -> list:
    """The claim form's layout: the source in full above the words, and a choice of source
    only where the page names none.

    A new claim from a post (``?post=``) quotes that post and no other, by its speaker; one
    from an article (``?article=``) quotes it, the speaker chosen. An existing claim shows its
    source and keeps the choice of speaker and source folded away, to move it."""
    words = ["summary", "quote"]
    if claim is not None:
        move = "Change these only to move the claim: its quote must occur in the new source."
        folded = {"classes": ["collapse"], "fields": ["speaker", "post", "article"]}
        return [
            (None, {"fields": ["source", *words]}),
            ("Speaker and source", {**folded, "description": move}),
        ]
    source = fixed_source(request)
    if source.post is not None:
        return [(None, {"fields": ["source", *words]})]
    if source.article is not None:
        return [(None, {"fields": ["source", "speaker", *words]})]
    start = format_html(
        'To see a post in full while you choose its words, start from <a href="{}">Posts to '
        "annotate</a>.",
        queue_url(),
    )
    fields = ["speaker", "summary", "post", "article", "quote"]
    return [(None, {"fields": fields, "description": start})]


QUOTE_HELP = {
    "post": "The post's own words, exactly as written: select them in the post above to "
    "copy them here, or type them. Checked against the post when you save.",
    "article": "The article's own words, exactly as written: select them in its text above "
    "to copy them here, or type them. Checked against the article when you save.",
}


class ClaimForm(forms.ModelForm):
    """A claim's form. ``fixed`` (set per request by the admin) is the source the page names:
    the new claim quotes it, whatever the request sends."""

    fixed: FixedSource = FixedSource()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        claim, fixed = self.instance, self.fixed
        if claim.pk is None and fixed.post is not None:
            claim.post, claim.article, claim.speaker = fixed.post, None, fixed.post.speaker
        elif claim.pk is None and fixed.article is not None:
            claim.post, claim.article = None, fixed.article
        quote = self.fields.get("quote")
        if quote is not None:
            quote.widget.attrs["data-quote-target"] = "quote"
            if claim.post_id or claim.article_id:
                quote.help_text = QUOTE_HELP["post" if claim.post_id else "article"]

    def _update_errors(self, errors) -> None:
        # The model names its fields in its errors; one the form does not show (the fixed
        # post, the speaker taken from it) is said above the form instead of failing.
        if hasattr(errors, "error_dict"):
            hidden = [name for name in errors.error_dict if name != NON_FIELD_ERRORS]
            for name in [name for name in hidden if name not in self.fields]:
                errors.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(
                    errors.error_dict.pop(name)
                )
        super()._update_errors(errors)
