"""The proposition pages: who stands for, against and neutral, with their strongest claims.

Counted as on the speaker pages (``tallies.py``); only the few claims shown are loaded,
ranked in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Max, Prefetch, Window
from django.db.models.functions import RowNumber

from ..models import Claim, Debate, Proposition, Speaker, Stance
from .names import mark_alike
from .standings import timeline_url
from .tallies import VALUES, load_tallies, sides, value_words

# Claims shown per speaker and side on a proposition page; the rest are one link away.
STRONGEST_PER_SIDE = 3


def strongest_claims(
    proposition: Proposition, per_side: int, debate: Debate
) -> list[tuple[int, str, int]]:
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
        .in_debate(debate)
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


def proposition_rows(debate: Debate) -> list[dict[str, Any]]:
    """Every proposition of ``debate`` with its tally there and the speakers on each side."""
    tallies = load_tallies(Stance.objects.public().in_debate(debate))
    speakers = {s.pk: s for s in Speaker.objects.in_debate(debate).order_by("name")}
    rows = []
    shown: list[Speaker] = []
    for proposition in debate.propositions.order_by("label"):
        tally = tallies.for_proposition(proposition.pk)
        columns = sides(tallies.speakers_on(proposition.pk), speakers)
        shown += [member.speaker for members in columns.values() for member in members]
        rows.append(
            {
                "proposition": proposition,
                "tally": tally,
                "widths": tally.widths(),
                "counts": [(v, value_words(v, proposition), tally.claims[v]) for v in VALUES],
                "sides": [(v, value_words(v, proposition), columns[v]) for v in VALUES],
            }
        )
    mark_alike(shown)
    return rows


def proposition_page(proposition: Proposition, debate: Debate) -> dict[str, Any]:
    """A proposition page's context in ``debate``: its sides there, each speaker with their
    strongest claims."""
    stances = Stance.objects.public().in_debate(debate).filter(proposition=proposition)
    tallies = load_tallies(stances)
    best = strongest_claims(proposition, STRONGEST_PER_SIDE, debate)
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
    mark_alike(member.speaker for members in columns.values() for member in members)
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
                debate, speaker=member.speaker.slug, stance=value, proposition=proposition.slug
            )
    tally = tallies.for_proposition(proposition.pk)
    context = {
        "debate": debate,
        "proposition": proposition,
        "tally": tally,
        "widths": tally.widths(),
        "pro": columns["pro"],
        "anti": columns["anti"],
        "neutral": columns["neutral"],
        "per_side": STRONGEST_PER_SIDE,
    }
    return context
