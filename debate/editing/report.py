"""The agreement report editors read: the figures per proposition and every disagreement.

The figures come from ``debate.editing.agreement`` (pure); this module loads the stances and
names the annotators and claims, in four queries whatever the size of the debate.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from ..models import Claim, Proposition, Stance, account_name
from .agreement import Agreement, PairAgreement, Rating, agreement


@dataclass
class ShownRating:
    annotator: str
    value: str
    label: str


@dataclass
class ShownDisagreement:
    claim: Claim
    ratings: list[ShownRating]


@dataclass
class PropositionAgreement:
    proposition: Proposition
    agreement: Agreement
    pairs: list[tuple[str, str, PairAgreement]]  # (annotator, annotator, their agreement)
    disagreements: list[ShownDisagreement]


def agreement_report(*, include_drafts: bool) -> list[PropositionAgreement]:
    """Agreement per proposition and every disagreement, in four queries whatever the size."""
    stances = Stance.objects.all() if include_drafts else Stance.objects.public()
    rows = list(
        stances.order_by("claim_id", "annotator_id").values_list(
            "proposition_id", "claim_id", "annotator_id", "value"
        )
    )
    propositions = list(Proposition.objects.order_by("label"))
    names = {
        user.pk: account_name(user)
        for user in get_user_model().objects.filter(pk__in={row[2] for row in rows})
    }
    by_proposition: dict[int, list[Rating]] = {p.pk: [] for p in propositions}
    for proposition_id, claim_id, annotator_id, value in rows:
        by_proposition[proposition_id].append(Rating(claim_id, annotator_id, value))
    figures = {pk: agreement(ratings) for pk, ratings in by_proposition.items()}
    disputed_claims = {d.item for figure in figures.values() for d in figure.disagreements}
    claims = Claim.objects.select_related("speaker").in_bulk(disputed_claims)

    report = []
    for proposition in propositions:
        figure = figures[proposition.pk]
        report.append(
            PropositionAgreement(
                proposition=proposition,
                agreement=figure,
                pairs=[(names[p.rater_a], names[p.rater_b], p) for p in figure.pairs],
                disagreements=[
                    ShownDisagreement(
                        claim=claims[d.item],
                        ratings=[
                            ShownRating(names[rater], value, proposition.label_for(value))
                            for rater, value in d.ratings
                        ],
                    )
                    for d in figure.disagreements
                ],
            )
        )
    return report
