"""The stance readers see for a claim when several annotators judged it.

Several editors may judge the same claim toward the same proposition independently. Nothing
here touches the database: callers pass stances with their propositions already loaded.
(The agreement figures editors see are in ``debate.editing.agreement``.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models import Proposition, Stance

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
