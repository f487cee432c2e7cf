"""Where each voice stands: the data of the speaker pages and the stance map.

Only public stances (published or reviewed) count. Every page costs a fixed number of
queries: stances are counted in the database, grouped by speaker, proposition and value
(``tallies.py`` says what is counted), and lists that could grow without bound (a speaker's
posts) are cut to a page with a link to the rest on the timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.urls import reverse

from ..models import Claim, Debate, Post, Proposition, Speaker, Stance
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
    tallies_by_debate,
    value_words,
    verdict,
)
from .threads import ThreadItem

PAGE_SIZE = 50

# Claims shown per speaker and side on a proposition page; the rest are one link away.
STRONGEST_PER_SIDE = 3
# Prose claims shown on a speaker page (an article could attribute many).
PROSE_CLAIMS_SHOWN = 50


def timeline_url(debate: Debate, speaker: str = "", stance: str = "", proposition: str = "") -> str:
    """``debate``'s timeline filtered as given, in the canonical parameter order (stable
    links)."""
    chosen = Filters(speakers=(speaker,) if speaker else (), stance=stance, proposition=proposition)
    return reverse("debate:timeline", args=[debate.slug]) + as_query(chosen.params())


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


def chart(debate: Debate, speaker: Speaker, proposition: Proposition, tally: Tally) -> Chart:
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
            url=timeline_url(
                debate, speaker=speaker.slug, stance=value, proposition=proposition.slug
            )
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


def speaker_rows(debate: Debate | None = None) -> list[tuple[Speaker, list[Glance]]]:
    """Every speaker of ``debate`` (of every debate, without one) with their counts there
    and where they stand on each of its propositions."""
    if debate is None:
        propositions = list(Proposition.objects.order_by("label"))
        tallies = load_tallies()
    else:
        propositions = list(debate.propositions.order_by("label"))
        tallies = load_tallies(Stance.objects.public().in_debate(debate))
    speakers = list(speakers_with_counts(debate).order_by("name"))
    mark_alike(speakers)
    return [
        (speaker, [g for g in glances(speaker, propositions, tallies) if g.verdict.recorded])
        for speaker in speakers
    ]


@dataclass
class DebateSection:
    """A speaker's part in one debate: how much they said there and their stances on its
    propositions (a bar each), counted from that debate's claims alone."""

    debate: Debate
    posts: int
    charts: list[Chart]
    timeline_url: str


def debate_sections(speaker: Speaker) -> list[DebateSection]:
    """A section per debate the speaker takes part in, newest debate first: three queries
    however many debates (the debates with the speaker's post counts, their propositions,
    the speaker's stances counted per debate)."""
    debates = list(
        Debate.objects.annotate(
            n_posts=Count(
                "articles__quoted_posts__post",
                filter=Q(articles__quoted_posts__post__speaker=speaker),
                distinct=True,
            ),
            n_prose=Count(
                "articles__claims", filter=Q(articles__claims__speaker=speaker), distinct=True
            ),
        )
        .filter(Q(n_posts__gt=0) | Q(n_prose__gt=0))
        .newest_first()
    )
    links = Proposition.debates.through.objects.filter(debate__in=debates)
    propositions: dict[int, list[Proposition]] = {}
    for link in links.select_related("proposition").order_by("proposition__label"):
        propositions.setdefault(link.debate_id, []).append(link.proposition)
    rows = tallies_by_debate(Stance.objects.public().filter(claim__speaker=speaker), debates)
    sections = []
    for debate in debates:
        tallies = rows.get(debate.pk, Tallies([]))
        charts = [
            chart(debate, speaker, p, tallies.get(speaker.pk, p.pk))
            for p in propositions.get(debate.pk, [])
        ]
        url = timeline_url(debate, speaker=speaker.slug)
        sections.append(DebateSection(debate, debate.n_posts, charts, url))
    return sections


def speaker_page(speaker: Speaker) -> dict[str, Any]:
    """A speaker page's context: a section per debate they take part in (with a chart per
    proposition of it), their first posts in threads, and the claims articles' prose
    attributes to them."""
    sections = debate_sections(speaker)
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
        "sections": sections,
        "items": items,
        "more_posts": more_posts,
        "prose_claims": prose[:PROSE_CLAIMS_SHOWN],
        "more_prose": len(prose) > PROSE_CLAIMS_SHOWN,
    }


# The stance map


@dataclass
class MapCell:
    proposition: Proposition
    verdict: Verdict
    url: str


def map_rows(debate: Debate) -> tuple[list[Proposition], list[tuple[Speaker, list[MapCell]]]]:
    """``debate``'s stance map: a row per speaker of it, a cell per proposition of it."""
    propositions = list(debate.propositions.order_by("label"))
    tallies = load_tallies(Stance.objects.public().in_debate(debate))
    speakers = list(Speaker.objects.in_debate(debate).order_by("name"))
    mark_alike(speakers)
    rows = [
        (
            speaker,
            [
                MapCell(
                    p,
                    verdict(tallies.get(speaker.pk, p.pk), p),
                    timeline_url(debate, speaker=speaker.slug, proposition=p.slug),
                )
                for p in propositions
            ],
        )
        for speaker in speakers
    ]
    return propositions, rows
