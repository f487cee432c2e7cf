"""The home page: every debate, with its size and who stands where at a glance.

A fixed number of queries however many debates: the debates with their counts, their
propositions, every public stance counted per debate, and the speakers those name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from ..models import Debate, Proposition, Speaker, Stance
from .tallies import MIXED, VALUES, SideMember, Tallies, tallies_by_debate, value_words, verdict

# Names shown per side of a proposition on the home page; the rest are counted.
NAMES_PER_SIDE = 3


@dataclass
class Side:
    value: str
    words: str
    members: list[SideMember]

    @property
    def shown(self) -> list[SideMember]:
        return self.members[:NAMES_PER_SIDE]

    @property
    def more(self) -> int:
        return max(len(self.members) - NAMES_PER_SIDE, 0)


@dataclass
class Glance:
    """Who is for, against, neutral or mixed on one proposition of a debate: each speaker
    once, on the side most of their claims take (``tallies.verdict``)."""

    proposition: Proposition
    sides: list[Side]

    @property
    def recorded(self) -> bool:
        return any(side.members for side in self.sides)


@dataclass
class DebateCard:
    debate: Debate
    posts: int
    speakers: int
    articles: int
    glances: list[Glance] = field(default_factory=list)

    @property
    def annotated(self) -> bool:
        return any(glance.recorded for glance in self.glances)


def glance(proposition: Proposition, tallies: Tallies, speakers: dict[Any, Speaker]) -> Glance:
    columns: dict[str, list[SideMember]] = {value: [] for value in (*VALUES, MIXED)}
    for speaker_id, tally in tallies.speakers_on(proposition.pk):
        if (speaker := speakers.get(speaker_id)) is None:
            continue
        stand = verdict(tally, proposition)
        columns[stand.value].append(SideMember(speaker, tally.total, stand.value == MIXED))
    for members in columns.values():
        members.sort(key=lambda member: (-member.count, member.speaker.name))
    words = {value: value_words(value, proposition) for value in VALUES} | {MIXED: "mixed"}
    return Glance(proposition, [Side(value, words[value], columns[value]) for value in columns])


def debate_cards() -> list[DebateCard]:
    """Every debate, newest period first, ready for the home page: four queries."""
    debates = list(
        Debate.objects.annotate(
            n_posts=Count("articles__quoted_posts__post", distinct=True),
            n_speakers=Count("articles__quoted_posts__post__speaker", distinct=True),
            n_articles=Count("articles", distinct=True),
        ).newest_first()
    )
    links = Proposition.debates.through.objects.filter(debate__in=debates)
    propositions: dict[int, list[Proposition]] = {}
    for link in links.select_related("proposition").order_by("proposition__label"):
        propositions.setdefault(link.debate_id, []).append(link.proposition)
    tallies = tallies_by_debate(Stance.objects.public(), debates)
    named = set().union(*(found.speaker_ids() for found in tallies.values()))
    speakers = Speaker.objects.filter(pk__in=named).only("pk", "slug", "name", "handle")
    by_pk: dict[Any, Speaker] = {speaker.pk: speaker for speaker in speakers} if named else {}
    cards = []
    for debate in debates:
        found = tallies.get(debate.pk, Tallies([]))
        glances = []
        for proposition in propositions.get(debate.pk, []):
            glances.append(glance(proposition, found, by_pk))
        cards.append(
            DebateCard(debate, debate.n_posts, debate.n_speakers, debate.n_articles, glances)
        )
    return cards
