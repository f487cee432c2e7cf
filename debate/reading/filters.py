"""What a reader can filter the debate by, read from the query string and applied to posts.

The timeline, the feed and the exports all take the same parameters, so a URL means the same
selection everywhere:

    speaker=<slug> (repeatable)   stance=pro|anti|neutral   proposition=<slug>
    article=<slug>   from=YYYY-MM-DD   to=YYYY-MM-DD   q=<words>   order=oldest|newest|relevance

Parsing is in two steps. ``read_params`` checks formats without the database. Slugs are then
resolved against the catalogue of speakers, propositions and articles (see ``facets.py``,
which loads it together with the facet counts). Bad values become notices for the reader and
are dropped, so the nearest sensible selection is shown instead of an error. What a selection
matches is the QuerySets' business (``Post.objects.matching(filters)``); this module also holds
the one canonical order of the parameters and the one way of saying a selection in words.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.http import QueryDict
from django.utils.http import urlencode

from ..models import Article, Proposition, Speaker, StanceValue
from ..models.selection import WORD_RE

MAX_REPEATS = 20
MAX_VALUE_LENGTH = 100
MAX_QUERY_LENGTH = 200
MAX_SEARCH_WORDS = 12
ORDERS = ("oldest", "newest", "relevance")
# The canonical order of the parameters: every URL of a selection is written in it.
PARAM_ORDER = ("speaker", "stance", "proposition", "article", "from", "to", "q", "order", "after")
STANCE_WORDS = {
    StanceValue.PRO: "for (pro)",
    StanceValue.ANTI: "against (anti)",
    StanceValue.NEUTRAL: "neutral",
}
_SIDES = {
    StanceValue.PRO: "for a proposition",
    StanceValue.ANTI: "against a proposition",
    StanceValue.NEUTRAL: "neutral on a proposition",
}
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Filters:
    """A reader's selection within one debate (its pk; None for every post there is, as the
    exports of a whole site do). Slugs are kept as given; ``resolve`` drops unknown ones. The
    debate is in the URL's path, not its query, so ``params`` leaves it out."""

    debate: int | None = None
    speakers: tuple[str, ...] = ()
    stance: str = ""
    proposition: str = ""
    article: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    q: str = ""
    order: str = "oldest"
    notices: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.speakers
            or self.stance
            or self.proposition
            or self.article
            or self.date_from
            or self.date_to
            or self.q
        )

    @property
    def newest_first(self) -> bool:
        return self.order == "newest"

    @property
    def by_relevance(self) -> bool:
        return self.order == "relevance" and bool(self.q)

    @property
    def search_words(self) -> list[str]:
        return WORD_RE.findall(self.q)

    def params(self, **changes: object) -> list[tuple[str, str]]:
        """The canonical query parameters for this selection, with ``changes`` applied."""
        chosen = replace(self, **changes) if changes else self
        values = {
            "stance": chosen.stance,
            "proposition": chosen.proposition,
            "article": chosen.article,
            "from": chosen.date_from.isoformat() if chosen.date_from else "",
            "to": chosen.date_to.isoformat() if chosen.date_to else "",
            "q": chosen.q,
            "order": "" if chosen.order == "oldest" else chosen.order,
        }
        pairs = [("speaker", slug) for slug in chosen.speakers]
        return pairs + [(name, values[name]) for name in PARAM_ORDER if values.get(name)]

    def without(self, name: str, value: str = "") -> list[tuple[str, str]]:
        """Parameters with one filter removed (one speaker, when ``value`` names it)."""
        if name == "speaker":
            return self.params(speakers=tuple(s for s in self.speakers if s != value))
        attribute = {"from": "date_from", "to": "date_to"}.get(name, name)
        empty = None if attribute in ("date_from", "date_to") else ""
        return self.params(**{attribute: empty})

    def with_notices(self, notices: Iterable[str]) -> Filters:
        return replace(self, notices=self.notices + tuple(notices))


def printable(text: str) -> str:
    """Drop control characters: they name nothing, and PostgreSQL refuses NUL outright."""
    return _CONTROL_RE.sub(" ", text)


def _values(params: QueryDict, name: str) -> list[str]:
    values: list[str] = []
    for raw in params.getlist(name)[:MAX_REPEATS]:
        value = printable(raw).strip()[:MAX_VALUE_LENGTH]
        if value and value not in values:
            values.append(value)
    return values


def _single(params: QueryDict, name: str) -> str:
    values = _values(params, name)
    return values[0] if values else ""


def _date(params: QueryDict, name: str, label: str, notices: list[str]) -> datetime.date | None:
    raw = _single(params, name)
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        notices.append(f"“{raw}” is not a date; write the {label} date as YYYY-MM-DD.")
        return None


def read_params(params: QueryDict, debate: int | None = None) -> Filters:
    """Read and check the filter parameters of a selection in ``debate`` (a pk), without
    touching the database."""
    notices: list[str] = []
    if len(params.getlist("speaker")) > MAX_REPEATS:
        notices.append(f"Only the first {MAX_REPEATS} speakers were used.")
    stance = _single(params, "stance")
    if stance and stance not in StanceValue.values:
        notices.append(f"“{stance}” is not a stance; choose pro, anti or neutral.")
        stance = ""
    date_from = _date(params, "from", "start", notices)
    date_to = _date(params, "to", "end", notices)
    if date_from and date_to and date_from > date_to:
        notices.append("The start date was after the end date, so the two were swapped.")
        date_from, date_to = date_to, date_from
    q = " ".join(printable(params.get("q", "")).split())
    if len(q) > MAX_QUERY_LENGTH:
        notices.append(f"The search was cut to its first {MAX_QUERY_LENGTH} characters.")
        q = q[:MAX_QUERY_LENGTH]
    if len(WORD_RE.findall(q)) > MAX_SEARCH_WORDS:
        # Each word is a condition to build and evaluate: keep a search cheap to answer.
        kept = WORD_RE.findall(q)[:MAX_SEARCH_WORDS]
        notices.append(f"The search was cut to its first {MAX_SEARCH_WORDS} words.")
        q = " ".join(kept)
    if q and not WORD_RE.search(q):
        notices.append("The search has no words to look for, so it was left out.")
        q = ""
    order = _single(params, "order") or "oldest"
    if order not in ORDERS:
        notices.append(f"“{order}” is not an order; showing the oldest posts first.")
        order = "oldest"
    if order == "relevance" and not q:
        order = "oldest"
    return Filters(
        debate=debate,
        speakers=tuple(_values(params, "speaker")),
        stance=stance,
        proposition=_single(params, "proposition"),
        article=_single(params, "article"),
        date_from=date_from,
        date_to=date_to,
        q=q,
        order=order,
        notices=tuple(notices),
    )


def resolve(
    filters: Filters, speakers: set[str], propositions: set[str], articles: set[str]
) -> Filters:
    """Drop slugs that name nothing, saying so, and fall back to the nearest selection."""
    notices: list[str] = []
    known = tuple(slug for slug in filters.speakers if slug in speakers)
    for slug in filters.speakers:
        if slug not in speakers:
            fallback = "the other speakers you chose" if known else "every speaker"
            notices.append(f"There is no speaker “{slug}”, so Threadline is showing {fallback}.")
    proposition, article = filters.proposition, filters.article
    if proposition and proposition not in propositions:
        notices.append(f"There is no proposition “{proposition}”; it was left out.")
        proposition = ""
    if article and article not in articles:
        notices.append(f"There is no article “{article}”; it was left out.")
        article = ""
    if not notices:
        return filters
    return replace(filters, speakers=known, proposition=proposition, article=article).with_notices(
        notices
    )


def load_filters(params: QueryDict, debate: int | None = None) -> Filters:
    """Read the parameters and resolve their slugs: for views that show no facet counts (the
    feed, the exports). At most one small query per kind of slug given."""
    filters = read_params(params, debate)

    def known(model: type, slugs: Iterable[str]) -> set[str]:
        wanted = [slug for slug in slugs if slug]
        if not wanted:
            return set()
        return set(model.objects.filter(slug__in=wanted).values_list("slug", flat=True))

    return resolve(
        filters,
        known(Speaker, filters.speakers),
        known(Proposition, [filters.proposition]),
        known(Article, [filters.article]),
    )


def as_query(params: list[tuple[str, str]]) -> str:
    return f"?{urlencode(params)}" if params else ""


def tidy_query(params: QueryDict) -> str | None:
    """The query string without empty fields and defaults (what a submitted form sends) and
    without parameters no selection knows (``?utm_source=...``), in the canonical order, or
    None when it is tidy already. Values are kept as given, wrong ones included, so that the
    page can still say what was wrong with them."""
    given = [(key, value) for key, values in params.lists() for value in values]
    kept = [
        (k, v)
        for k, v in given
        if k in PARAM_ORDER and v.strip() and not (k == "order" and v == "oldest")
    ]
    rank = {name: index for index, name in enumerate(PARAM_ORDER)}
    kept.sort(key=lambda pair: rank.get(pair[0], len(rank)))  # stable: repeats keep order
    if kept == given:
        return None
    return as_query(kept)


@dataclass
class Names:
    """What a selection's slugs are called: speakers' names by slug, the proposition chosen
    (with ``label_for`` and ``statement``), the article's title."""

    speakers: dict[str, str] = field(default_factory=dict)
    proposition: Any = None
    article: str = ""


def _day(moment: datetime.date) -> str:
    return f"{moment.day} {moment:%b %Y}"  # "2 Mar 2024", without a leading zero anywhere


def join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def describe(filters: Filters, names: Names) -> str:
    """The selection in words: "posts by Ada Lovelace, marked anti-open-source, …".

    The one wording of a selection: the timeline's heading and the feed's title use it."""
    parts: list[str] = []
    if filters.speakers:
        spoken = [names.speakers.get(slug, slug) for slug in filters.speakers]
        parts.append(f"by {join_names(spoken)}")
    proposition = names.proposition if filters.proposition else None
    if proposition is not None and filters.stance:
        parts.append(f"marked {proposition.label_for(filters.stance)}")
    elif proposition is not None:
        parts.append(f"with a stance on “{proposition.statement}”")
    elif filters.stance:
        parts.append(_SIDES[filters.stance])
    if filters.article:
        parts.append(f"quoted in “{names.article or filters.article}”")
    if filters.date_from and filters.date_from == filters.date_to:
        parts.append(f"on {_day(filters.date_from)}")
    else:
        if filters.date_from:
            parts.append(f"from {_day(filters.date_from)}")
        if filters.date_to:
            parts.append(f"until {_day(filters.date_to)}")
    if filters.q:
        parts.append(f"matching “{filters.q}”")
    return "posts " + ", ".join(parts)
