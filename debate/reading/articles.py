"""Lay out an article's verbatim body: prose paragraphs, headings and quoted posts in place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.db.models import Count, F, Prefetch

from ..models import Article, ArticlePost, Claim, Debate, Post
from ..text import locate_quote, match_attribution
from .cards import card_fetch_mode, make_entry, posts_for_cards, public_stances
from .names import mark_alike

_SENTENCE_END = (".", "…", "»", ":", ";", ",")
HEADING_MAX_WORDS = 10


@dataclass
class Block:
    kind: str  # "heading", "paragraph" or "post"
    text: str = ""
    post: Any = None
    claims: list[Any] = field(default_factory=list)  # prose claims quoted in this paragraph

    @property
    def html(self) -> str:
        """The paragraph, escaped, with each claim's quote marked and referenced."""
        spans: list[tuple[int, int, Any]] = []
        for claim in self.claims:
            found = locate_quote(claim.quote, self.text)
            if found is None:
                continue
            start, end = found
            if all(end <= s or start >= e for s, e, _ in spans):
                spans.append((start, end, claim))
        pieces, position = [], 0
        for start, end, claim in sorted(spans, key=lambda span: span[0]):
            pieces.append(escape(self.text[position:start]))
            pieces.append(
                f'<mark class="claim-mark">{escape(self.text[start:end])}</mark>'
                f'<a class="claim-ref" href="#claim-{claim.pk}">'
                f"{escape(claim.speaker.name)}’s claim</a>"
            )
            position = end
        pieces.append(escape(self.text[position:]))
        return "".join(pieces)


def _is_heading(line: str) -> bool:
    # Copied articles lose their markup: a line of a few words that ends no sentence was a
    # heading ("Breaking New Ground with Grok", "OpenAI: A Misnomer?").
    stripped = line.strip()
    return 0 < len(stripped.split()) <= HEADING_MAX_WORDS and not stripped.endswith(_SENTENCE_END)


def layout(body: str, posts: Sequence[Any], claims: Sequence[Any] = ()) -> list[Block]:
    """Split ``body`` into blocks, replacing each quoted post and its attribution line with
    the post itself. ``posts`` are in order of appearance and have a ``text`` attribute;
    ``claims`` (with ``quote``) are marked in the paragraphs that contain their quote."""
    blocks: list[Block] = []
    position = 0
    for post in posts:
        found = _find_quoted(body, post.text, position)
        if found is None:
            continue  # not verbatim in this body: it still shows in the article's post list
        start, end = found
        blocks.extend(_prose_blocks(body[position:start]))
        blocks.append(Block("post", post=post))
        position = end
    blocks.extend(_prose_blocks(body[position:]))
    for block in blocks:
        if block.kind == "paragraph":
            block.claims = [c for c in claims if locate_quote(c.quote, block.text) is not None]
    return blocks


def _find_quoted(body: str, text: str, position: int) -> tuple[int, int] | None:
    """Where the quoted post stands: at the start of a line, closed by its attribution line.

    The same words may also occur in the prose ("Lovelace wrote, “The engine is open,”"), so the
    first occurrence is not enough. Returns the span to replace, attribution included.
    """
    fallback = None
    start = body.find(text, position)
    while start >= 0:
        at_line_start = start == 0 or body[start - 1] == "\n"
        end = start + len(text)
        if at_line_start and (end == len(body) or body[end] == "\n"):
            line_end = body.find("\n", end + 1)
            line_end = len(body) if line_end < 0 else line_end
            if match_attribution(body[end + 1 : line_end].strip()):
                return start, line_end
            fallback = fallback or (start, end)
        start = body.find(text, start + 1)
    return fallback


def _prose_blocks(text: str) -> list[Block]:
    return [
        Block("heading" if _is_heading(line) else "paragraph", text=line.strip())
        for line in text.split("\n")
        if line.strip()
    ]


def article_page(article: Article) -> dict[str, Any]:
    """An article page's context: its body laid out with its quoted posts as cards in place,
    and the claims its prose attributes to speakers marked. Five queries."""
    positions = dict(ArticlePost.objects.filter(article=article).values_list("post_id", "position"))
    posts = posts_for_cards(Post.objects.filter(pk__in=positions)).fetch_mode(card_fetch_mode())
    entries = sorted((make_entry(post) for post in posts), key=lambda e: positions[e.post.pk])
    claims = list(
        Claim.objects.filter(article=article)
        .select_related("speaker")
        .prefetch_related(Prefetch("stances", queryset=public_stances()))
        .order_by("pk")
    )
    mark_alike(claim.speaker for claim in claims)
    entry_by_post = {entry.post.pk: entry for entry in entries}
    blocks = layout(article.body, [entry.post for entry in entries], claims)
    for block in blocks:
        if block.kind == "post":
            block.post = entry_by_post[block.post.pk]
    return {
        "article": article,
        "debate": article.debate,
        "blocks": blocks,
        "entries": entries,
        "claims": claims,
    }


def debate_articles(debate: Debate) -> list[Article]:
    """``debate``'s articles, newest first, each with ``n_posts`` (the posts it quotes) and
    ``n_claims`` (claims drawn from its prose): one query."""
    return list(
        debate.articles.annotate(
            n_posts=Count("quoted_posts", distinct=True), n_claims=Count("claims", distinct=True)
        ).order_by(F("published_on").desc(nulls_last=True), "title")
    )
