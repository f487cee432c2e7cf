"""Speaker, proposition and stance-map pages: where each voice stands.

Only public stances (published or reviewed) count. Every page costs a fixed number of
queries: stances are counted in the database, grouped by speaker, proposition and value
(see ``stance_summary`` for what is counted), and lists that could grow without bound (a
speaker's posts, a side's claims) are cut to a page with a link to the rest on the timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from .cards import render_cards
from .models import Claim, Post, Proposition, Speaker, Stance
from .pagecache import public_page
from .stance_summary import VALUES, Tallies, Tally, Verdict, sides, value_words, verdict
from .threads import ThreadItem
from .timeline import (
    CONTEXT_RELATED,
    PAGE_SIZE,
    Entry,
    assemble_entries,
    card_fetch_mode,
    entries_with_context,
)

# Claims shown per speaker and side on a proposition page; the rest are one link away.
STRONGEST_PER_SIDE = 3
# Prose claims shown on a speaker page (an article could attribute many).
PROSE_CLAIMS_SHOWN = 50


def timeline_url(**params: str) -> str:
    """The timeline filtered as given, parameters in a fixed order so links are stable."""
    order = ("speaker", "stance", "proposition")
    pairs = [(name, params[name]) for name in order if params.get(name)]
    base = reverse("debate:timeline")
    return f"{base}?{urlencode(pairs)}" if pairs else base


def _count_of(model: type, field: str) -> Subquery:
    # A correlated count rather than Count() over joins: two joined reverse relations would
    # multiply each other's rows.
    counts = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def speakers_with_counts() -> QuerySet[Speaker]:
    return Speaker.objects.annotate(
        post_count=_count_of(Post, "speaker"), claim_count=_count_of(Claim, "speaker")
    )


def load_tallies(stances: QuerySet[Stance] | None = None) -> Tallies:
    """Claims (and the posts they come from) per speaker, proposition and value: one query."""
    stances = Stance.objects.public() if stances is None else stances
    rows = (
        stances.order_by()
        .values("claim__speaker_id", "proposition_id", "value")
        .annotate(
            n_claims=Count("claim_id", distinct=True),
            n_posts=Count("claim__post_id", distinct=True),
            n_prose=Count("claim_id", distinct=True, filter=Q(claim__article__isnull=False)),
        )
    )
    return Tallies(
        {
            "speaker": row["claim__speaker_id"],
            "proposition": row["proposition_id"],
            "value": row["value"],
            "claims": row["n_claims"],
            "posts": row["n_posts"],
            "prose": row["n_prose"],
        }
        for row in rows
    )


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


@require_safe
@public_page
def speaker_list(request: HttpRequest) -> HttpResponse:
    propositions = list(Proposition.objects.order_by("label"))
    tallies = load_tallies()
    rows = [
        (speaker, [g for g in glances(speaker, propositions, tallies) if g.verdict.recorded])
        for speaker in speakers_with_counts().order_by("name")
    ]
    return render(request, "debate/speaker_list.html", {"rows": rows})


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


@require_safe
@public_page
def speaker_detail(request: HttpRequest, slug: str) -> HttpResponse:
    speaker = get_object_or_404(speakers_with_counts(), slug=slug)
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
    return render(
        request,
        "debate/speaker_detail.html",
        {
            "speaker": speaker,
            "charts": charts,
            "items": items,
            "more_posts": more_posts,
            "prose_claims": prose[:PROSE_CLAIMS_SHOWN],
            "more_prose": len(prose) > PROSE_CLAIMS_SHOWN,
            "timeline_url": timeline_url(speaker=speaker.slug),
        },
    )


# Propositions


@require_safe
@public_page
def proposition_list(request: HttpRequest) -> HttpResponse:
    tallies = load_tallies()
    speakers = {s.pk: s for s in Speaker.objects.order_by("name")}
    rows = []
    for proposition in Proposition.objects.order_by("label"):
        tally = tallies.for_proposition(proposition.pk)
        columns = sides(tallies.speakers_on(proposition.pk), speakers)
        rows.append(
            {
                "proposition": proposition,
                "tally": tally,
                "widths": tally.widths(),
                "counts": [(v, value_words(v, proposition), tally.claims[v]) for v in VALUES],
                "sides": [(v, value_words(v, proposition), columns[v]) for v in VALUES],
            }
        )
    return render(request, "debate/proposition_list.html", {"rows": rows})


def strongest_claims(proposition: Proposition, per_side: int) -> list[tuple[int, str, int]]:
    """(claim id, value, annotators agreeing) for each speaker's best claims on each side.

    Best: most annotators giving the claim that value, then said most recently, then
    annotated most recently. Ranked in the database, so only the few shown are loaded.
    """
    said_at = [
        F("claim__post__posted_at").desc(nulls_last=True),
        F("claim__article__published_on").desc(nulls_last=True),
    ]
    ranked = (
        Stance.objects.public()
        .filter(proposition=proposition)
        .order_by()
        .values("claim_id", "value", "claim__speaker_id", "claim__post__posted_at")
        .annotate(
            published_on=F("claim__article__published_on"),
            agree=Count("annotator_id", distinct=True),
            annotated=Max("annotated_at"),
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("claim__speaker_id"), F("value")],
                order_by=[F("agree").desc(), *said_at, F("annotated").desc(), F("claim_id").desc()],
            )
        )
        .filter(rank__lte=per_side)
        .values_list("claim_id", "value", "agree", "rank")
    )
    return [(claim_id, value, agree) for claim_id, value, agree, _ in sorted(ranked, key=_by_rank)]


def _by_rank(row: tuple[int, str, int, int]) -> tuple[int, int]:
    return (row[3], row[0])


@dataclass
class ShownClaim:
    """A claim in one column of a proposition page, with the stances that put it there."""

    claim: Claim
    value: str
    agree: int
    stances: list[Stance]

    @property
    def source_url(self) -> str:
        if self.claim.post_id:
            return self.claim.post.get_absolute_url()
        return self.claim.article.get_absolute_url()


@require_safe
@public_page
def proposition_detail(request: HttpRequest, slug: str) -> HttpResponse:
    proposition = get_object_or_404(Proposition, slug=slug)
    tallies = load_tallies(Stance.objects.public().filter(proposition=proposition))
    best = strongest_claims(proposition, STRONGEST_PER_SIDE)
    claims = Claim.objects.filter(pk__in={claim_id for claim_id, _, _ in best})
    claims = claims.select_related("speaker", "post", "article").prefetch_related(
        Prefetch(
            "stances",
            queryset=Stance.objects.public()
            .filter(proposition=proposition)
            .select_related("annotator")
            .order_by("annotated_at", "pk"),
            to_attr="on_proposition",
        )
    )
    by_pk = {claim.pk: claim for claim in claims}
    # Every speaker with a public stance here has a best claim, so this names them all.
    speakers = {claim.speaker_id: claim.speaker for claim in by_pk.values()}
    columns = sides(tallies.speakers_on(proposition.pk), speakers)
    placed: dict[tuple[Any, str], list[ShownClaim]] = {}
    for claim_id, value, agree in best:
        claim = by_pk[claim_id]
        agreeing = [s for s in claim.on_proposition if s.value == value]
        placed.setdefault((claim.speaker_id, value), []).append(
            ShownClaim(claim, value, agree, agreeing)
        )
    for value, members in columns.items():
        for member in members:
            member.claims = placed.get((member.speaker.pk, value), [])
            member.more_url = timeline_url(
                speaker=member.speaker.slug, stance=value, proposition=proposition.slug
            )
    tally = tallies.for_proposition(proposition.pk)
    context = {
        "proposition": proposition,
        "tally": tally,
        "widths": tally.widths(),
        "pro": columns["pro"],
        "anti": columns["anti"],
        "neutral": columns["neutral"],
        "per_side": STRONGEST_PER_SIDE,
    }
    return render(request, "debate/proposition_detail.html", context)


# The stance map


@dataclass
class MapCell:
    proposition: Proposition
    verdict: Verdict
    url: str


@require_safe
@public_page
def stance_map(request: HttpRequest) -> HttpResponse:
    propositions = list(Proposition.objects.order_by("label"))
    tallies = load_tallies()
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
        for speaker in Speaker.objects.order_by("name")
    ]
    return render(request, "debate/stance_map.html", {"propositions": propositions, "rows": rows})
