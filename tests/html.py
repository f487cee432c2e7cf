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
