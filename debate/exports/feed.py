"""Atom feed of the timeline: the newest matching posts, with their stances in words.

It takes the timeline's filter parameters (``debate.reading.filters``), so a reader can follow one
speaker, one side or one search. The feed always runs newest first: that is what a feed
reader expects, whatever ``order`` says. Costs a fixed handful of queries: the filters' slugs,
their names for the title, then the posts with their claims and public stances.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from ..models import Article, Claim, Debate, Post, Proposition, Speaker
from ..reading.cards import public_stances
from ..reading.filters import Filters, Names, describe

FEED_SIZE = 50
# XML 1.0 cannot carry these: every character outside its Char production (controls but tab and
# line breaks, lone surrogates, U+FFFE and U+FFFF). A verbatim post could; they are dropped from
# the feed only.
_XML_CONTROL_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    return _XML_CONTROL_RE.sub("", text)


def day(moment) -> str:
    """ "2 Mar 2024", without a leading zero on any platform."""
    return f"{moment.day} {moment:%b %Y}"


def selection_names(filters: Filters) -> Names:
    """What the selection's slugs are called, for its title: at most three small queries."""
    names = Names()
    if filters.speakers:
        speakers = Speaker.objects.filter(slug__in=filters.speakers).values_list("slug", "name")
        names.speakers = dict(speakers)
    if filters.proposition:
        names.proposition = Proposition.objects.filter(slug=filters.proposition).first()
    if filters.article:
        title = Article.objects.filter(slug=filters.article).values_list("title", flat=True)
        names.article = title.first() or ""
    return names


def describe_feed(debate: Debate, filters: Filters) -> str:
    """The feed's title: the debate, and the selection in words
    (``debate.reading.filters.describe``)."""
    if not filters.is_filtered:
        return debate.title
    return f"{describe(filters, selection_names(filters))} ({debate.title})"


def feed_posts(filters: Filters) -> QuerySet[Post]:
    newest = replace(filters, order="newest")
    posts = Post.objects.matching(newest).in_order(newest)
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


def build_feed(request: HttpRequest, debate: Debate, filters: Filters) -> Atom1Feed:
    query = urlencode(filters.params(order="oldest"))
    suffix = f"?{query}" if query else ""
    feed_url = request.build_absolute_uri(f"{request.path}{suffix}")
    about = f"Posts from {debate.title}, newest first, with their stances."
    subtitle = " ".join([about, *filters.notices])
    feed = Atom1Feed(
        title=xml_text(f"Threadline: {describe_feed(debate, filters)}"),
        link=request.build_absolute_uri(f"{debate.get_absolute_url()}{suffix}"),
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
