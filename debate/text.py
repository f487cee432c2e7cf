"""Pure text helpers: ids read from requests, link extraction, quote matching, safe rendering.

Nothing here touches the database, so tests call it directly.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

import markdown
import nh3

# The largest row id the databases hold (a signed 64-bit integer: SQLite's INTEGER and
# PostgreSQL's bigint); past it, SQLite refuses the query outright.
MAX_ID = 2**63 - 1


def parse_id(text: object) -> int | None:
    """The number in a row id from a request (a URL, a parameter, a form field): ASCII digits
    within ``MAX_ID``, or None. ``str.isdigit`` is not the test: "²".isdigit() is true, and
    int() refuses it."""
    text = str(text)
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


# A URL as it appears in a copied post: with a scheme, or X's bare "pic.twitter.com/..." form.
URL_RE = re.compile(r"(?:https?://|pic\.twitter\.com/)[^\s<>\"“”‘’]+", re.IGNORECASE)
MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{1,15})\b")
# Trailing punctuation that ends a sentence rather than a URL.
_URL_TRAILING = ".,;:!?)…"

# The line that closes a quoted post, as X's embed prints it and articles copy it: "— Ada
# Lovelace 🇬🇧 (@ada) March 2, 2024". The importer finds posts by it and the article page
# lays them out by it. Any dash; the date may be missing (an undated post). Read by hand, in
# one pass (``match_attribution``): a regular expression for it backtracks over runs of spaces.
ATTRIBUTION_DASHES = ("—", "–", "―", "--", "-")
# No real attribution line is this long (a name of 200 characters, a handle, a linked date):
# longer lines are prose, and are never read as one.
MAX_ATTRIBUTION_LINE = 1000
# "(@handle)": no part can match what another part matched, so it cannot backtrack.
_HANDLE_IN_PARENS = re.compile(r"\(\s*@(?P<handle>[^()\s]*)\s*\)")


@dataclass(frozen=True)
class AttributionParts:
    """An attribution line split into its parts; ``when`` is what follows the handle."""

    dash: str
    name: str
    handle: str
    when: str

    def group(self, name: str) -> str:
        return getattr(self, name)


def match_attribution(line: str) -> AttributionParts | None:
    """The parts of an attribution line ("— Name (@handle) date"), or None if it is not one.

    A dash, a name, the first "(@handle)" after the name, and the rest as the date. Linear
    in the line's length; a line over ``MAX_ATTRIBUTION_LINE`` characters is never one.
    """
    if len(line) > MAX_ATTRIBUTION_LINE:
        return None
    for dash in ATTRIBUTION_DASHES:
        if not line.startswith(dash):
            continue
        rest = line[len(dash) :]
        found = _HANDLE_IN_PARENS.search(rest, 1)
        while found is not None:
            name = rest[: found.start()].strip()
            if name:
                when = rest[found.end() :].strip()
                return AttributionParts(dash, name, found.group("handle"), when)
            found = _HANDLE_IN_PARENS.search(rest, found.start() + 1)
    return None


_QUOTE_MARKS = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})
_SPACE_RE = re.compile(r"\s+")

MARKDOWN_TAGS = {
    "p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "hr",
}  # fmt: skip


def extract_links(text: str) -> list[str]:
    """The links a post's text contains, in order, without duplicates, as absolute URLs."""
    links: list[str] = []
    for match in URL_RE.finditer(text):
        url = match.group(0).rstrip(_URL_TRAILING)
        if not url.lower().startswith("http"):
            url = f"https://{url}"
        if url not in links:
            links.append(url)
    return links


def extract_mentions(text: str) -> list[str]:
    """The @handles a text mentions, without the @, in order of first appearance."""
    seen: list[str] = []
    for handle in MENTION_RE.findall(text):
        if handle.lower() not in (h.lower() for h in seen):
            seen.append(handle)
    return seen


def normalize_for_match(text: str) -> str:
    """Fold whitespace and quote-mark style so a quote is found however it was retyped."""
    return _SPACE_RE.sub(" ", text.translate(_QUOTE_MARKS)).strip()


def locate_quote(quote: str, source: str) -> tuple[int, int] | None:
    """Where ``quote`` sits in ``source`` (code point offsets), or None if it does not.

    The one quote matcher: claims' quotes and evidence are checked with it when saved, marked
    with it on article pages and anchored with it in the Web Annotation export. An exact match
    first; else one that ignores whitespace and quote-mark style, so a quote is found however
    it was retyped. Linear in the source's length.
    """
    if not quote.strip():
        return None
    start = source.find(quote)
    if start >= 0:
        return start, start + len(quote)
    needle = normalize_for_match(quote)
    if not needle:
        return None
    # Fold the source the same way, remembering where each folded character came from.
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(source):
        if char.isspace():
            if folded and folded[-1] == " ":
                continue  # only whitespace folds to a space: this run is already one
            folded.append(" ")
        else:
            folded.append(char.translate(_QUOTE_MARKS))
        origin.append(index)
    found = "".join(folded).find(needle)
    if found < 0:
        return None
    return origin[found], origin[found + len(needle) - 1] + 1


def quote_occurs(quote: str, source: str) -> bool:
    """Whether ``quote`` appears in ``source``, ignoring whitespace and quote-mark style."""
    return locate_quote(quote, source) is not None


def sanitize(html: str) -> str:
    """The one gate every rendered fragment of user text passes through."""
    return nh3.clean(
        html,
        tags=MARKDOWN_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )


# The Markdown library looks for the end of a link or image from every "[" it meets, to the end
# of the text: brackets times length. Past this budget (50 brackets in 5,000 characters, 500 in
# 500), brackets are shown as written rather than read as links.
MARKDOWN_LINK_BUDGET = 250_000
_LINK_PATTERNS = (
    "reference", "link", "image_link", "image_reference", "short_reference", "short_image_ref",
)  # fmt: skip


def render_markdown(text: str) -> str:
    """Markdown to sanitized HTML (raw HTML in the source is escaped away by nh3).

    Fast on any input: text with too many brackets for its length (``MARKDOWN_LINK_BUDGET``)
    is rendered without links, and text nested too deep for the library (a line of
    "+ + + ...", lists in lists) is shown as escaped paragraphs.
    """
    md = markdown.Markdown(extensions=["sane_lists"], output_format="html")
    if text.count("[") * len(text) > MARKDOWN_LINK_BUDGET:
        for name in _LINK_PATTERNS:
            md.inlinePatterns.deregister(name, strict=False)
    try:
        html = md.convert(text)
    except RecursionError:
        html = "".join(f"<p>{escape(part)}</p>" for part in text.split("\n\n") if part.strip())
    return sanitize(html)


_LINE_ENDINGS_RE = re.compile(r"\r\n?")


def normalize_newlines(text: str) -> str:
    """A browser's textarea sends CRLF line endings: store and split text with LF only."""
    return _LINE_ENDINGS_RE.sub("\n", text)


def render_post_text(text: str) -> str:
    """A post's text as HTML: escaped verbatim, with its links and @mentions made clickable.

    Line breaks are kept by CSS (``white-space: pre-line``), so the text stays verbatim.
    """
    pieces: list[str] = []
    position = 0
    tokens = sorted(
        [(m.start(), m.end(), "url") for m in URL_RE.finditer(text)]
        + [(m.start(), m.end(), "mention") for m in MENTION_RE.finditer(text)]
    )
    for start, end, kind in tokens:
        if start < position:
            continue  # a mention inside a URL
        token = text[start:end]
        trailing = ""
        if kind == "url":
            stripped = token.rstrip(_URL_TRAILING)
            trailing, token = token[len(stripped) :], stripped
            href = token if token.lower().startswith("http") else f"https://{token}"
        else:
            href = f"https://x.com/{token[1:]}"
        pieces.append(escape(text[position:start]))
        pieces.append(f'<a href="{escape(href)}">{escape(token)}</a>{escape(trailing)}')
        position = end
    pieces.append(escape(text[position:]))
    return sanitize("".join(pieces))


_TAG_OR_ENTITY_RE = re.compile(r"(<[^>]*>|&#?\w+;)")


def highlight(html: str, words: Iterable[str], *, whole_words: bool = False) -> str:
    """Wrap ``words`` in ``<mark>`` wherever they occur in the text of ``html`` (not inside
    tags or character entities). Case is ignored; ``whole_words`` matches only whole words."""
    terms = sorted({word for word in words if word.strip()}, key=len, reverse=True)
    if not terms:
        return html
    alternatives = "|".join(re.escape(escape(term)) for term in terms)
    pattern = re.compile(rf"\b(?:{alternatives})\b" if whole_words else alternatives, re.I)
    pieces = _TAG_OR_ENTITY_RE.split(html)
    for index in range(0, len(pieces), 2):  # even pieces are text, odd ones tags or entities
        pieces[index] = pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", pieces[index])
    return "".join(pieces)
