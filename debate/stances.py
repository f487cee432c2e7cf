"""Agreement between annotators: the stance readers see, disagreements, and kappa figures.

Several editors may judge the same claim toward the same proposition independently. Nothing
here touches the database: callers pass stances (with their propositions already loaded) or
plain ``Rating`` tuples, so the figures are easy to check by hand in tests.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .models import Proposition, Stance

DISAGREE_LABEL = "annotators disagree"


@dataclass
class AgreedStance:
    """What a reader sees for one claim and one proposition."""

    proposition: Proposition
    value: str | None  # the most common stance, None when two or more are equally common
    label: str  # in readers' words: "pro-open-source", or DISAGREE_LABEL on a tie
    annotators: int
    disputed: bool  # some annotator judged differently
    stances: list[Stance] = field(default_factory=list)
    counts: list[tuple[str, str, int]] = field(default_factory=list)  # (value, label, count)

    @property
    def badge_value(self) -> str:
        """For a CSS class: "pro", "anti", "neutral", or "disputed" on a tie."""
        return self.value or "disputed"

    @property
    def summary(self) -> str:
        """E.g. "2 of 3 annotators say pro-open-source, 1 says anti-open-source"."""
        if not self.disputed:
            if self.annotators == 1:
                return f"1 annotator says {self.label}"
            return f"all {self.annotators} annotators say {self.label}"
        parts = [
            f"{count} {'says' if count == 1 else 'say'} {label}" for _, label, count in self.counts
        ]
        return f"Annotators disagree: {', '.join(parts)}"


def agreed_stances(stances: Iterable[Stance]) -> list[AgreedStance]:
    """One entry per proposition, in the order the propositions first appear.

    Pass the public stances of one claim. The agreed value is the most common one; a tie has
    none. Any difference between annotators marks the entry as disputed.
    """
    by_proposition: dict[int, list[Stance]] = {}
    for stance in stances:
        by_proposition.setdefault(stance.proposition_id, []).append(stance)
    agreed: list[AgreedStance] = []
    for group in by_proposition.values():
        proposition = group[0].proposition
        ranked = Counter(stance.value for stance in group).most_common()
        counts = [(value, proposition.label_for(value), count) for value, count in ranked]
        tie = len(ranked) > 1 and ranked[0][1] == ranked[1][1]
        value = None if tie else ranked[0][0]
        agreed.append(
            AgreedStance(
                proposition=proposition,
                value=value,
                label=DISAGREE_LABEL if value is None else proposition.label_for(value),
                annotators=len({stance.annotator_id for stance in group}),
                disputed=len(ranked) > 1,
                stances=group,
                counts=counts,
            )
        )
    return agreed


class Rating(NamedTuple):
    """One annotator's judgement of one item (a claim) toward one proposition."""

    item: Hashable
    rater: Hashable
    category: str


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Cohen's kappa for two raters; each pair is (rater A's category, rater B's) on one item.

    None when it is undefined: no items, or both raters used a single, same category for
    everything (chance agreement is then certain).
    """
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(a == b for a, b in pairs) / n
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    expected = sum(first[c] * second[c] for c in first) / (n * n)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def fleiss_kappa(items: Sequence[Sequence[str]]) -> float | None:
    """Fleiss' kappa; each item is the list of categories its raters chose.

    Items may have different numbers of raters (the usual generalisation: each item's
    agreement is averaged, category shares are taken over all ratings). Items with fewer
    than two ratings say nothing about agreement and are left out. None when undefined.
    """
    rated = [list(item) for item in items if len(item) >= 2]
    if not rated:
        return None
    agreement = [
        (sum(count * count for count in Counter(item).values()) - len(item))
        / (len(item) * (len(item) - 1))
        for item in rated
    ]
    observed = sum(agreement) / len(rated)
    totals = Counter(category for item in rated for category in item)
    ratings = sum(totals.values())
    expected = sum((count / ratings) ** 2 for count in totals.values())
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def interpret_kappa(kappa: float | None) -> str:
    """Landis and Koch's (1977) words for a kappa, the scale annotation studies quote."""
    if kappa is None:
        return "not defined"
    for upper, words in [
        (0.0, "poor"),
        (0.2, "slight"),
        (0.4, "fair"),
        (0.6, "moderate"),
        (0.8, "substantial"),
    ]:
        if kappa <= upper:
            return words
    return "almost perfect"


@dataclass
class PairAgreement:
    rater_a: Hashable
    rater_b: Hashable
    items: int  # items both rated
    agreed: int
    kappa: float | None

    @property
    def observed(self) -> float:
        return self.agreed / self.items if self.items else 0.0


@dataclass
class Disagreement:
    item: Hashable
    ratings: list[tuple[Hashable, str]]  # (rater, category), in the order given


@dataclass
class Agreement:
    """Agreement among the annotators of one proposition."""

    items: int  # items with at least two ratings
    single_items: int  # items only one annotator rated
    raters: int
    observed: float | None  # mean share of agreeing rater pairs per item
    fleiss: float | None
    pairs: list[PairAgreement]
    disagreements: list[Disagreement]

    @property
    def interpretation(self) -> str:
        return interpret_kappa(self.fleiss)


def _by_item(ratings: Iterable[Rating]) -> dict[Hashable, dict[Hashable, str]]:
    """item -> {rater: category}; a rater's later rating of the same item replaces theirs."""
    items: dict[Hashable, dict[Hashable, str]] = defaultdict(dict)
    for rating in ratings:
        items[rating.item][rating.rater] = rating.category
    return items


def pairwise_agreement(ratings: Iterable[Rating]) -> list[PairAgreement]:
    """Cohen's kappa for every pair of raters who rated at least one item in common."""
    pairs: dict[tuple[Hashable, Hashable], list[tuple[str, str]]] = defaultdict(list)
    for judged in _by_item(ratings).values():
        for a, b in combinations(sorted(judged, key=str), 2):
            pairs[a, b].append((judged[a], judged[b]))
    return [
        PairAgreement(a, b, len(shared), sum(x == y for x, y in shared), cohen_kappa(shared))
        for (a, b), shared in sorted(pairs.items(), key=lambda pair: str(pair[0]))
    ]


def find_disagreements(ratings: Iterable[Rating]) -> list[Disagreement]:
    """Items whose raters did not all choose the same category, in the order first rated."""
    return [
        Disagreement(item, list(judged.items()))
        for item, judged in _by_item(ratings).items()
        if len(set(judged.values())) > 1
    ]


def agreement(ratings: Iterable[Rating]) -> Agreement:
    """Every agreement figure for one proposition's ratings."""
    ratings = list(ratings)
    items = _by_item(ratings)
    shared = [list(judged.values()) for judged in items.values() if len(judged) >= 2]
    observed = None
    if shared:
        per_item = [
            sum(x == y for x, y in combinations(item, 2)) / (len(item) * (len(item) - 1) / 2)
            for item in shared
        ]
        observed = sum(per_item) / len(per_item)
    return Agreement(
        items=len(shared),
        single_items=sum(1 for judged in items.values() if len(judged) == 1),
        raters=len({rating.rater for rating in ratings}),
        observed=observed,
        fleiss=fleiss_kappa(shared),
        pairs=pairwise_agreement(ratings),
        disagreements=find_disagreements(ratings),
    )
