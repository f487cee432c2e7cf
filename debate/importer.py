"""Read a copied news article: its title, its body and the posts from X it quotes.

Pure Python (no Django), so the rules for what real copied articles contain are tested fast
and on their own. ``debate.importing`` saves what this module finds.

A quoted post is recognised by the attribution line below its text, as X's embed prints it::

    This week, @xAI will open source Grok
    — Elon Musk (@elonmusk) March 11, 2024

The parser never invents text: every post's text is a run of whole lines of the cleaned
article body, and the body is the repaired input with only page debris and stray whitespace
taken out.
"""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import ftfy

from .text import extract_links, extract_mentions, normalize_for_match

MAX_BYTES = 2 * 1024 * 1024
MAX_TITLE = 300  # Article.title
MAX_NAME = 200  # Post.display_name_shown
HANDLE_RE = re.compile(r"^[A-Za-z0-9_]{1,15}$")

Progress = Callable[[int, int], None]

# ftfy repairs text decoded with the wrong character set (in the seed, the X logo reads
# "đť•Ź"), but some of its other fixes would rewrite what the article printed: curly quotes,
# full-width letters, ligatures, HTML entities. Those stay as written.
_FTFY = ftfy.TextFixerConfig(
    fix_line_breaks=False,  # done before, so that line numbers stay put
    unescape_html=False,
    uncurl_quotes=False,
    fix_character_width=False,
    fix_latin_ligatures=False,
    explain=False,
)

# --- what a line of a copied page may carry -------------------------------------------------

_LINE_BREAKS = re.compile(r"\r\n|[\r\u2028\u2029\x85]")
_ODD_SPACES = re.compile(r"[\t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# Invisible characters a copy leaves behind. Not U+200D (zero-width joiner): emoji need it.
_INVISIBLE = re.compile(r"[\u200b\u2060\ufeff\u00ad]")
_RUN_OF_SPACES = re.compile(r" {2,}")
_BLOCKQUOTE = re.compile(r"^(?:>(?: |$))+")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)(?:\s+#+)?$")
_SETEXT_RULE = re.compile(r"^(?:={3,}|-{3,})$")
# "… Read More »" and its kin: links to the full story left over from the page.
_READ_MORE = re.compile(
    r"(?:^|\s)(?:read\s+more|continue\s+reading|read\s+the\s+full\s+(?:article|story))"
    r"\s*(?:»|›|→|>>)\s*$"
    r"|^(?:\.\.\.|…)?\s*(?:read\s+more|continue\s+reading)\s*(?:\.\.\.|…)?$",
    re.IGNORECASE,
)

# --- attribution lines ------------------------------------------------------------------------

# "— Marc Andreessen 🇺🇸 (@pmarca) March 2, 2024", with an em dash, en dash, "--" or "-";
# the date may be missing (an undated post).
ATTRIBUTION_RE = re.compile(
    r"^(?P<dash>—|–|―|--|-)\s*(?P<name>.+?)\s*\(\s*@(?P<handle>[^()\s]*)\s*\)\s*(?P<when>.*)$"
)
# The date may be a Markdown link to the post: "[March 2, 2024](https://x.com/a/status/1)".
_MD_LINK = re.compile(r"^\[(?P<label>[^\]]*)\]\((?P<url>[^)\s]+)\)$")
_STATUS_URL = re.compile(
    r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(?P<handle>[A-Za-z0-9_]{1,15})"
    r"/status(?:es)?/(?P<id>\d+)",
    re.IGNORECASE,
)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_MONTH = r"(?P<month>[A-Za-z]+)\.?"
_YEAR = r"(?P<year>\d{4})"
_DATE_FORMS = [
    re.compile(rf"{_MONTH}\s+{_DAY},?\s+{_YEAR}", re.IGNORECASE),  # March 2, 2024
    re.compile(rf"{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}", re.IGNORECASE),  # 2 March 2024
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"),  # 2024-03-02
]
_TIME = re.compile(r"\b\d{1,2}:\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?")
_SEPARATORS = " \t·•|,;–—-"
MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    MONTHS[calendar.month_name[_number].lower()] = _number
    MONTHS[calendar.month_abbr[_number].lower()] = _number
MONTHS["sept"] = 9
FIRST_YEAR_OF_X = 2006  # Twitter's first post


@dataclass(frozen=True)
class Problem:
    """Something in the input that stops the import, with the line it is on."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}" if self.line else self.message


class ParseError(ValueError):
    """The input cannot be imported. ``problems`` says why, line by line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Note:
    """A warning or a remark for the editor; it does not stop the import."""

    line: int | None
    message: str
    kind: str = "warning"

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}" if self.line else self.message


@dataclass
class ParsedPost:
    number: int  # 1 for the first post quoted, and so on
    author: str  # the display name as shown, emoji and all
    handle: str  # without the @
    date: datetime.date | None
    text: str
    links: list[str]
    mentions: list[str]
    first_line: int
    last_line: int
    attribution_line: int
    permalink: str = ""
    warnings: list[Note] = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        """The article cut the post short (it ends with an ellipsis)."""
        return self.text.endswith(("…", "..."))

    @property
    def lines(self) -> str:
        if self.first_line == self.last_line:
            return f"line {self.first_line}"
        return f"lines {self.first_line}–{self.last_line}"


@dataclass(frozen=True)
class ReplySuggestion:
    """Post ``post`` @mentions ``handle``, whose latest earlier post is ``target``.

    Only a suggestion: nothing is stored until an editor confirms it.
    """

    post: int
    target: int
    handle: str


@dataclass
class ParsedArticle:
    title: str
    body: str
    posts: list[ParsedPost]
    suggestions: list[ReplySuggestion]
    warnings: list[Note]
    repairs: list[Note]  # characters repaired (mojibake)
    removed: list[Note]  # page debris left out of the body
    title_line: int
    line_count: int

    def post(self, number: int) -> ParsedPost:
        return self.posts[number - 1]

    @property
    def speaker_handles(self) -> list[str]:
        """Each handle once (first spelling seen), in order of first appearance."""
        seen: dict[str, str] = {}
        for post in self.posts:
            seen.setdefault(post.handle.lower(), post.handle)
        return list(seen.values())


@dataclass
class _Line:
    number: int
    text: str
    quoted: bool = False  # a Markdown blockquote line ("> ...")
    heading: bool = False  # a Markdown heading ("## ...")


# --- reading bytes ------------------------------------------------------------------------------

_MAGIC = [
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a zip archive (a Word or OpenDocument file is one)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an old Word or Excel document"),
]


def size_label(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


LIMIT_LABEL = f"{MAX_BYTES // (1024 * 1024)} MB"


def check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise ParseError(
            [Problem(None, f"The text is {size_label(size)}; the limit is {LIMIT_LABEL}.")]
        )


def decode(data: bytes) -> str:
    """The text of an uploaded file: UTF-8 (a byte-order mark is fine), within the limit."""
    check_size(len(data))
    if not data.strip():
        raise ParseError([Problem(None, "The file is empty: there is no text to import.")])
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise ParseError(
                [Problem(1, f"This is {kind}, not text. Save the article as a .txt file.")]
            )
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise ParseError([Problem(line, "This looks like a binary file, not text (a NUL byte).")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        byte = data[error.start]
        raise ParseError(
            [
                Problem(
                    line,
                    f"the file is not UTF-8 (byte 0x{byte:02X} at column {column}). "
                    "Save it as UTF-8 and try again.",
                )
            ]
        ) from None


# --- cleaning -----------------------------------------------------------------------------------


def repair(text: str) -> tuple[str, list[Note]]:
    """Undo mojibake with ftfy, line by line; say on which lines, and what became what.

    Every kind of line break counts as one, so line numbers mean the same everywhere after.
    A line of printable ASCII has nothing to repair (mojibake is never ASCII): skipping those
    keeps long files fast.
    """
    lines = _LINE_BREAKS.sub("\n", text).split("\n")
    notes: list[Note] = []
    for index, line in enumerate(lines):
        if line.isascii() and line.isprintable():
            continue
        fixed = ftfy.fix_text(line, _FTFY)
        if fixed != line:
            old, new = _changed_span(line, fixed)
            notes.append(Note(index + 1, f"repaired “{old}” to “{new}”", "repair"))
            lines[index] = fixed
    return "\n".join(lines), notes


def _changed_span(a: str, b: str) -> tuple[str, str]:
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    return a[start : len(a) - end], b[start : len(b) - end]


def _clean_line(number: int, raw: str) -> _Line:
    text = _INVISIBLE.sub("", _ODD_SPACES.sub(" ", raw)).strip()
    quoted = False
    marker = _BLOCKQUOTE.match(text)
    if marker:
        quoted, text = True, text[marker.end() :].strip()
    heading = False
    md_heading = _MD_HEADING.match(text)
    if md_heading:
        heading, text = True, md_heading.group(1)
    return _Line(number, _RUN_OF_SPACES.sub(" ", text), quoted=quoted, heading=heading)


def _same_words(a: str, b: str) -> bool:
    # Cleaned lines have single spaces and quote marks map one to one: lengths must match.
    return (
        len(a) == len(b) and normalize_for_match(a).casefold() == normalize_for_match(b).casefold()
    )


def _excerpt(text: str, length: int = 70) -> str:
    return text if len(text) <= length else f"{text[: length - 1]}…"


# --- parsing ------------------------------------------------------------------------------------


@dataclass
class _Attribution:
    name: str
    handle: str
    date: datetime.date | None
    permalink: str
    notes: list[Note]


def parse(text: str, progress: Progress | None = None) -> ParsedArticle:
    """Read an article. Raises ParseError, listing every problem with its line number."""
    check_size(len(text.encode("utf-8", "surrogatepass")))
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ParseError([Problem(line, "This looks like binary data, not text (a NUL byte).")])
    repaired, repairs = repair(text)
    lines = [_clean_line(n, raw) for n, raw in enumerate(repaired.split("\n"), start=1)]
    content = [line for line in lines if line.text]
    if not content:  # nothing, or only spaces and invisible characters
        raise ParseError([Problem(None, "The article is empty: there is no text to import.")])
    problems: list[Problem] = []
    title = content[0]
    _check_title(title, problems)
    body_lines, removed = _body_lines(lines[title.number :], title.text)
    posts, warnings = _find_posts(body_lines, problems, progress)
    if problems:
        raise ParseError(problems)
    if not posts:
        warnings.append(
            Note(
                None,
                "No quoted posts found. The article can still be imported on its own. A post "
                "is recognised by the attribution line under its text, such as "
                "“— Name (@handle) March 2, 2024”.",
                "no-posts",
            )
        )
    warnings.sort(key=lambda note: note.line or 0)
    return ParsedArticle(
        title=title.text,
        body="\n".join(line.text for line in body_lines),
        posts=posts,
        suggestions=suggest_replies(posts),
        warnings=warnings,
        repairs=repairs,
        removed=removed,
        title_line=title.number,
        line_count=len(lines),
    )


def _check_title(title: _Line, problems: list[Problem]) -> None:
    if len(title.text) > MAX_TITLE:
        problems.append(
            Problem(
                title.number,
                f"the first line is the title, and it is {len(title.text)} characters long; the "
                f"limit is {MAX_TITLE}. Put the title on a line of its own.",
            )
        )
    if ATTRIBUTION_RE.match(title.text):
        problems.append(
            Problem(
                title.number,
                "the first line should be the article's title, but it is an attribution line.",
            )
        )


def _body_lines(after_title: list[_Line], title: str) -> tuple[list[_Line], list[Note]]:
    """The lines after the title, without page debris, runs of blank lines made one."""
    body: list[_Line] = []
    removed: list[Note] = []
    for index, line in enumerate(after_title):
        if not line.text:
            if body and body[-1].text:
                body.append(line)
            continue
        if index == 0 and _SETEXT_RULE.match(line.text):
            removed.append(Note(line.number, "removed the line under the title", "removed"))
        elif _READ_MORE.search(line.text):
            removed.append(
                Note(line.number, f"removed page debris “{_excerpt(line.text)}”", "removed")
            )
        elif _same_words(line.text, title):
            removed.append(Note(line.number, "removed the title, repeated", "removed"))
        else:
            body.append(line)
    while body and not body[-1].text:
        body.pop()
    return body, removed


def _find_posts(
    lines: list[_Line], problems: list[Problem], progress: Progress | None
) -> tuple[list[ParsedPost], list[Note]]:
    """Every post above an attribution line, each once, with the warnings about them."""
    double_spaced = _is_double_spaced(lines)
    posts: list[ParsedPost] = []
    warnings: list[Note] = []
    seen: dict[tuple[str, str, datetime.date | None], ParsedPost] = {}
    for index, line in enumerate(lines):
        if progress and index % 5000 == 0:
            progress(index, len(lines))
        match = ATTRIBUTION_RE.match(line.text)
        attribution = _read_attribution(line, match, problems) if match else None
        if attribution is None:
            continue
        block = _post_block(lines, index, double_spaced)
        if not block:
            warnings.append(
                Note(
                    line.number,
                    "an attribution line with no post text above it; nothing was taken from it.",
                )
            )
            continue
        text = "\n".join(part.text for part in block)
        key = (attribution.handle.lower(), text, attribution.date)
        if key in seen:
            first = seen[key]
            warnings.append(
                Note(
                    line.number,
                    f"repeats post {first.number} (line {first.first_line}); it is kept once.",
                    "repeat",
                )
            )
            continue
        post = ParsedPost(
            number=len(posts) + 1,
            author=attribution.name,
            handle=attribution.handle,
            date=attribution.date,
            text=text,
            links=extract_links(text),
            mentions=extract_mentions(text),
            first_line=block[0].number,
            last_line=block[-1].number,
            attribution_line=line.number,
            permalink=attribution.permalink,
            warnings=list(attribution.notes),
        )
        if post.date is None:
            post.warnings.append(
                Note(
                    line.number, "no date on the attribution line: the post is undated.", "undated"
                )
            )
        warnings.extend(post.warnings)
        posts.append(post)
        seen[key] = post
    if progress:
        progress(len(lines), len(lines))
    return posts, warnings


def _is_double_spaced(lines: list[_Line]) -> bool:
    """Whether paragraphs are separated by blank lines (Markdown and many copies) rather than
    one per line (as in the seed). Only then can a post run over several lines unmarked."""
    # Paragraphs between blank lines: mostly one line each when blank lines separate
    # paragraphs; a few long runs when a single-spaced copy has a stray blank line or two.
    single = several = run = 0
    for line in [*lines, _Line(0, "")]:
        if line.text and ATTRIBUTION_RE.match(line.text):
            continue  # under a post, blank lines or not
        if line.text and not line.quoted:
            run += 1
            continue
        if run == 1:
            single += 1
        elif run > 1:
            several += 1
        run = 0
    return single >= 2 and single >= several


def _post_block(lines: list[_Line], index: int, double_spaced: bool) -> list[_Line]:
    """The lines of the post whose attribution line is ``lines[index]``."""

    def stops(line: _Line) -> bool:
        return line.heading or bool(ATTRIBUTION_RE.match(line.text))

    start = index
    above = lines[index - 1] if index > 0 else None
    if above is not None and above.quoted:
        # A Markdown blockquote: every quoted line above belongs, blank quoted lines too.
        while start > 0 and lines[start - 1].quoted and not stops(lines[start - 1]):
            start -= 1
    elif double_spaced:
        while start > 0 and lines[start - 1].text and not stops(lines[start - 1]):
            start -= 1
    elif above is not None and above.text and not stops(above):
        start = index - 1
    block = lines[start:index]
    while block and not block[0].text:
        block = block[1:]
    while block and not block[-1].text:
        block = block[:-1]
    return block


def _read_attribution(
    line: _Line, match: re.Match[str], problems: list[Problem]
) -> _Attribution | None:
    name, handle, when = match.group("name"), match.group("handle"), match.group("when").strip()
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
    return _Attribution(name, handle, date, permalink, notes) if ok else None


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


def suggest_replies(posts: list[ParsedPost]) -> list[ReplySuggestion]:
    """A post that @mentions someone who posted earlier in the article is suggested as a reply
    to that person's latest earlier post (never to a later-dated one)."""
    latest: dict[str, list[ParsedPost]] = {}
    suggestions: list[ReplySuggestion] = []
    for post in posts:
        best: ParsedPost | None = None
        best_handle = ""
        for handle in post.mentions:
            if handle.lower() == post.handle.lower():
                continue
            for earlier in reversed(latest.get(handle.lower(), [])):
                if post.date and earlier.date and earlier.date > post.date:
                    continue
                if best is None or earlier.number > best.number:
                    best, best_handle = earlier, handle
                break
        if best is not None:
            suggestions.append(ReplySuggestion(post.number, best.number, best_handle))
        latest.setdefault(post.handle.lower(), []).append(post)
    return suggestions


def speaker_name(display_name: str, handle: str) -> str:
    """A speaker's name from the display name shown: no emoji, no "| tagline"."""
    kept = "".join(
        char
        for char in display_name
        if unicodedata.category(char) not in {"So", "Sk", "Cf", "Cs", "Co", "Me"}
        and char not in "\ufe0e\ufe0f"
    )
    kept = re.split(r"\s[|·•]\s", kept)[0]
    kept = _RUN_OF_SPACES.sub(" ", kept).strip(" -–—|·•,")
    return kept or handle
