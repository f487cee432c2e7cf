"""Timeline cards rendered once and reused: Django's template engine is a page's slowest part.

A card's cache key is a digest of everything the card shows (the post, its speaker, the post
it answers or quotes, its claims, their public stances and annotators, the articles quoting
it, and how it is shown), so an edit to any of them gives a new key: never a stale card, and
no invalidation to forget. The data for the keys is loaded anyway to build the page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

if TYPE_CHECKING:
    from .models import Post
    from .timeline import Entry

CARD_TEMPLATE = "debate/timeline.html#entry_card"
CARD_TIMEOUT = 7 * 24 * 3600
KEY_VERSION = "card-v1"


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
                    stance.annotator.get_username(), stance.annotator.get_full_name(),
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
