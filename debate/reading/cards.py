"""Timeline cards: what each shows (``Entry``), loading it in a fixed number of queries, and
rendering it once.

A page's posts come with the posts they answer (shown as context) and the posts they quote in
the same query; their claims, public stances and the articles quoting them follow in three
more (``card_prefetches``), whatever the number of posts. A whole conversation loads in one
query (``thread_around``), however deep it runs.

Cards are rendered once and reused: Django's template engine is a page's slowest part. A
card's cache key is a digest of everything the card shows (the post, its speaker, the post it
answers or quotes, its claims, their public stances and annotators, the articles quoting it,
and how it is shown), so an edit to any of them gives a new key: never a stale card, and no
invalidation to forget. The data for the keys is loaded anyway to build the page.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db.models import (
    FETCH_ONE,
    FETCH_PEERS,
    FETCH_RAISE,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.db.models.fetch_modes import FetchMode
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from ..models import ArticlePost, Claim, Post, Speaker, Stance, display_name
from .agreed import AgreedStance, agreed_stances
from .threads import ThreadItem, assemble

CARD_TEMPLATE = "debate/entry_card.html"
CARD_TIMEOUT = 7 * 24 * 3600
# Bumped when the card's template changes what it shows (v2: badges name their proposition,
# "Not yet annotated", colours by hue): cards of the old template are never read back.
KEY_VERSION = "card-v2"
SpeakerLookup = Callable[[int], Speaker | None]


@dataclass
class Entry:
    """Everything one timeline card shows, so the card renders without touching the database."""

    post: Post
    claims: list[Claim]
    stances: list[Stance]
    sources: list[ArticlePost]
    is_context: bool = False
    is_focus: bool = False
    # The post's HTML with search hits marked, when a search is on.
    highlighted_html: str = ""
    # Each claim with what its annotators agree on, per proposition.
    claim_views: list[tuple[Claim, list[AgreedStance]]] = field(default_factory=list)
    # Each claim with its public stances.
    claim_stances: list[tuple[Claim, list[Stance]]] = field(default_factory=list)
    # The card's HTML when it came from (or went into) the card cache; see cards.py.
    html: str = ""

    @property
    def annotated(self) -> bool:
        """Whether the post has a public stance. Without one (no claims, or only drafts) the
        card says "Not yet annotated", which a neutral stance never does."""
        return bool(self.stances)

    @property
    def badges(self) -> list[AgreedStance]:
        """One badge per proposition and agreed stance across the post's claims."""
        seen: dict[tuple[int, str | None], AgreedStance] = {}
        for _, agreed_list in self.claim_views:
            for agreed in agreed_list:
                key = (agreed.proposition.pk, agreed.value)
                if key not in seen or (agreed.disputed and not seen[key].disputed):
                    seen[key] = agreed
        return list(seen.values())

    @property
    def pk(self) -> int:
        return self.post.pk

    @property
    def in_reply_to_id(self) -> int | None:
        return self.post.in_reply_to_id


FETCH_MODES: dict[str, FetchMode] = {"one": FETCH_ONE, "peers": FETCH_PEERS, "raise": FETCH_RAISE}


def card_fetch_mode() -> FetchMode:
    """How the querysets feeding cards treat a relation nobody loaded (``fetch_mode()``).

    ``settings.THREADLINE_FETCH_MODE``: "peers" (the default) loads a missed relation for
    every post of the same query at once, so a slip costs one query per batch, not one per
    card; "raise" (tests) makes it an error; "one" is Django's default. A ``FetchMode``
    (``django.db.models.FETCH_RAISE``...) is accepted too.
    """
    mode = getattr(settings, "THREADLINE_FETCH_MODE", "peers")
    if isinstance(mode, FetchMode):
        return mode
    try:
        return FETCH_MODES[str(mode).lower()]
    except KeyError:
        raise ImproperlyConfigured(
            f"THREADLINE_FETCH_MODE is {mode!r}; use one of {', '.join(FETCH_MODES)}."
        ) from None


def public_stances() -> QuerySet[Stance]:
    return (
        Stance.objects.public()
        .select_related("proposition", "annotator")
        .order_by("proposition__label", "pk")
        .fetch_mode(card_fetch_mode())
    )


def card_prefetches(*, as_lists: bool = False) -> list[Prefetch]:
    """A post's claims with their public stances, and the articles quoting it.

    ``as_lists`` stores them as plain lists (``card_claims``, ``card_stances``,
    ``card_sources``) instead of in the related managers' caches: Django then skips
    building a queryset per post and per claim, a good part of a cached page's cost.
    ``make_entry`` reads either."""
    mode = card_fetch_mode()
    stances = Prefetch(
        "stances", queryset=public_stances(), to_attr="card_stances" if as_lists else None
    )
    return [
        Prefetch(
            "claims",
            queryset=Claim.objects.order_by("pk").fetch_mode(mode).prefetch_related(stances),
            to_attr="card_claims" if as_lists else None,
        ),
        Prefetch(
            "quoted_in",
            queryset=ArticlePost.objects.select_related("article__debate")
            .order_by("pk")
            .fetch_mode(mode),
            to_attr="card_sources" if as_lists else None,
        ),
    ]


CARD_RELATED = ("speaker", "in_reply_to__speaker", "quotes__speaker")
# A page's posts bring the posts they answer (shown as context) in the same query, with
# what those posts' own cards need.


# A page's posts bring the posts they answer (shown as context) in the same query, with
# what those posts' own cards need.
CONTEXT_RELATED = (
    *CARD_RELATED,
    "in_reply_to__in_reply_to__speaker",
    "in_reply_to__quotes__speaker",
)
# The same for the timeline, without speakers: they come from the (cached) catalogue, by
# ``attach_speakers``. Five joined speakers made PostgreSQL spend far longer planning the
# page's query (more tables than join_collapse_limit) than running it.


# The same for the timeline, without speakers: they come from the (cached) catalogue, by
# ``attach_speakers``. Five joined speakers made PostgreSQL spend far longer planning the
# page's query (more tables than join_collapse_limit) than running it.
TIMELINE_RELATED = ("quotes", "in_reply_to__in_reply_to", "in_reply_to__quotes")


def attach_speakers(posts: Iterable[Post], speaker_for: SpeakerLookup) -> None:
    """Give each post, and the posts it answers or quotes (as loaded by
    ``TIMELINE_RELATED``), its speaker from ``speaker_for`` (the facets' catalogue) rather
    than a join. A speaker missing there (added since the catalogue was read) is loaded: all
    such speakers in one query."""
    cache_speaker = Post._meta.get_field("speaker").set_cached_value
    links = [Post._meta.get_field(name) for name in ("in_reply_to", "quotes")]
    found: dict[int, Post] = {}
    stack = list(posts)
    while stack:
        post = stack.pop()
        if id(post) in found:
            continue
        found[id(post)] = post
        for link in links:  # select_related caches None for a post answering none
            if link.is_cached(post) and (other := link.get_cached_value(post)) is not None:
                stack.append(other)
    by_pk: dict[int, Speaker] = {}
    missing = set()
    for post in found.values():
        speaker = speaker_for(post.speaker_id)
        if speaker is not None:
            by_pk[post.speaker_id] = speaker
        else:
            missing.add(post.speaker_id)
    if missing:
        by_pk |= Speaker.objects.in_bulk(missing)
    for post in found.values():
        cache_speaker(post, by_pk[post.speaker_id])


def entries_with_context(page: list[Post], speakers: SpeakerLookup | None = None) -> list[Entry]:
    """Entries for a page of posts fetched with ``CONTEXT_RELATED``, plus the posts they
    answer that are not on the page, marked as context. Three queries, for the cards'
    claims, stances and sources: the context posts came with the page's own query.

    With ``speakers`` (a speaker by pk, from the facets' catalogue), the page was fetched with
    ``TIMELINE_RELATED`` instead and its posts get their speakers from there
    (``attach_speakers``)."""
    on_page = {post.pk for post in page}
    context = {
        post.in_reply_to_id: post.in_reply_to
        for post in page
        if post.in_reply_to_id and post.in_reply_to_id not in on_page
    }
    shown = page + list(context.values())
    if speakers is not None:
        attach_speakers(shown, speakers)
    prefetch_related_objects(shown, *card_prefetches(as_lists=True))
    return [make_entry(post, is_context=post.pk in context) for post in shown]


def posts_for_cards(posts: QuerySet[Post]) -> QuerySet[Post]:
    """Posts with everything their cards show, in a fixed number of queries.

    The prefetches use ``card_fetch_mode()``; the posts themselves keep Django's default,
    because the exports stream them in chunks, where FETCH_PEERS would keep a reference to
    every post of the export. Pages add ``.fetch_mode(card_fetch_mode())`` themselves."""
    return posts.select_related(*CARD_RELATED).prefetch_related(*card_prefetches())


def make_entry(post: Post, *, is_context: bool = False, is_focus: bool = False) -> Entry:
    """The entry for a post with its ``card_prefetches`` (as lists or not)."""
    claims = _prefetched(post, "card_claims", "claims")
    claim_stances = [(claim, _prefetched(claim, "card_stances", "stances")) for claim in claims]
    return Entry(
        post=post,
        claims=claims,
        stances=[stance for _, stances in claim_stances for stance in stances],
        sources=_prefetched(post, "card_sources", "quoted_in"),
        is_context=is_context,
        is_focus=is_focus,
        claim_views=[(claim, agreed_stances(stances)) for claim, stances in claim_stances],
        claim_stances=claim_stances,
    )


def _prefetched(instance: Any, as_list: str, manager: str) -> list[Any]:
    found = instance.__dict__.get(as_list)
    return found if found is not None else list(getattr(instance, manager).all())


def thread_sort_key(entry: Entry) -> tuple[datetime.datetime, int]:
    return (entry.post.posted_at, entry.post.pk)


def assemble_entries(entries: Iterable[Entry]) -> list[ThreadItem[Entry]]:
    return assemble(entries, sort_key=thread_sort_key)


def thread_around(pk: int) -> list[ThreadItem[Entry]]:
    """The whole conversation post ``pk`` belongs to, with that post marked as the focus.
    Empty when there is no such post. One query for the thread, whatever its depth."""
    root = Post.objects.filter(pk=pk).values("thread_root_id")[:1]
    thread = Post.objects.filter(Q(thread_root=root) | Q(pk=pk))
    posts = posts_for_cards(thread).fetch_mode(card_fetch_mode())
    entries = [make_entry(p, is_focus=p.pk == pk) for p in posts]
    render_cards(entries)
    return assemble_entries(entries)


def _post_fields(post: Post) -> tuple[object, ...]:
    return (
        post.pk, post.text_html, post.handle_shown, post.display_name_shown, post.posted_at,
        post.time_known, post.permalink_url, post.reply_basis, post.quote_basis,
        post.speaker.slug, post.speaker.name, post.speaker.initials,
    )  # fmt: skip


def card_key(entry: Entry) -> str:
    """A digest of every value the card shows: any change, however it was written (even by
    a bulk ``update()``, which leaves ``updated_at`` alone), gives a new key."""
    post = entry.post
    parts: list[object] = [
        _post_fields(post), entry.is_context, entry.is_focus, entry.highlighted_html
    ]  # fmt: skip
    for related in (post.in_reply_to, post.quotes):
        parts.append((related.pk, related.handle_shown, related.text) if related else None)
    for claim, stances in entry.claim_stances:
        parts.append((claim.pk, claim.summary))
        for stance in stances:
            parts.append(
                (
                    stance.pk, stance.value, stance.review_state, stance.rationale_html,
                    stance.evidence, stance.annotated_at, stance.proposition_id,
                    stance.proposition.label, stance.proposition.statement,
                    stance.proposition.pro_label, stance.proposition.anti_label,
                    display_name(stance.annotator),
                )
            )  # fmt: skip
    parts += [(s.position, s.article.slug, s.article.title) for s in entry.sources]
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"{KEY_VERSION}:{post.pk}:{digest}"


def render_cards(entries: Iterable[Entry]) -> None:
    """Give each entry its card's HTML (``entry.html``): from the cache in one round trip,
    rendering and storing only those missing. A card with search hits marked is keyed by
    them too, so a repeated search reuses its cards."""
    by_key = {card_key(e): e for e in entries}
    if not by_key:
        return
    found = cache.get_many(list(by_key))
    missing: dict[str, str] = {}
    for key, entry in by_key.items():
        html = found.get(key)
        if html is None:
            html = missing[key] = render_to_string(CARD_TEMPLATE, {"entry": entry})
        entry.html = mark_safe(html)  # noqa: S308  (our own rendered, escaped template)
    if missing:
        cache.set_many(missing, timeout=CARD_TIMEOUT)
