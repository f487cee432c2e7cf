"""Read a copied news article: its title, its body and the posts from X it quotes.

Pure Python (no Django), so the rules for what real copied articles contain are tested fast
and on their own. ``debate.imports.lines`` cleans the lines this module reads, and
``debate.imports.attribution`` reads each attribution line; ``debate.imports.plan`` and
``debate.imports.save`` look up and save what it finds.

A quoted post is recognised by the attribution line below its text, as X's embed prints it::

    This week, @engine will publish its plans
    — Ada Lovelace (@ada) March 11, 2024

The parser never invents text: every post's text is a run of whole lines of the cleaned
article body, and the body is the repaired input with only page debris and stray whitespace
taken out.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from ..text import extract_links, extract_mentions, match_attribution, normalize_newlines
from .attribution import read_attribution
from .lines import (
    RUN_OF_SPACES,
    Line,
    Note,
    ParseError,
    Problem,
    Progress,
    body_lines,
    check_size,
    clean_line,
    repair,
)

MAX_TITLE = 300  # Article.title


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


# --- parsing ------------------------------------------------------------------------------------


def parse(text: str, progress: Progress | None = None) -> ParsedArticle:
    """Read an article. Raises ParseError, listing every problem with its line number.

    The size limit applies to the text as it is read, with LF line endings: a browser sends a
    pasted text back with CRLF, and the same text must pass whichever way it came.
    """
    text = normalize_newlines(text)
    check_size(len(text.encode("utf-8", "surrogatepass")))
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ParseError([Problem(line, "This looks like binary data, not text (a NUL byte).")])
    repaired, repairs = repair(text)
    lines = [clean_line(n, raw) for n, raw in enumerate(repaired.split("\n"), start=1)]
    content = [line for line in lines if line.text]
    if not content:  # nothing, or only spaces and invisible characters
        raise ParseError([Problem(None, "The article is empty: there is no text to import.")])
    problems: list[Problem] = []
    title = content[0]
    _check_title(title, problems)
    body, removed = body_lines(lines[title.number :], title.text)
    posts, warnings = _find_posts(body, problems, progress)
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
        body="\n".join(line.text for line in body),
        posts=posts,
        suggestions=suggest_replies(posts),
        warnings=warnings,
        repairs=repairs,
        removed=removed,
        title_line=title.number,
        line_count=len(lines),
    )


def _check_title(title: Line, problems: list[Problem]) -> None:
    if len(title.text) > MAX_TITLE:
        problems.append(
            Problem(
                title.number,
                f"the first line is the title, and it is {len(title.text)} characters long; the "
                f"limit is {MAX_TITLE}. Put the title on a line of its own.",
            )
        )
    if match_attribution(title.text):
        problems.append(
            Problem(
                title.number,
                "the first line should be the article's title, but it is an attribution line.",
            )
        )


def _find_posts(
    lines: list[Line], problems: list[Problem], progress: Progress | None
) -> tuple[list[ParsedPost], list[Note]]:
    """Every post above an attribution line, each once, with the warnings about them."""
    double_spaced = _is_double_spaced(lines)
    posts: list[ParsedPost] = []
    warnings: list[Note] = []
    seen: dict[tuple[str, str, datetime.date | None], ParsedPost] = {}
    for index, line in enumerate(lines):
        if progress and index % 5000 == 0:
            progress(index, len(lines))
        match = match_attribution(line.text)
        attribution = read_attribution(line, match, problems) if match else None
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


def _is_double_spaced(lines: list[Line]) -> bool:
    """Whether paragraphs are separated by blank lines (Markdown and many copies) rather than
    one per line (as in the seed). Only then can a post run over several lines unmarked."""
    # Paragraphs between blank lines: mostly one line each when blank lines separate
    # paragraphs; a few long runs when a single-spaced copy has a stray blank line or two.
    single = several = run = 0
    for line in [*lines, Line(0, "")]:
        if line.text and match_attribution(line.text):
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


def _post_block(lines: list[Line], index: int, double_spaced: bool) -> list[Line]:
    """The lines of the post whose attribution line is ``lines[index]``."""

    def stops(line: Line) -> bool:
        return line.heading or bool(match_attribution(line.text))

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
    kept = RUN_OF_SPACES.sub(" ", kept).strip(" -–—|·•,")
    return kept or handle
