"""What a reader can filter the debate by, read from the query string and applied to posts.

The timeline, the feed and the exports all take the same parameters, so a URL means the same
selection everywhere:

    speaker=<slug> (repeatable)   stance=pro|anti|neutral   proposition=<slug>
    article=<slug>   from=YYYY-MM-DD   to=YYYY-MM-DD   q=<words>   order=oldest|newest|relevance

Parsing is in two steps. ``read_params`` checks formats without the database. Slugs are then
resolved against the catalogue of speakers, propositions and articles (see ``timeline.py``,
which loads it together with the facet counts). Bad values become notices for the reader and
are dropped, so the nearest sensible selection is shown instead of an error.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict

from .models import Article, ArticlePost, Claim, Post, Proposition, Speaker, Stance, StanceValue

MAX_REPEATS = 20
MAX_VALUE_LENGTH = 100
MAX_QUERY_LENGTH = 200
MAX_SEARCH_WORDS = 12
ORDERS = ("oldest", "newest", "relevance")
_WORD_RE = re.compile(r"\w+", re.UNICODE)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Filters:
    """A reader's selection. Slugs are kept as given; ``resolve`` drops unknown ones."""

    speakers: tuple[str, ...] = ()
    stance: str = ""
    proposition: str = ""
    article: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    q: str = ""
    order: str = "oldest"
    notices: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.speakers
            or self.stance
            or self.proposition
            or self.article
            or self.date_from
            or self.date_to
            or self.q
        )

    @property
    def newest_first(self) -> bool:
        return self.order == "newest"

    @property
    def by_relevance(self) -> bool:
        return self.order == "relevance" and bool(self.q)

    @property
    def search_words(self) -> list[str]:
        return _WORD_RE.findall(self.q)

    def params(self, **changes: object) -> list[tuple[str, str]]:
        """The canonical query parameters for this selection, with ``changes`` applied."""
        chosen = replace(self, **changes) if changes else self
        pairs: list[tuple[str, str]] = [("speaker", slug) for slug in chosen.speakers]
        pairs += [
            (name, value)
            for name, value in (
                ("stance", chosen.stance),
                ("proposition", chosen.proposition),
                ("article", chosen.article),
                ("from", chosen.date_from.isoformat() if chosen.date_from else ""),
                ("to", chosen.date_to.isoformat() if chosen.date_to else ""),
                ("q", chosen.q),
                ("order", "" if chosen.order == "oldest" else chosen.order),
            )
            if value
        ]
        return pairs

    def without(self, name: str, value: str = "") -> list[tuple[str, str]]:
        """Parameters with one filter removed (one speaker, when ``value`` names it)."""
        if name == "speaker":
            return self.params(speakers=tuple(s for s in self.speakers if s != value))
        attribute = {"from": "date_from", "to": "date_to"}.get(name, name)
        empty = None if attribute in ("date_from", "date_to") else ""
        return self.params(**{attribute: empty})

    def with_notices(self, notices: Iterable[str]) -> Filters:
        return replace(self, notices=self.notices + tuple(notices))


def printable(text: str) -> str:
    """Drop control characters: they name nothing, and PostgreSQL refuses NUL outright."""
    return _CONTROL_RE.sub(" ", text)


def _values(params: QueryDict, name: str) -> list[str]:
    values: list[str] = []
    for raw in params.getlist(name)[:MAX_REPEATS]:
        value = printable(raw).strip()[:MAX_VALUE_LENGTH]
        if value and value not in values:
            values.append(value)
    return values


def _single(params: QueryDict, name: str) -> str:
    values = _values(params, name)
    return values[0] if values else ""


def _date(params: QueryDict, name: str, label: str, notices: list[str]) -> datetime.date | None:
    raw = _single(params, name)
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        notices.append(f"“{raw}” is not a date; write the {label} date as YYYY-MM-DD.")
        return None


def read_params(params: QueryDict) -> Filters:
    """Read and check the filter parameters, without touching the database."""
    notices: list[str] = []
    if len(params.getlist("speaker")) > MAX_REPEATS:
        notices.append(f"Only the first {MAX_REPEATS} speakers were used.")
    stance = _single(params, "stance")
    if stance and stance not in StanceValue.values:
        notices.append(f"“{stance}” is not a stance; choose pro, anti or neutral.")
        stance = ""
    date_from = _date(params, "from", "start", notices)
    date_to = _date(params, "to", "end", notices)
    if date_from and date_to and date_from > date_to:
        notices.append("The start date was after the end date, so the two were swapped.")
        date_from, date_to = date_to, date_from
    q = " ".join(printable(params.get("q", "")).split())
    if len(q) > MAX_QUERY_LENGTH:
        notices.append(f"The search was cut to its first {MAX_QUERY_LENGTH} characters.")
        q = q[:MAX_QUERY_LENGTH]
    if len(_WORD_RE.findall(q)) > MAX_SEARCH_WORDS:
        # Each word is a condition to build and evaluate: keep a search cheap to answer.
        kept = _WORD_RE.findall(q)[:MAX_SEARCH_WORDS]
        notices.append(f"The search was cut to its first {MAX_SEARCH_WORDS} words.")
        q = " ".join(kept)
    if q and not _WORD_RE.search(q):
        notices.append("The search has no words to look for, so it was left out.")
        q = ""
    order = _single(params, "order") or "oldest"
    if order not in ORDERS:
        notices.append(f"“{order}” is not an order; showing the oldest posts first.")
        order = "oldest"
    if order == "relevance" and not q:
        order = "oldest"
    return Filters(
        speakers=tuple(_values(params, "speaker")),
        stance=stance,
        proposition=_single(params, "proposition"),
        article=_single(params, "article"),
        date_from=date_from,
        date_to=date_to,
        q=q,
        order=order,
        notices=tuple(notices),
    )


def resolve(
    filters: Filters, speakers: set[str], propositions: set[str], articles: set[str]
) -> Filters:
    """Drop slugs that name nothing, saying so, and fall back to the nearest selection."""
    notices: list[str] = []
    known = tuple(slug for slug in filters.speakers if slug in speakers)
    for slug in filters.speakers:
        if slug not in speakers:
            fallback = "the other speakers you chose" if known else "every speaker"
            notices.append(f"There is no speaker “{slug}”, so Threadline is showing {fallback}.")
    proposition, article = filters.proposition, filters.article
    if proposition and proposition not in propositions:
        notices.append(f"There is no proposition “{proposition}”; it was left out.")
        proposition = ""
    if article and article not in articles:
        notices.append(f"There is no article “{article}”; it was left out.")
        article = ""
    if not notices:
        return filters
    return replace(filters, speakers=known, proposition=proposition, article=article).with_notices(
        notices
    )


def uses_postgres_search() -> bool:
    return connection.vendor == "postgresql"


def search_posts(posts: QuerySet[Post], q: str, *, rank: bool = False) -> QuerySet[Post]:
    """Posts whose text, or whose claims' words, match the search.

    PostgreSQL: its English text search (stemming, ``websearch`` syntax, GIN indexes from
    migration 0002, ranking). Elsewhere: every word must occur, ignoring case.
    """
    if uses_postgres_search():
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        query = SearchQuery(q, config="english", search_type="websearch")
        # Two IN lists, each answered from its GIN index, rather than an OR per row, which
        # would make PostgreSQL compute every post's text vector.
        in_text = Post.objects.alias(document=SearchVector("text", config="english")).filter(
            document=query
        )
        in_claims = Claim.objects.alias(
            document=SearchVector("summary", "quote", config="english")
        ).filter(document=query, post__isnull=False)
        posts = posts.filter(Q(pk__in=in_text.values("pk")) | Q(pk__in=in_claims.values("post_id")))
        if rank:
            vector = SearchVector("text", config="english")
            posts = posts.annotate(rank=SearchRank(vector, query))
        return posts
    for word in _WORD_RE.findall(q):
        claims = Claim.objects.filter(post=OuterRef("pk")).filter(
            Q(summary__icontains=word) | Q(quote__icontains=word)
        )
        posts = posts.filter(Q(text__icontains=word) | Q(Exists(claims)))
    return posts


def stance_condition(stance: str, proposition: str) -> Q:
    """Posts with a public stance of that value (toward that proposition, if one is chosen)."""
    stances = Stance.objects.public().filter(claim__post=OuterRef("pk"))
    if stance:
        stances = stances.filter(value=stance)
    if proposition:
        stances = stances.filter(proposition__slug=proposition)
    return Q(Exists(stances))


def filter_posts(
    filters: Filters, posts: QuerySet[Post] | None = None, *, skip: str = ""
) -> QuerySet[Post]:
    """The posts a selection matches, unordered. ``skip`` leaves one dimension out, for facet
    counts ("how many would choosing this give")."""
    posts = Post.objects.all() if posts is None else posts
    if filters.speakers and skip != "speaker":
        posts = posts.filter(speaker__slug__in=filters.speakers)
    stance = "" if skip == "stance" else filters.stance
    proposition = "" if skip == "proposition" else filters.proposition
    if stance or proposition:
        posts = posts.filter(stance_condition(stance, proposition))
    if filters.article and skip != "article":
        posts = posts.filter(Exists(_quoted_in(filters.article)))
    if filters.date_from and skip != "date":
        posts = posts.filter(posted_at__gte=_start_of(filters.date_from))
    if filters.date_to and skip != "date" and filters.date_to < datetime.date.max:
        # Up to the end of that day; the last day of the calendar has no end to compute.
        posts = posts.filter(posted_at__lt=_start_of(filters.date_to + datetime.timedelta(days=1)))
    if filters.q and skip != "q":
        posts = search_posts(posts, filters.q, rank=filters.by_relevance and not skip)
    return posts


def _quoted_in(article: str) -> QuerySet[ArticlePost]:
    return ArticlePost.objects.filter(post=OuterRef("pk"), article__slug=article)


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def load_filters(params: QueryDict) -> Filters:
    """Read the parameters and resolve their slugs: for views that show no facet counts (the
    feed, the exports). At most one small query per kind of slug given."""
    filters = read_params(params)

    def known(model: type, slugs: Iterable[str]) -> set[str]:
        wanted = [slug for slug in slugs if slug]
        if not wanted:
            return set()
        return set(model.objects.filter(slug__in=wanted).values_list("slug", flat=True))

    return resolve(
        filters,
        known(Speaker, filters.speakers),
        known(Proposition, [filters.proposition]),
        known(Article, [filters.article]),
    )


def order_posts(posts: QuerySet[Post], filters: Filters) -> QuerySet[Post]:
    """Posts in the selection's order: oldest or newest first, or by search rank."""
    if filters.by_relevance and uses_postgres_search():
        return posts.order_by("-rank", "pk")
    if filters.newest_first:
        return posts.order_by("-posted_at", "-pk")
    return posts.order_by("posted_at", "pk")
