"""Agreement between annotators: Cohen's and Fleiss' kappa, pairs, and disagreements.

Nothing here touches the database: callers pass plain ``Rating`` tuples, so the figures are
easy to check by hand in tests. (``debate.editing.report`` loads them for the admin's page.)
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import NamedTuple


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
