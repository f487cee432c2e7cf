"""Atom feed of the timeline: the newest matching posts, with their stances in words.

It takes the timeline's filter parameters (``debate.filters``), so a reader can follow one
speaker, one side or one search. The feed always runs newest first: that is what a feed
reader expects, whatever ``order`` says. Costs a fixed handful of queries: the filters' slugs,
their names for the title, then the posts with their claims and public stances.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from .filters import Filters, filter_posts, load_filters, order_posts
from .models import Article, Claim, Post, Proposition, Speaker, StanceValue
from .timeline import public_stances

FEED_SIZE = 50
# XML 1.0 cannot carry these; a verbatim post could, so they are dropped from the feed only.
_XML_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SIDES = {
    StanceValue.PRO: "for a proposition",
    StanceValue.ANTI: "against a proposition",
    StanceValue.NEUTRAL: "neutral on a proposition",
}


def xml_text(text: str) -> str:
    return _XML_CONTROL_RE.sub("", text)


def day(moment) -> str:
    """ "2 Mar 2024", without a leading zero on any platform."""
    return f"{moment.day} {moment:%b %Y}"


def join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def describe(filters: Filters) -> str:
    """The selection in words, for the feed's title: "posts by Vinod Khosla, …"."""
    if not filters.is_filtered:
        return "the open-source AI debate"
    parts: list[str] = []
    if filters.speakers:
        names = dict(Speaker.objects.filter(slug__in=filters.speakers).values_list("slug", "name"))
        parts.append(f"by {join_names([names.get(slug, slug) for slug in filters.speakers])}")
    proposition = (
        Proposition.objects.filter(slug=filters.proposition).first()
        if filters.proposition
        else None
    )
    if proposition and filters.stance:
        parts.append(f"marked {proposition.label_for(filters.stance)}")
    elif proposition:
        parts.append(f"with a stance on “{proposition.statement}”")
    elif filters.stance:
        parts.append(_SIDES[filters.stance])
    if filters.article:
        title = Article.objects.filter(slug=filters.article).values_list("title", flat=True)
        parts.append(f"quoted in “{title.first() or filters.article}”")
    if filters.date_from and filters.date_from == filters.date_to:
        parts.append(f"on {day(filters.date_from)}")
    else:
        if filters.date_from:
            parts.append(f"from {day(filters.date_from)}")
        if filters.date_to:
            parts.append(f"until {day(filters.date_to)}")
    if filters.q:
        parts.append(f"matching “{filters.q}”")
    return "posts " + ", ".join(parts)


def feed_posts(filters: Filters) -> QuerySet[Post]:
    newest = replace(filters, order="newest")
    posts = order_posts(filter_posts(newest), newest)
    return posts.select_related("speaker", "in_reply_to").prefetch_related(
        Prefetch(
            "claims",
            queryset=Claim.objects.order_by("pk").prefetch_related(
                Prefetch("stances", queryset=public_stances())
            ),
        )
    )[:FEED_SIZE]


def entry_title(post: Post) -> str:
    return f"{post.speaker.name} (@{post.handle_shown}), {day(post.posted_on)}"


def entry_html(post: Post, absolute: Callable[[str], str]) -> SafeString:
    """The post's text (escaped, links kept) and, below it, each public stance in words."""
    # text_html is the post escaped and sanitized (debate.text.render_post_text); feed readers
    # do not apply our pre-line CSS, so its line breaks become <br>.
    text = mark_safe(post.text_html.replace("\n", "<br>\n"))  # noqa: S308
    html = format_html("<p>{}</p>", text)
    if post.in_reply_to_id:
        parent = post.in_reply_to
        html += format_html(
            '<p>Replying to <a href="{}">@{}</a> ({})</p>',
            absolute(parent.get_absolute_url()),
            parent.handle_shown,
            post.get_reply_basis_display(),
        )
    stances = [stance for claim in post.claims.all() for stance in claim.stances.all()]
    if stances:
        items = format_html_join(
            "\n",
            "<li><strong>{}</strong>: {} <em>(on “{}”)</em></li>",
            ((s.label, s.rationale, s.proposition.statement) for s in stances),
        )
        html += format_html('<ul class="stances">\n{}\n</ul>', items)
    return html


def build_feed(request: HttpRequest, filters: Filters) -> Atom1Feed:
    query = urlencode(filters.params(order="oldest"))
    suffix = f"?{query}" if query else ""
    feed_url = request.build_absolute_uri(f"{request.path}{suffix}")
    about = "Posts from the open-source AI debate, newest first, with their stances."
    subtitle = " ".join([about, *filters.notices])
    feed = Atom1Feed(
        title=xml_text(f"Threadline: {describe(filters)}"),
        link=request.build_absolute_uri(f"/{suffix}"),
        description=xml_text(subtitle),
        subtitle=xml_text(subtitle),
        feed_url=feed_url,
        feed_guid=feed_url,
        language="en",
    )
    for post in feed_posts(filters):
        url = request.build_absolute_uri(post.get_absolute_url())
        labels = dict.fromkeys(
            stance.label for claim in post.claims.all() for stance in claim.stances.all()
        )
        feed.add_item(
            title=xml_text(entry_title(post)),
            link=url,
            unique_id=url,
            description=xml_text(entry_html(post, request.build_absolute_uri)),
            author_name=xml_text(post.speaker.name),
            author_link=post.speaker.profile_url or None,
            pubdate=post.posted_at,
            updateddate=post.posted_at,
            categories=[xml_text(label) for label in labels],
        )
    return feed


@require_safe
def timeline_feed(request: HttpRequest) -> HttpResponse:
    """The newest matching posts (at most 50) as an Atom feed."""
    feed = build_feed(request, load_filters(request.GET))
    response = HttpResponse(content_type=feed.content_type)
    feed.write(response, "utf-8")
    return response
