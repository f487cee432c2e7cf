"""Read what a reader would see in a page: which posts, in which order, nested how deep."""

import re
from html.parser import HTMLParser


class _ThreadReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []  # "replies" for a nested list of replies, "" otherwise
        self.posts: list[tuple[int, int, bool]] = []  # (pk, depth, is_context)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "ol":
            self.stack.append("replies" if "replies" in classes else "")
        match = re.fullmatch(r"post-(\d+)", attributes.get("id") or "")
        if tag == "article" and match:
            depth = self.stack.count("replies")
            self.posts.append((int(match.group(1)), depth, "card--context" in classes))

    def handle_endtag(self, tag: str) -> None:
        if tag == "ol" and self.stack:
            self.stack.pop()


def posts_shown(html: str) -> list[tuple[int, int, bool]]:
    """Each post card in page order as (post id, reply depth, shown only as context)."""
    reader = _ThreadReader()
    reader.feed(html)
    return reader.posts


def post_ids(html: str) -> list[int]:
    return [pk for pk, _, _ in posts_shown(html)]


class _BadgeReader(HTMLParser):
    """The words of each stance badge (``span.badge``), as a reader reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # open spans inside the current badge; 0 outside any
        self.hidden = 0  # of those, how many deep inside a visually hidden one
        self.badges: list[str] = []
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "span":
            return
        classes = (dict(attrs).get("class") or "").split()
        if self.depth:
            self.depth += 1
            if self.hidden or "visually-hidden" in classes:
                self.hidden += 1
        elif "badge" in classes:
            self.depth = 1
            self.badges.append("")
            self.visible.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self.depth:
            self.depth -= 1
            if self.hidden:
                self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.badges[-1] += data
            if not self.hidden:
                self.visible[-1] += data


def badges(html: str, *, visible: bool = False) -> list[str]:
    """The text of each stance badge in page order, spaces folded; with ``visible``, only
    what is drawn on screen (no visually hidden words)."""
    reader = _BadgeReader()
    reader.feed(html)
    found = reader.visible if visible else reader.badges
    return [" ".join(text.split()) for text in found]
