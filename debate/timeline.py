"""The reader's timeline: one page of the posts a selection matches, in threads, with facets.

A page costs the same handful of queries whatever the size of the debate: four facet queries
(speakers, stances, propositions, articles, each with the count choosing it would give), one
keyset-paginated page of matching post ids, and the posts to show (the page plus the posts
they answer, as context) with their claims, stances and sources.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    DateField,
    F,
    Prefetch,
    Q,
    QuerySet,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Cast
from django.http import QueryDict
from django.utils.dateformat import format as format_date
from django.utils.http import urlencode

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
from .stances import AgreedStance, agreed_stances
from .text import highlight
from .threads import ThreadItem, assemble

PAGE_SIZE = 50
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
    """One choice in a facet: what it is called, how many posts choosing it would give."""

    value: str
    label: str
    count: int
    selected: bool
    obj: Any = None


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


def public_stances() -> QuerySet[Stance]:
    return (
        Stance.objects.public()
        .select_related("proposition", "annotator")
        .order_by("proposition__label", "pk")
    )


def card_prefetches() -> list[Prefetch]:
    return [
        Prefetch(
            "claims",
            queryset=Claim.objects.order_by("pk").prefetch_related(
                Prefetch("stances", queryset=public_stances())
            ),
        ),
        Prefetch(
            "quoted_in", queryset=ArticlePost.objects.select_related("article").order_by("pk")
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


def entries_with_context(page: list[Post]) -> list[Entry]:
    """Entries for a page of posts fetched with ``CONTEXT_RELATED``, plus the posts they
    answer that are not on the page, marked as context. Three queries, for the cards'
    claims, stances and sources: the context posts came with the page's own query."""
    on_page = {post.pk for post in page}
    context = {
        post.in_reply_to_id: post.in_reply_to
        for post in page
        if post.in_reply_to_id and post.in_reply_to_id not in on_page
    }
    shown = page + list(context.values())
    prefetch_related_objects(shown, *card_prefetches())
    return [make_entry(post, is_context=post.pk in context) for post in shown]


def posts_for_cards(posts: QuerySet[Post]) -> QuerySet[Post]:
    """Posts with everything their cards show, in a fixed number of queries."""
    return posts.select_related(*CARD_RELATED).prefetch_related(*card_prefetches())


def make_entry(post: Post, *, is_context: bool = False, is_focus: bool = False) -> Entry:
    claims = list(post.claims.all())
    return Entry(
        post=post,
        claims=claims,
        stances=[stance for claim in claims for stance in claim.stances.all()],
        sources=list(post.quoted_in.all()),
        is_context=is_context,
        is_focus=is_focus,
        claim_views=[(claim, agreed_stances(claim.stances.all())) for claim in claims],
    )


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


def catalogue() -> tuple[list[Speaker], list[Proposition], list[Article]]:
    """Every speaker, proposition and article, in one query (a UNION of the three small
    tables), as unsaved instances carrying just what the filter form and chips show."""
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
    found: tuple[list[Speaker], list[Proposition], list[Article]] = ([], [], [])
    everything = speakers.union(propositions, articles, all=True).order_by()
    for kind, pk, slug, label, statement, pro, anti, published in everything:
        if kind == "s":
            found[0].append(Speaker(pk=pk, slug=slug, name=label))
        elif kind == "p":
            found[1].append(
                Proposition(
                    pk=pk,
                    slug=slug,
                    label=label,
                    statement=statement,
                    pro_label=pro,
                    anti_label=anti,
                )
            )
        else:
            found[2].append(Article(pk=pk, slug=slug, title=label, published_on=published))
    found[0].sort(key=lambda s: s.name)
    found[1].sort(key=lambda p: p.label)
    found[2].sort(key=lambda a: (a.published_on or datetime.date.min, a.title), reverse=True)
    return found


def _only(posts_field: str, filters: Filters, skip: str) -> Q:
    """Restrict a count to the posts the selection matches, its own dimension left out.
    Nothing to restrict when nothing else is chosen: the count then scans no subquery."""
    rest = filter_posts(filters, skip=skip)
    if not rest.query.where:
        return Q()
    return Q(**{f"{posts_field}__in": rest.values("pk")})


def facets(filters: Filters) -> tuple[list[Option], list[Option], list[Option], list[Option]]:
    """Every speaker, stance, proposition and article, each with the number of posts the
    selection would match if the reader chose it. Five queries: the catalogue, then one
    grouped count per facet over the matching posts."""
    speakers, propositions, articles = catalogue()

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
    return (
        [Option(s.slug, s.name, by_speaker.get(s.pk, 0), s.slug in filters.speakers, s)
         for s in speakers],
        [Option(v, STANCE_WORDS[v], by_stance.get(v, 0), v == filters.stance)
         for v in StanceValue.values],
        [Option(p.slug, p.label, by_proposition.get(p.pk, 0), p.slug == filters.proposition, p)
         for p in propositions],
        [Option(a.slug, a.title, by_article.get(a.pk, 0), a.slug == filters.article, a)
         for a in articles],
    )  # fmt: skip


def build_timeline(params: QueryDict) -> Timeline:
    filters = read_params(params)
    speakers, stances, propositions, articles = facets(filters)
    resolved = resolve(
        filters,
        {o.value for o in speakers},
        {o.value for o in propositions},
        {o.value for o in articles},
    )
    if resolved != filters:
        # Counts were taken with names that match nothing: take them again without.
        filters = resolved
        speakers, stances, propositions, articles = facets(filters)
    filters = resolved
    notices = list(filters.notices)
    chosen = next((o.obj for o in propositions if o.selected), None)
    if chosen is not None:  # stances in the words of the chosen proposition's sides
        for option in stances:
            option.label = chosen.label_for(option.value)
    total = sum(o.count for o in speakers if o.selected or not filters.speakers)

    matches = filter_posts(filters).select_related(*CONTEXT_RELATED)
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

    entries = entries_with_context(page)
    if filters.q:
        mark_hits(entries, filters)
    render_cards(entries)
    place = {post.pk: index for index, post in enumerate(page)}
    items = assemble(entries, sort_key=thread_sort_key, position=lambda e: place.get(e.pk))
    return Timeline(
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
    entries = [make_entry(p, is_focus=p.pk == pk) for p in posts_for_cards(thread)]
    render_cards(entries)
    return assemble_entries(entries)
