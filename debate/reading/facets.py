"""The timeline's facets: every speaker, proposition and article, with how many posts
choosing each would give.

Four grouped counts over the posts the selection matches (each facet's own dimension left
out) and one catalogue query (a UNION of the three small tables). Both depend only on the data
and the filter state, so they are cached under the edit counter (``debate.versioning``): the
catalogue once per edit, the counts per selection. Any edit gives new keys, so counts are
never stale.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any

from django.core.cache import cache
from django.db.models import Count, DateField, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Cast

from ..models import (
    Article,
    ArticlePost,
    Claim,
    Post,
    Proposition,
    Speaker,
    Stance,
    StanceValue,
)
from ..models.selection import uses_postgres_search
from .filters import STANCE_WORDS, Filters, resolve


@dataclass
class Option:
    """One choice in a facet: what it is called, how many posts choosing it would give.

    ``obj`` is the speaker, proposition or article (an unsaved instance carrying what the
    form, the chips and the cards show), made on first use from ``make``: a large debate
    has hundreds of speakers, of which a page shows a few."""

    value: str
    label: str
    count: int
    selected: bool
    make: Callable[[], Any] | None = field(default=None, repr=False, compare=False)
    pk: int | None = None

    @cached_property
    def obj(self) -> Any:
        return self.make() if self.make is not None else None


Facets = tuple[list[Option], list[Option], list[Option], list[Option]]


# The catalogue as plain rows, cheap to cache: (pk, slug, name, handle) per speaker; (pk,
# slug, label, statement, pro_label, anti_label) per proposition; (pk, slug, title,
# published_on) per article. Each list in the order the filter form shows it.
CatalogueRows = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]


def catalogue_rows(debate: int | None = None) -> CatalogueRows:
    """Every speaker, proposition and article of ``debate`` (a pk; None: of every debate), in
    one query (a UNION of the three small tables), with just what the filter form, the chips
    and the cards show. A debate's speakers are those with a post in it or a claim in the
    prose of one of its articles."""
    # Only expressions, so that the three SELECTs list their columns in the same order.
    columns = ["c_kind", "c_pk", "c_slug", "c_label", "c_text", "c_pro", "c_anti", "c_date"]

    def rows(model: type, kind: str, label: str, statement: str, pro: str, anti: str, day):
        return (
            model.objects.order_by()
            .annotate(
                c_kind=Value(kind), c_pk=F("pk"), c_slug=F("slug"), c_label=F(label),
                c_text=F(statement), c_pro=F(pro), c_anti=F(anti), c_date=day,
            )
            .values_list(*columns)
        )  # fmt: skip

    no_date = Cast(Value(None), DateField())
    speakers = rows(Speaker, "s", "name", "handle", "name", "name", no_date)
    propositions = rows(Proposition, "p", "label", "statement", "pro_label", "anti_label", no_date)
    articles = rows(Article, "a", "title", "title", "title", "title", F("published_on"))
    if debate is not None:
        posts = Post.objects.in_debate(debate).filter(speaker=OuterRef("pk"))
        prose = Claim.objects.filter(article__debate=debate, speaker=OuterRef("pk"))
        speakers = speakers.filter(Exists(posts) | Exists(prose))
        propositions = propositions.filter(debates=debate)
        articles = articles.filter(debate=debate)
    found: CatalogueRows = ([], [], [])
    everything = speakers.union(propositions, articles, all=True).order_by()
    for kind, pk, slug, label, statement, pro, anti, published in everything:
        if kind == "s":
            found[0].append((pk, slug, label, statement))
        elif kind == "p":
            found[1].append((pk, slug, label, statement, pro, anti))
        else:
            found[2].append((pk, slug, label, published))
    found[0].sort(key=lambda s: s[2])
    found[1].sort(key=lambda p: p[2])
    found[2].sort(key=lambda a: (a[3] or datetime.date.min, a[2]), reverse=True)
    return found


def speaker_of(row: tuple[Any, ...]) -> Speaker:
    pk, slug, name, handle = row
    return Speaker(pk=pk, slug=slug, name=name, handle=handle)


def proposition_of(row: tuple[Any, ...]) -> Proposition:
    pk, slug, label, statement, pro, anti = row
    return Proposition(
        pk=pk, slug=slug, label=label, statement=statement, pro_label=pro, anti_label=anti
    )


def article_of(row: tuple[Any, ...]) -> Article:
    pk, slug, title, published = row
    return Article(pk=pk, slug=slug, title=title, published_on=published)


def _only(posts_field: str, filters: Filters, skip: str) -> Q:
    """Restrict a count to the posts the selection matches, its own dimension left out.
    Nothing to restrict when nothing else is chosen: the count then scans no subquery."""
    rest = Post.objects.matching(filters, skip=skip)
    if not rest.query.where:
        return Q()
    return Q(**{f"{posts_field}__in": rest.values("pk")})


@dataclass
class FacetCounts:
    """Per facet, the number of posts the selection would match choosing each speaker,
    stance value, proposition or article (by pk). Plain data, cheap to cache."""

    by_speaker: dict[int, int]
    by_stance: dict[str, int]
    by_proposition: dict[int, int]
    by_article: dict[int, int]


@dataclass
class FacetData:
    """What the facets are made of: the catalogue and a selection's counts."""

    catalogue: CatalogueRows
    counts: FacetCounts


def facet_counts(filters: Filters) -> FacetCounts:
    """Four queries: one grouped count per facet over the posts the selection matches, the
    facet's own dimension left out."""
    by_speaker = dict(
        Post.objects.filter(_only("pk", filters, "speaker"))
        .order_by()
        .values_list("speaker_id")
        .annotate(n=Count("pk"))
    )
    stance_rows = Stance.objects.public().filter(_only("claim__post", filters, "stance"))
    if filters.proposition:
        stance_rows = stance_rows.filter(proposition__slug=filters.proposition)
    by_stance = dict(
        stance_rows.order_by().values_list("value").annotate(n=Count("claim__post", distinct=True))
    )
    proposition_rows = Stance.objects.public().filter(_only("claim__post", filters, "proposition"))
    if filters.stance:
        proposition_rows = proposition_rows.filter(value=filters.stance)
    by_proposition = dict(
        proposition_rows.order_by()
        .values_list("proposition_id")
        .annotate(n=Count("claim__post", distinct=True))
    )
    by_article = dict(
        ArticlePost.objects.filter(_only("post", filters, "article"))
        .order_by()
        .values_list("article_id")
        .annotate(n=Count("pk"))
    )
    return FacetCounts(by_speaker, by_stance, by_proposition, by_article)


def facet_options(data: FacetData, filters: Filters) -> Facets:
    """The facets' options for ``filters`` from their data; no queries."""
    speakers, propositions, articles = data.catalogue
    counts = data.counts
    chosen = next((row for row in propositions if row[1] == filters.proposition), None)
    if chosen is not None:  # stances in the words of the chosen proposition's sides
        labelled = proposition_of(chosen)
        stance_label = labelled.label_for
    else:
        stance_label = STANCE_WORDS.__getitem__
    return (
        [Option(row[1], row[2], counts.by_speaker.get(row[0], 0), row[1] in filters.speakers,
                partial(speaker_of, row), row[0])
         for row in speakers],
        [Option(v, stance_label(v), counts.by_stance.get(v, 0), v == filters.stance)
         for v in StanceValue.values],
        [Option(row[1], row[2], counts.by_proposition.get(row[0], 0),
                row[1] == filters.proposition, partial(proposition_of, row), row[0])
         for row in propositions],
        [Option(row[1], row[2], counts.by_article.get(row[0], 0), row[1] == filters.article,
                partial(article_of, row), row[0])
         for row in articles],
    )  # fmt: skip


# Bumped when what is kept changes: the counts, or the filter form's HTML kept beside them
# (v2: speakers' colours by hue, handles beside names that read alike).
FACET_KEY_VERSION = "facets-v2"


# v2: speakers' rows carry their handles.
CATALOGUE_KEY_VERSION = "catalogue-v2"


FACET_TIMEOUT = 24 * 3600


def facet_key(filters: Filters, version: object) -> str:
    """The cache key of a selection's facets: the edit counter and every filter the counts
    depend on (not the order, nor the page: facet counts leave both out)."""
    state = (
        str(version),
        filters.debate,
        tuple(sorted(filters.speakers)),
        filters.stance,
        filters.proposition,
        filters.article,
        filters.date_from.isoformat() if filters.date_from else "",
        filters.date_to.isoformat() if filters.date_to else "",
        filters.q,
        uses_postgres_search(),  # the two searches may match different posts
    )
    digest = hashlib.blake2b(repr(state).encode(), digest_size=16).hexdigest()
    return f"{FACET_KEY_VERSION}:{digest}"


def cached_facet_data(filters: Filters, version: object) -> tuple[FacetData, Filters, str]:
    """The facets' data for a selection, from the default cache when taken since the last
    edit, with the selection resolved against the catalogue (unknown slugs dropped, with
    notices) and the cache key of its counts.

    The catalogue and each selection's counts are cached under the edit counter
    (``version``, the ``number`` of ``pagecache.current_version()``): every edit bumps it,
    so neither can be stale. Warm, one cache round trip and no queries; cold, five queries
    (the catalogue, four counts), also for a selection naming things that do not exist."""
    catalogue_key = f"{CATALOGUE_KEY_VERSION}:{version}:{filters.debate}"
    key = facet_key(filters, version)
    found = cache.get_many([catalogue_key, key])
    catalogue = found.get(catalogue_key)
    if catalogue is None:
        catalogue = catalogue_rows(filters.debate)
        cache.set(catalogue_key, catalogue, FACET_TIMEOUT)
    speakers, propositions, articles = catalogue
    resolved = resolve(
        filters,
        {row[1] for row in speakers},
        {row[1] for row in propositions},
        {row[1] for row in articles},
    )
    counts = found.get(key)
    if resolved != filters:  # counted without the names that match nothing
        key = facet_key(resolved, version)
        counts = cache.get(key)
    if counts is None:
        counts = facet_counts(resolved)
        cache.set(key, counts, FACET_TIMEOUT)
    return FacetData(catalogue, counts), resolved, key
