"""Pages of the annotation workspace that are not a model's list or form.

Both are mounted by ``StanceAdmin.get_urls`` behind ``admin_site.admin_view`` (staff only)
and check the debate permission they need themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_POST

from .models import Claim, Proposition, Stance, StanceValue
from .stances import Agreement, Rating, agreement
from .text import render_markdown

PREVIEW_LIMIT = 20_000
VALUE_LABELS = dict(StanceValue.choices)


@require_POST
def preview_rationale(request: HttpRequest) -> HttpResponse:
    """The rationale being typed, as readers will see it (HTMX fragment).

    htmx posts the whole form the textarea sits in (which carries the CSRF token) and names
    the textarea in the HX-Trigger-Name header; only that field is rendered.
    """
    user = request.user
    if not (user.has_perm("debate.add_stance") or user.has_perm("debate.change_stance")):
        raise PermissionDenied
    name = request.headers.get("HX-Trigger-Name", "")
    if not (name == "rationale" or name.endswith("-rationale")):
        return HttpResponseBadRequest("Say which rationale to preview.")
    text = request.POST.get(name, "")
    if len(text) > PREVIEW_LIMIT:
        return HttpResponse(
            '<p class="tl-preview__empty">Too long to preview; it will still be saved if it '
            "fits the field.</p>"
        )
    return HttpResponse(
        render_markdown(text) or '<p class="tl-preview__empty">Nothing to preview yet.</p>'
    )


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
    pairs: list[tuple[str, str, object]]  # (annotator, annotator, PairAgreement)
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
        user.pk: user.get_full_name() or user.get_username()
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
