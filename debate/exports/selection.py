"""What every export starts from: the reader's selection, read in chunks, and shared formats.

Every export takes the timeline's filter parameters (``debate.reading.filters``), so a URL
means the same selection everywhere, and bad values become notices rather than errors. Only
public stances (published or reviewed) ever leave the site. Ids are stable and match the
reader's permalinks: a post is ``/posts/<id>/``, a stance is ``#stance-<id>`` on its source's
page.

Posts are read in chunks (``iterator(chunk_size)`` with prefetching): memory stays bounded
and each chunk costs the same few queries however large the debate grows.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import QueryDict

from ..models import Claim, Debate, Post, Stance
from ..reading.cards import posts_for_cards, public_stances
from ..reading.filters import Filters, load_filters

CHUNK_SIZE = 200
Absolute = Callable[[str], str]


@dataclass(frozen=True)
class Selection:
    debate: Debate
    filters: Filters
    posts: QuerySet[Post]
    absolute: Absolute

    def stance_matches(self, stance: Stance) -> bool:
        """Whether a stance passes the stance and proposition filters (stance exports)."""
        if self.filters.stance and stance.value != self.filters.stance:
            return False
        return not self.filters.proposition or stance.proposition.slug == self.filters.proposition

    def stances_of(self, claim: Claim) -> list[Stance]:
        """The claim's public stances (already prefetched) that the filters keep."""
        return [stance for stance in claim.stances.all() if self.stance_matches(stance)]


def select(debate: Debate, params: QueryDict, absolute: Absolute) -> Selection:
    """The posts of ``debate`` the filters in ``params`` match, in their order, with
    everything to show; ``absolute`` makes a path an absolute URL."""
    filters = load_filters(params, debate.pk)
    posts = posts_for_cards(Post.objects.matching(filters).in_order(filters))
    return Selection(debate, filters, posts, absolute)


def in_chunks(posts: QuerySet[Post]) -> Iterator[Post]:
    # Prefetching runs once per chunk: queries grow with chunks, never with posts per chunk.
    return posts.iterator(chunk_size=CHUNK_SIZE)


def prose_claims(filters: Filters) -> Iterator[Claim]:
    """Claims from articles' prose that the selection covers, with their public stances, in
    chunks."""
    claims = (
        Claim.objects.matching(filters)
        .select_related("speaker", "article")
        .prefetch_related(Prefetch("stances", queryset=public_stances()))
        .order_by("article_id", "pk")
    )
    return claims.iterator(chunk_size=CHUNK_SIZE)


def iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def posted_iso(post: Post) -> str:
    """When a post was posted: a full timestamp, or only the date when the time is unknown."""
    return iso(post.posted_at) if post.time_known else post.posted_on.isoformat()


def filter_params(filters: Filters) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, value in filters.params():
        if name == "speaker":
            params.setdefault("speaker", []).append(value)
        else:
            params[name] = value
    return params


def stance_fragment(stance: Stance) -> str:
    return f"#stance-{stance.pk}"


def claim_page(claim: Claim) -> str:
    """The reader's page for a claim's source: the post's permalink, or the article."""
    return claim.post.get_absolute_url() if claim.post_id else claim.article.get_absolute_url()


def dumps(value: Any) -> str:
    """Compact JSON, non-ASCII kept as it is."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
