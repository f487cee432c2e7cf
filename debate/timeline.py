"""The reader's timeline: one page of the posts a selection matches, in threads, with facets.

A page costs the same handful of queries whatever the size of the debate: the facets (the
catalogue of speakers, propositions and articles, and four grouped counts: how many posts
choosing each would give), one keyset-paginated page of the posts to show (plus the posts
they answer, as context, in the same query), and those posts' claims, stances and sources.

The facets depend only on the data and the filter state, so they are cached under the site's
edit counter (``pagecache.current_version``): the catalogue once per edit, the counts and the
filter form's HTML per selection. A later page of the same selection, its htmx fragment, or
the same selection in another order or with the page cache off costs no facet queries, and
any edit gives new keys, so counts are never stale. The cards' speakers come from the
catalogue too, rather than from joins in the page's query (``attach_speakers``), which keeps
PostgreSQL's planning of that query cheap.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db.models import (
    FETCH_ONE,
    FETCH_PEERS,
    FETCH_RAISE,
    Count,
    DateField,
    F,
    Prefetch,
    Q,
    QuerySet,
    Value,
    prefetch_related_objects,
)
from django.db.models.fetch_modes import FetchMode
from django.db.models.functions import Cast
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.dateformat import format as format_date
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from .cards import render_cards
from .filters import Filters, filter_posts, read_params, resolve, uses_postgres_search
from .models import (
    Article,
    ArticlePost,
    Claim,
    Post,
    Proposition,
    Speaker,
    Stance,
    StanceValue,
)
from .pagecache import current_version
from .stances import AgreedStance, agreed_stances
from .text import highlight
from .threads import ThreadItem, assemble

PAGE_SIZE = 50
FACET_FORM_TEMPLATE = "debate/timeline.html#facet_form"
SPEAKER_CHOICES = 15
MAX_CURSOR_LENGTH = 100
# Marks ts_headline puts around matched words; control characters never occur in posts.
HIT_START, HIT_END = "\x02", "\x03"


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


@dataclass
class Chip:
    label: str
    remove_url: str


@dataclass
class Timeline:
    filters: Filters
    speakers: list[Option]
    stances: list[Option]
    propositions: list[Option]
    articles: list[Option]
    items: list[ThreadItem[Entry]]
    total: int
    next_url: str | None = None
    after: str | None = None
    notices: list[str] = field(default_factory=list)
    # The cache key of these facets (``facet_key``): the filter form's HTML is kept with it.
    facet_key: str = ""

    @cached_property
    def facet_fields_html(self) -> str:
        """The filter form's choices and counts, rendered once per selection and edit: they
        depend on nothing else, and a large debate lists many speakers and articles."""
        html = cache.get(f"{self.facet_key}:form") if self.facet_key else None
        if html is None:
            html = render_to_string(FACET_FORM_TEMPLATE, {"timeline": self})
            if self.facet_key:
                cache.set(f"{self.facet_key}:form", html, FACET_TIMEOUT)
        return mark_safe(html)  # noqa: S308  (our own rendered, escaped template)

    @property
    def is_filtered(self) -> bool:
        return self.filters.is_filtered

    @property
    def speaker_choices(self) -> list[Option]:
        """The speakers the form lists: all of a small debate; in a large one the most
        frequent in this selection, plus any already chosen."""
        if len(self.speakers) <= SPEAKER_CHOICES:
            return self.speakers
        busiest = sorted(self.speakers, key=lambda o: -o.count)[:SPEAKER_CHOICES]
        shown = {o.value for o in busiest if o.count} | {
            o.value for o in self.speakers if o.selected
        }
        return [o for o in self.speakers if o.value in shown]

    @property
    def hidden_speakers(self) -> int:
        return len(self.speakers) - len(self.speaker_choices)

    @property
    def selected_speakers(self) -> list[Speaker]:
        return [option.obj for option in self.speakers if option.selected]

    @property
    def proposition(self) -> Proposition | None:
        return next((o.obj for o in self.propositions if o.selected), None)

    @property
    def article(self) -> Article | None:
        return next((o.obj for o in self.articles if o.selected), None)

    @property
    def query_string(self) -> str:
        return as_query(self.filters.params())

    @property
    def chips(self) -> list[Chip]:
        filters = self.filters
        chips = [
            Chip(f"Speaker: {speaker.name}", as_query(filters.without("speaker", speaker.slug)))
            for speaker in self.selected_speakers
        ]
        if filters.stance:
            chips.append(Chip(f"Stance: {self.stance_label}", as_query(filters.without("stance"))))
        if self.proposition:
            label = f"Proposition: {self.proposition.label}"
            chips.append(Chip(label, as_query(filters.without("proposition"))))
        if self.article:
            label = f"Article: {self.article.title}"
            chips.append(Chip(label, as_query(filters.without("article"))))
        if filters.date_from:
            label = f"From {format_date(filters.date_from, 'j M Y')}"
            chips.append(Chip(label, as_query(filters.without("from"))))
        if filters.date_to:
            label = f"Until {format_date(filters.date_to, 'j M Y')}"
            chips.append(Chip(label, as_query(filters.without("to"))))
        if filters.q:
            chips.append(Chip(f"Search: “{filters.q}”", as_query(filters.without("q"))))
        return chips

    @property
    def stance_label(self) -> str:
        if not self.filters.stance:
            return ""
        if self.proposition:
            return self.proposition.label_for(self.filters.stance)
        return STANCE_WORDS[self.filters.stance]

    @property
    def heading(self) -> str:
        """The selection in words, e.g. "Anti-open-source posts by Vinod Khosla"."""
        filters = self.filters
        if not filters.is_filtered:
            return "The open-source AI debate, March 2024"
        noun = "Posts"
        if filters.stance:
            noun = f"{self.stance_label[:1].upper()}{self.stance_label[1:]} posts"
        elif self.proposition:
            noun = f"Posts taking a stance on {self.proposition.label.lower()}"
        names = [speaker.name for speaker in self.selected_speakers]
        if names:
            joined = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
            noun += f" by {joined}"
        if filters.q:
            noun += f" matching “{filters.q}”"
        return noun


STANCE_WORDS = {
    StanceValue.PRO: "for (pro)",
    StanceValue.ANTI: "against (anti)",
    StanceValue.NEUTRAL: "neutral",
}


def as_query(params: list[tuple[str, str]]) -> str:
    return f"?{urlencode(params)}" if params else ""


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
            queryset=ArticlePost.objects.select_related("article").order_by("pk").fetch_mode(mode),
            to_attr="card_sources" if as_lists else None,
        ),
    ]


CARD_RELATED = ("speaker", "in_reply_to__speaker", "quotes__speaker")
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
TIMELINE_RELATED = ("quotes", "in_reply_to__in_reply_to", "in_reply_to__quotes")


def attach_speakers(posts: Iterable[Post], speakers: Mapping[int, Option]) -> None:
    """Give each post, and the posts it answers or quotes (as loaded by
    ``TIMELINE_RELATED``), its speaker from the speaker facet's options (by pk) rather
    than a join. A speaker missing there (added since the catalogue was read) is loaded:
    all such speakers in one query."""
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
        if post.speaker_id in speakers:
            by_pk[post.speaker_id] = speakers[post.speaker_id].obj
        else:
            missing.add(post.speaker_id)
    if missing:
        by_pk |= Speaker.objects.in_bulk(missing)
    for post in found.values():
        cache_speaker(post, by_pk[post.speaker_id])


def entries_with_context(
    page: list[Post], speakers: Mapping[int, Option] | None = None
) -> list[Entry]:
    """Entries for a page of posts fetched with ``CONTEXT_RELATED``, plus the posts they
    answer that are not on the page, marked as context. Three queries, for the cards'
    claims, stances and sources: the context posts came with the page's own query.

    With ``speakers`` (the speaker facet's options, by pk), the page was fetched with
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


def encode_cursor(post_time: datetime.datetime, pk: int) -> str:
    return f"{post_time.astimezone(datetime.UTC):%Y%m%dT%H%M%S.%f}Z-{pk}"


def decode_cursor(token: str) -> tuple[datetime.datetime, int] | None:
    stamp, _, pk = token.rpartition("-")
    try:
        moment = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=datetime.UTC)
        return moment, int(pk)
    except ValueError:
        return None


# The catalogue as plain rows, cheap to cache: (pk, slug, name) per speaker; (pk, slug,
# label, statement, pro_label, anti_label) per proposition; (pk, slug, title, published_on)
# per article. Each list in the order the filter form shows it.
CatalogueRows = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]


def catalogue_rows() -> CatalogueRows:
    """Every speaker, proposition and article, in one query (a UNION of the three small
    tables), with just what the filter form, the chips and the cards show."""
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
    speakers = rows(Speaker, "s", "name", "name", "name", "name", no_date)
    propositions = rows(Proposition, "p", "label", "statement", "pro_label", "anti_label", no_date)
    articles = rows(Article, "a", "title", "title", "title", "title", F("published_on"))
    found: CatalogueRows = ([], [], [])
    everything = speakers.union(propositions, articles, all=True).order_by()
    for kind, pk, slug, label, statement, pro, anti, published in everything:
        if kind == "s":
            found[0].append((pk, slug, label))
        elif kind == "p":
            found[1].append((pk, slug, label, statement, pro, anti))
        else:
            found[2].append((pk, slug, label, published))
    found[0].sort(key=lambda s: s[2])
    found[1].sort(key=lambda p: p[2])
    found[2].sort(key=lambda a: (a[3] or datetime.date.min, a[2]), reverse=True)
    return found


def speaker_of(row: tuple[Any, ...]) -> Speaker:
    pk, slug, name = row
    return Speaker(pk=pk, slug=slug, name=name)


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
    rest = filter_posts(filters, skip=skip)
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


def facet_data(filters: Filters) -> FacetData:
    """Five queries: the catalogue, then the selection's counts."""
    return FacetData(catalogue_rows(), facet_counts(filters))


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


FACET_KEY_VERSION = "facets-v1"
CATALOGUE_KEY_VERSION = "catalogue-v1"
FACET_TIMEOUT = 24 * 3600


def facet_key(filters: Filters, version: object) -> str:
    """The cache key of a selection's facets: the edit counter and every filter the counts
    depend on (not the order, nor the page: facet counts leave both out)."""
    state = (
        str(version),
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
    catalogue_key = f"{CATALOGUE_KEY_VERSION}:{version}"
    key = facet_key(filters, version)
    found = cache.get_many([catalogue_key, key])
    catalogue = found.get(catalogue_key)
    if catalogue is None:
        catalogue = catalogue_rows()
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


def build_timeline(params: QueryDict) -> Timeline:
    filters = read_params(params)
    data, filters, key = cached_facet_data(filters, current_version().number)
    speakers, stances, propositions, articles = facet_options(data, filters)
    notices = list(filters.notices)
    total = sum(o.count for o in speakers if o.selected or not filters.speakers)

    matches = filter_posts(filters).select_related(*TIMELINE_RELATED).fetch_mode(card_fetch_mode())
    if filters.q and uses_postgres_search():
        matches = with_headlines(matches, filters.q)
    after = params.get("after", "").strip()[:MAX_CURSOR_LENGTH]
    if filters.by_relevance and uses_postgres_search():
        # Ranks are not stable keys, so relevance pages by position.
        offset = int(after) if after.isdigit() and len(after) <= 6 else 0
        if after and not offset and after != "0":
            notices.append("That page link is damaged, so the results start from the best match.")
        page = list(matches.order_by("-rank", "pk")[offset : offset + PAGE_SIZE + 1])
        next_after = str(offset + PAGE_SIZE)
    else:
        if filters.by_relevance:
            notices.append("Ranking by relevance needs PostgreSQL; showing the oldest first.")
        cursor = decode_cursor(after) if after else None
        if after and cursor is None:
            notices.append("That page link is damaged, so the timeline starts from the beginning.")
            after = ""
        newest = filters.newest_first
        if cursor is not None:
            moment, pk = cursor
            if newest:
                matches = matches.filter(Q(posted_at__lt=moment) | Q(posted_at=moment, pk__lt=pk))
            else:
                matches = matches.filter(Q(posted_at__gt=moment) | Q(posted_at=moment, pk__gt=pk))
        ordering = ("-posted_at", "-pk") if newest else ("posted_at", "pk")
        page = list(matches.order_by(*ordering)[: PAGE_SIZE + 1])
        last = page[min(len(page), PAGE_SIZE) - 1] if page else None
        next_after = encode_cursor(last.posted_at, last.pk) if last else ""
    has_more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]

    entries = entries_with_context(page, {option.pk: option for option in speakers})
    if filters.q:
        mark_hits(entries, filters)
    render_cards(entries)
    place = {post.pk: index for index, post in enumerate(page)}
    items = assemble(entries, sort_key=thread_sort_key, position=lambda e: place.get(e.pk))
    return Timeline(
        facet_key=key,
        filters=filters,
        speakers=speakers,
        stances=stances,
        propositions=propositions,
        articles=articles,
        items=items,
        total=total,
        next_url=as_query([*filters.params(), ("after", next_after)]) if has_more else None,
        after=after or None,
        notices=notices,
    )


def with_headlines(posts: QuerySet[Post], q: str) -> QuerySet[Post]:
    from django.contrib.postgres.search import SearchHeadline, SearchQuery

    query = SearchQuery(q, config="english", search_type="websearch")
    return posts.annotate(
        headline=SearchHeadline(
            "text",
            query,
            config="english",
            start_sel=HIT_START,
            stop_sel=HIT_END,
            highlight_all=True,
        )
    )


def mark_hits(entries: list[Entry], filters: Filters) -> None:
    """Mark the words a search matched in each card's text.

    PostgreSQL says which words its stemmed search matched (``ts_headline``); the portable
    search matched the words as typed, anywhere, so those are marked as typed.
    """
    for entry in entries:
        headline = getattr(entry.post, "headline", None)
        if headline is not None:
            words = {part.split(HIT_END)[0] for part in headline.split(HIT_START)[1:]}
            entry.highlighted_html = highlight(entry.post.text_html, words, whole_words=True)
        else:
            entry.highlighted_html = highlight(entry.post.text_html, filters.search_words)


def thread_around(pk: int) -> list[ThreadItem[Entry]]:
    """The whole conversation post ``pk`` belongs to, with that post marked as the focus.
    Empty when there is no such post. One query for the thread, whatever its depth."""
    root = Post.objects.filter(pk=pk).values("thread_root_id")[:1]
    thread = Post.objects.filter(Q(thread_root=root) | Q(pk=pk))
    posts = posts_for_cards(thread).fetch_mode(card_fetch_mode())
    entries = [make_entry(p, is_focus=p.pk == pk) for p in posts]
    render_cards(entries)
    return assemble_entries(entries)
