"""Where each voice stands: the data of the speaker pages and the stance map.

Only public stances (published or reviewed) count. Every page costs a fixed number of
queries: stances are counted in the database, grouped by speaker, proposition and value
(``tallies.py`` says what is counted), and lists that could grow without bound (a speaker's
posts) are cut to a page with a link to the rest on the timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.urls import reverse

from ..models import Claim, Post, Proposition, Speaker, Stance
from .cards import (
    CONTEXT_RELATED,
    Entry,
    assemble_entries,
    card_fetch_mode,
    entries_with_context,
    render_cards,
)
from .filters import Filters, as_query
from .names import mark_alike
from .tallies import (
    VALUES,
    Tallies,
    Tally,
    Verdict,
    load_tallies,
    speakers_with_counts,
    value_words,
    verdict,
)
from .threads import ThreadItem

PAGE_SIZE = 50

# Claims shown per speaker and side on a proposition page; the rest are one link away.
STRONGEST_PER_SIDE = 3
# Prose claims shown on a speaker page (an article could attribute many).
PROSE_CLAIMS_SHOWN = 50


def timeline_url(speaker: str = "", stance: str = "", proposition: str = "") -> str:
    """The timeline filtered as given, in the canonical parameter order (stable links)."""
    chosen = Filters(speakers=(speaker,) if speaker else (), stance=stance, proposition=proposition)
    return reverse("debate:timeline") + as_query(chosen.params())


# Speakers


@dataclass
class Glance:
    """A speaker's overall stance on one proposition."""

    proposition: Proposition
    verdict: Verdict
    tally: Tally


def glances(speaker: Speaker, propositions: list[Proposition], tallies: Tallies) -> list[Glance]:
    return [
        Glance(p, verdict(tallies.get(speaker.pk, p.pk), p), tallies.get(speaker.pk, p.pk))
        for p in propositions
    ]


@dataclass
class ChartSegment:
    value: str
    words: str
    claims: int
    posts: int
    prose: int
    x: int
    width: int
    url: str


@dataclass
class Chart:
    """One proposition's bar on a speaker page: their claims for, against and neutral."""

    proposition: Proposition
    verdict: Verdict
    total: int
    segments: list[ChartSegment]


def chart(speaker: Speaker, proposition: Proposition, tally: Tally) -> Chart:
    widths = tally.widths()
    segments = [
        ChartSegment(
            value=value,
            words=value_words(value, proposition),
            claims=tally.claims[value],
            posts=tally.posts[value],
            prose=tally.prose[value],
            x=widths[value][0],
            width=widths[value][1],
            # Claims from article prose alone have no post to show on the timeline: point at
            # the speaker page's own list of them instead.
            url=timeline_url(speaker=speaker.slug, stance=value, proposition=proposition.slug)
            if tally.posts[value]
            else "#article-claims",
        )
        for value in VALUES
    ]
    return Chart(proposition, verdict(tally, proposition), tally.total, segments)


def speaker_threads(speaker: Speaker) -> tuple[list[ThreadItem[Entry]], bool]:
    """The speaker's first posts as threads, with the posts they answer as context.

    Returns the items and whether the speaker has more posts than shown.
    """
    posts = list(
        Post.objects.filter(speaker=speaker)
        .select_related(*CONTEXT_RELATED)
        .fetch_mode(card_fetch_mode())
        .chronological()[: PAGE_SIZE + 1]
    )
    entries = entries_with_context(posts[:PAGE_SIZE])
    render_cards(entries)
    return assemble_entries(entries), len(posts) > PAGE_SIZE


def speaker_rows() -> list[tuple[Speaker, list[Glance]]]:
    """Every speaker with their counts and where they stand on each proposition."""
    propositions = list(Proposition.objects.order_by("label"))
    tallies = load_tallies()
    speakers = list(speakers_with_counts().order_by("name"))
    mark_alike(speakers)
    return [
        (speaker, [g for g in glances(speaker, propositions, tallies) if g.verdict.recorded])
        for speaker in speakers
    ]


def speaker_page(speaker: Speaker) -> dict[str, Any]:
    """A speaker page's context: a chart per proposition, their first posts in threads, and
    the claims articles' prose attributes to them."""
    propositions = list(Proposition.objects.order_by("label"))
    tallies = load_tallies(Stance.objects.public().filter(claim__speaker=speaker))
    charts = [chart(speaker, p, tallies.get(speaker.pk, p.pk)) for p in propositions]
    items, more_posts = speaker_threads(speaker)
    prose = list(
        Claim.objects.from_articles()
        .filter(speaker=speaker)
        .select_related("article")
        .prefetch_related(
            Prefetch(
                "stances",
                queryset=Stance.objects.public()
                .select_related("proposition")
                .order_by("proposition__label", "value", "pk"),
            )
        )
        .order_by("article__published_on", "pk")[: PROSE_CLAIMS_SHOWN + 1]
    )
    return {
        "speaker": speaker,
        "charts": charts,
        "items": items,
        "more_posts": more_posts,
        "prose_claims": prose[:PROSE_CLAIMS_SHOWN],
        "more_prose": len(prose) > PROSE_CLAIMS_SHOWN,
        "timeline_url": timeline_url(speaker=speaker.slug),
    }


# The stance map


@dataclass
class MapCell:
    proposition: Proposition
    verdict: Verdict
    url: str


def map_rows() -> tuple[list[Proposition], list[tuple[Speaker, list[MapCell]]]]:
    """The stance map: a row per speaker, a cell per proposition."""
    propositions = list(Proposition.objects.order_by("label"))
    tallies = load_tallies()
    speakers = list(Speaker.objects.order_by("name"))
    mark_alike(speakers)
    rows = [
        (
            speaker,
            [
                MapCell(
                    p,
                    verdict(tallies.get(speaker.pk, p.pk), p),
                    timeline_url(speaker=speaker.slug, proposition=p.slug),
                )
                for p in propositions
            ],
        )
        for speaker in speakers
    ]
    return propositions, rows
