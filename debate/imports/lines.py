"""The lines of a copied article: its bytes decoded, mojibake repaired, each line cleaned, and
page debris left out.

Pure Python (no Django), like ``debate.imports.parse``, which reads the posts in these lines.
The problems and notes every step of an import reports are defined here, at the bottom of the
wing. Nothing is ever invented: the body is the repaired input with only page debris and
stray whitespace taken out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import ftfy

from ..text import normalize_for_match

MAX_BYTES = 2 * 1024 * 1024

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
RUN_OF_SPACES = re.compile(r" {2,}")
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
class Line:
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
    """The text of an uploaded file: UTF-8 (a byte-order mark is fine), within the limit.

    The limit counts the text as it is read: each CRLF is one line break, as in ``parse``.
    """
    check_size(len(data) - data.count(b"\r\n"))
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


def clean_line(number: int, raw: str) -> Line:
    text = _INVISIBLE.sub("", _ODD_SPACES.sub(" ", raw)).strip()
    quoted = False
    marker = _BLOCKQUOTE.match(text)
    if marker:
        quoted, text = True, text[marker.end() :].strip()
    heading = False
    md_heading = _MD_HEADING.match(text)
    if md_heading:
        heading, text = True, md_heading.group(1)
    return Line(number, RUN_OF_SPACES.sub(" ", text), quoted=quoted, heading=heading)


def _same_words(a: str, b: str) -> bool:
    # Cleaned lines have single spaces and quote marks map one to one: lengths must match.
    return (
        len(a) == len(b) and normalize_for_match(a).casefold() == normalize_for_match(b).casefold()
    )


def excerpt(text: str, length: int = 70) -> str:
    """``text``, cut to ``length`` characters with an ellipsis, for a note."""
    return text if len(text) <= length else f"{text[: length - 1]}…"


def body_lines(after_title: list[Line], title: str) -> tuple[list[Line], list[Note]]:
    """The lines after the title, without page debris, runs of blank lines made one."""
    body: list[Line] = []
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
                Note(line.number, f"removed page debris “{excerpt(line.text)}”", "removed")
            )
        elif _same_words(line.text, title):
            removed.append(Note(line.number, "removed the title, repeated", "removed"))
        else:
            body.append(line)
    while body and not body[-1].text:
        body.pop()
    return body, removed
