"""The reader's timeline: one page of the posts a selection matches, in threads, with facets.

A page costs the same handful of queries whatever the size of the debate: the facets (cached
under the edit counter, see ``facets.py``), one keyset-paginated page of the posts to show
(plus the posts they answer, as context, in the same query), and those posts' claims, stances
and sources (``cards.py``). The cards' speakers come from the facets' catalogue rather than
from joins in the page's query (``attach_speakers``), which keeps PostgreSQL's planning of
that query cheap.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.dateformat import format as format_date
from django.utils.safestring import mark_safe

from ..models import Article, Debate, Post, Proposition, Speaker
from ..models.selection import SEARCH_CONFIG, search_query, uses_postgres_search
from ..text import highlight, parse_id
from ..versioning import current_version
from .cards import (
    TIMELINE_RELATED,
    Entry,
    card_fetch_mode,
    entries_with_context,
    render_cards,
    thread_sort_key,
)
from .facets import FACET_TIMEOUT, Option, cached_facet_data, facet_options
from .filters import STANCE_WORDS, Filters, Names, as_query, describe, read_params
from .names import alike
from .threads import ThreadItem, assemble

PAGE_SIZE = 50
FACET_FORM_TEMPLATE = "debate/timeline.html#facet_form"
SPEAKER_CHOICES = 15
MAX_CURSOR_LENGTH = 100
# Marks ts_headline puts around matched words; control characters never occur in posts.
HIT_START, HIT_END = "\x02", "\x03"


@dataclass
class Chip:
    label: str
    remove_url: str


@dataclass
class Timeline:
    debate: Debate
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
            html = render_to_string(FACET_FORM_TEMPLATE, {"timeline": self, "debate": self.debate})
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

    @cached_property
    def alike_speakers(self) -> set[int]:
        """The speakers the form lists whose names read alike (``names.alike``): the form
        shows their handles beside their names."""
        return alike((option.pk, option.label) for option in self.speaker_choices)

    @property
    def hidden_speakers(self) -> int:
        return len(self.speakers) - len(self.speaker_choices)

    @property
    def selected_speakers(self) -> list[Speaker]:
        return [option.obj for option in self.speakers if option.selected]

    @cached_property
    def selected_names(self) -> dict[str, str]:
        """The chosen speakers by slug, as the chips and the heading name them: with their
        handle when another speaker's name reads alike."""
        chosen = self.selected_speakers
        if not chosen:
            return {}
        clashing = alike((option.pk, option.label) for option in self.speakers)
        return {
            s.slug: f"{s.name} ({s.at_handle})" if s.pk in clashing and s.handle else s.name
            for s in chosen
        }

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
            Chip(f"Speaker: {name}", as_query(filters.without("speaker", slug)))
            for slug, name in self.selected_names.items()
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
        """The selection in words, e.g. "Posts by Ada Lovelace, marked anti-open-source"."""
        if not self.filters.is_filtered:
            return self.debate.title
        names = Names(
            speakers=self.selected_names,
            proposition=self.proposition,
            article=self.article.title if self.article else "",
        )
        words = describe(self.filters, names)
        return words[:1].upper() + words[1:]


def encode_cursor(post_time: datetime.datetime, pk: int) -> str:
    return f"{post_time.astimezone(datetime.UTC):%Y%m%dT%H%M%S.%f}Z-{pk}"


def decode_cursor(token: str) -> tuple[datetime.datetime, int] | None:
    stamp, _, pk = token.rpartition("-")
    try:
        moment = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=datetime.UTC)
        return moment, int(pk)
    except ValueError:
        return None


def build_timeline(debate: Debate, params: QueryDict) -> Timeline:
    """One page of ``debate``'s timeline for the reader's parameters."""
    filters = read_params(params, debate.pk)
    data, filters, key = cached_facet_data(filters, current_version().number)
    speakers, stances, propositions, articles = facet_options(data, filters)
    notices = list(filters.notices)
    total = sum(o.count for o in speakers if o.selected or not filters.speakers)

    matches = Post.objects.matching(filters).select_related(*TIMELINE_RELATED)
    matches = matches.fetch_mode(card_fetch_mode())
    if filters.q and uses_postgres_search():
        matches = with_headlines(matches, filters.q)
    after = params.get("after", "").strip()[:MAX_CURSOR_LENGTH]
    if filters.by_relevance and uses_postgres_search():
        # Ranks are not stable keys, so relevance pages by position.
        offset = (parse_id(after) or 0) if len(after) <= 6 else 0
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

    by_pk = {option.pk: option for option in speakers}
    entries = entries_with_context(page, lambda pk: by_pk[pk].obj if pk in by_pk else None)
    if filters.q:
        mark_hits(entries, filters)
    render_cards(entries)
    place = {post.pk: index for index, post in enumerate(page)}
    items = assemble(entries, sort_key=thread_sort_key, position=lambda e: place.get(e.pk))
    return Timeline(
        debate=debate,
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
    from django.contrib.postgres.search import SearchHeadline

    return posts.annotate(
        headline=SearchHeadline(
            "text",
            search_query(q),
            config=SEARCH_CONFIG,
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
