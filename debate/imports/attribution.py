"""The attribution line under a quoted post: who posted it, their handle, the date, and the
post's permalink when the date links to it.

Pure Python (no Django). ``debate.imports.parse`` finds the lines; this module reads each one.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from ..text import AttributionParts
from .lines import Line, Note, Problem

MAX_NAME = 200  # Post.display_name_shown
HANDLE_RE = re.compile(r"^[A-Za-z0-9_]{1,15}$")

# The date may be a Markdown link to the post: "[March 2, 2024](https://x.com/a/status/1)".
_MD_LINK = re.compile(r"^\[(?P<label>[^\]]*)\]\((?P<url>[^)\s]+)\)$")
_STATUS_URL = re.compile(
    r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(?P<handle>[A-Za-z0-9_]{1,15})"
    r"/status(?:es)?/(?P<id>\d+)",
    re.IGNORECASE,
)
# Each form starts only where a number or a word starts, so a search never reads a run of
# letters or digits again from inside it: linear however long the line.
_DAY = r"(?<!\d)(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_MONTH = r"(?<![A-Za-z])(?P<month>[A-Za-z]+)\.?"
_YEAR = r"(?P<year>\d{4})"
_DATE_FORMS = [
    re.compile(rf"{_MONTH}\s+{_DAY},?\s+{_YEAR}", re.IGNORECASE),  # March 2, 2024
    re.compile(rf"{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}", re.IGNORECASE),  # 2 March 2024
    re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"),  # 2024-03-02
]
_TIME = re.compile(r"\b\d{1,2}:\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?")
_SEPARATORS = " \t·•|,;–—-"
MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    MONTHS[calendar.month_name[_number].lower()] = _number
    MONTHS[calendar.month_abbr[_number].lower()] = _number
MONTHS["sept"] = 9
FIRST_YEAR_OF_X = 2006  # Twitter's first post


@dataclass
class Attribution:
    name: str
    handle: str
    date: datetime.date | None
    permalink: str
    notes: list[Note]


def read_attribution(
    line: Line, match: AttributionParts, problems: list[Problem]
) -> Attribution | None:
    name, handle, when = match.name, match.handle, match.when
    ok = True
    if not HANDLE_RE.match(handle):
        problems.append(
            Problem(
                line.number,
                f"“@{handle}” is not an X handle: 1 to 15 letters, digits or underscores.",
            )
        )
        ok = False
    if len(name) > MAX_NAME:
        problems.append(
            Problem(line.number, f"the display name is longer than {MAX_NAME} characters.")
        )
        ok = False
    permalink = ""
    link = _MD_LINK.match(when)
    if link:
        when = link.group("label").strip()
        status = _STATUS_URL.match(link.group("url"))
        if status:
            permalink = f"https://x.com/{status.group('handle')}/status/{status.group('id')}"
    notes: list[Note] = []
    date = None
    if when.strip(_SEPARATORS):
        try:
            date, leftover = read_date(when)
        except ValueError as error:
            problems.append(Problem(line.number, str(error)))
            return None
        if _TIME.search(leftover):
            notes.append(
                Note(line.number, "the time of day is left out: its time zone is unknown.", "time")
            )
        if date.year < FIRST_YEAR_OF_X:
            notes.append(
                Note(line.number, f"dated {date.year}, before X existed: check the date.", "date")
            )
    return Attribution(name, handle, date, permalink, notes) if ok else None


def read_date(text: str) -> tuple[datetime.date, str]:
    """The date in ``text`` ("Mar 2, 2024", "2 March 2024", "2024-03-02") and what is left.

    Raises ValueError with a message for the editor when there is no real date.
    """
    for form in _DATE_FORMS:
        found = form.search(text)
        if not found:
            continue
        month_text, day, year = found.group("month"), int(found.group("day")), found["year"]
        if month_text.isdigit():
            month = int(month_text)
            if not 1 <= month <= 12:
                raise ValueError(f"“{text.strip()}” is not a real date: there is no month {month}.")
        else:
            month = MONTHS.get(month_text.lower().rstrip("."), 0)
            if not month:
                continue  # "on 2 occasions 2024": not a month; try the other forms
        year_number = int(year)
        days = calendar.monthrange(year_number, month)[1]
        if not 1 <= day <= days:
            raise ValueError(
                f"“{text.strip()}” is not a real date: {calendar.month_name[month]} "
                f"{year_number} has {days} days."
            )
        leftover = text[: found.start()] + text[found.end() :]
        return datetime.date(year_number, month, day), leftover
    raise ValueError(
        f"cannot read the date “{text.strip()}”. Write it like “March 2, 2024”, "
        "“Mar 2, 2024” or “2 March 2024”."
    )
