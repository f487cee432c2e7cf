"""What importing a parsed article would do, given what the database holds (read only).

``plan_import`` looks up speakers by handle, whatever the case; posts already known (same
speaker, same words, same day), which are linked rather than copied; likely duplicates; an
article imported before. ``debate.imports.decisions`` checks the editor's choices against
the plan; ``debate.imports.save`` writes it all.

Query counts depend on the size of the article, in batches, never on the size of the database.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.functions import Lower

from ..models import Article, Post, Speaker
from ..text import normalize_for_match
from .lines import Note, excerpt
from .parse import ParsedArticle, ParsedPost, speaker_name

BATCH = 500
MAX_POSTS = 32767  # ArticlePost.position is a small integer


@dataclass
class SpeakerPlan:
    handle: str
    display_name: str  # as shown on the first post that names this handle
    speaker: Speaker | None  # the existing speaker with this handle, if any

    @property
    def is_new(self) -> bool:
        return self.speaker is None

    @property
    def name(self) -> str:
        """The speaker's name: the existing one, or the one a new speaker will get."""
        if self.speaker is not None:
            return self.speaker.name
        return speaker_name(self.display_name, self.handle)


@dataclass
class PostPlan:
    parsed: ParsedPost
    speaker: SpeakerPlan
    existing: Post | None = None  # the same post, already known: linked, not copied
    duplicates: list[Post] = field(default_factory=list)  # likely the same post
    notes: list[Note] = field(default_factory=list)

    @property
    def number(self) -> int:
        return self.parsed.number

    @property
    def status(self) -> str:
        if self.existing is not None:
            return "existing"
        return "duplicate" if self.duplicates else "new"


@dataclass
class ReplyPlan:
    """A suggested reply (from an @mention), or the one already recorded for a known post."""

    post: int
    target: int
    handle: str
    recorded: Post | None = None  # the known post already answers this one: nothing to decide

    @property
    def needs_decision(self) -> bool:
        return self.recorded is None


@dataclass
class ImportPlan:
    parsed: ParsedArticle
    speakers: list[SpeakerPlan]
    posts: list[PostPlan]
    replies: list[ReplyPlan]
    warnings: list[Note]
    existing_article: Article | None = None

    @property
    def new_speakers(self) -> list[SpeakerPlan]:
        return [s for s in self.speakers if s.is_new]

    @property
    def known_posts(self) -> list[PostPlan]:
        return [p for p in self.posts if p.existing is not None]

    @property
    def undated(self) -> list[PostPlan]:
        return [p for p in self.posts if p.parsed.date is None and p.existing is None]

    def post(self, number: int) -> PostPlan:
        return self.posts[number - 1]


def batches[T](items: list[T], size: int = BATCH) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def plan_import(parsed: ParsedArticle) -> ImportPlan:
    """What saving ``parsed`` would do, given what the database holds now. Writes nothing."""
    warnings = list(parsed.warnings)
    existing_article = find_article(parsed)
    if existing_article is None:
        namesake = Article.objects.filter(title__iexact=parsed.title).only("pk").first()
        if namesake is not None:
            warnings.append(
                Note(
                    parsed.title_line,
                    f"an article with this title, but other text, exists (#{namesake.pk}): "
                    "importing adds a second one.",
                    "duplicate-article",
                )
            )
    speakers = _plan_speakers(parsed)
    by_handle = {plan.handle.lower(): plan for plan in speakers}
    posts = [PostPlan(post, by_handle[post.handle.lower()]) for post in parsed.posts]
    _match_posts(posts)
    for plan in speakers:
        if plan.is_new:
            first = next(p.parsed for p in posts if p.speaker is plan)
            warnings.append(
                Note(
                    first.attribution_line,
                    f"@{plan.handle} is not a known speaker: “{plan.name}” will be added. "
                    "Check the handle if you expected someone already in Threadline.",
                    "unknown-handle",
                )
            )
    for post in posts:
        warnings.extend(post.notes)
    if len(posts) > MAX_POSTS:
        warnings.append(Note(None, f"more than {MAX_POSTS:,} posts: too many for one article."))
    replies = []
    for suggestion in parsed.suggestions:
        known = posts[suggestion.post - 1].existing
        recorded = known.in_reply_to if known is not None and known.in_reply_to_id else None
        replies.append(
            ReplyPlan(suggestion.post, suggestion.target, suggestion.handle, recorded=recorded)
        )
    warnings.sort(key=lambda note: note.line or 0)
    return ImportPlan(parsed, speakers, posts, replies, warnings, existing_article)


def find_article(parsed: ParsedArticle) -> Article | None:
    """The same article imported before: same text (and same title when there is no text)."""
    same = Article.objects.filter(body=parsed.body)
    if not parsed.body:
        same = same.filter(title=parsed.title)
    return same.select_related("debate").order_by("pk").first()


def _plan_speakers(parsed: ParsedArticle) -> list[SpeakerPlan]:
    handles = parsed.speaker_handles
    found: dict[str, Speaker] = {}
    for batch in batches([h.lower() for h in handles]):
        query = Speaker.objects.annotate(handle_lower=Lower("handle")).filter(
            handle_lower__in=batch
        )
        found.update({speaker.handle.lower(): speaker for speaker in query})
    first_name = {}
    for post in parsed.posts:
        first_name.setdefault(post.handle.lower(), post.author)
    return [SpeakerPlan(h, first_name[h.lower()], found.get(h.lower())) for h in handles]


def _match_posts(plans: list[PostPlan]) -> None:
    """Find each post's known twin (linked), or likely duplicates (for the editor to judge)."""
    for batch in batches(plans):
        speaker_ids = {p.speaker.speaker.pk for p in batch if p.speaker.speaker is not None}
        permalinks = {p.parsed.permalink for p in batch if p.parsed.permalink}
        if not speaker_ids and not permalinks:
            continue
        texts = {p.parsed.text for p in batch if p.speaker.speaker is not None}
        days = {p.parsed.date for p in batch if p.parsed.date and p.speaker.speaker is not None}
        same_speaker = Q(text__in=texts)
        if days:
            same_speaker |= Q(posted_at__date__in=days)
        query = Q(speaker_id__in=speaker_ids) & same_speaker
        if permalinks:
            query |= Q(permalink_url__in=permalinks)
        candidates = _Candidates(Post.objects.filter(query).select_related("in_reply_to"))
        for plan in batch:
            _match_one(plan, candidates)


class _Candidates:
    """Known posts that may be the same as posts of the article, looked up three ways."""

    def __init__(self, posts: Iterable[Post]) -> None:
        self.by_permalink: dict[str, Post] = {}
        self.by_text: dict[tuple[int, str], list[Post]] = defaultdict(list)
        self.by_day: dict[tuple[int, datetime.date], list[Post]] = defaultdict(list)
        for post in sorted(posts, key=lambda p: p.pk):
            if post.permalink_url:
                self.by_permalink[post.permalink_url] = post
            self.by_text[post.speaker_id, post.text].append(post)
            self.by_day[post.speaker_id, post.posted_on].append(post)


def _match_one(plan: PostPlan, candidates: _Candidates) -> None:
    parsed, speaker = plan.parsed, plan.speaker.speaker
    twin = candidates.by_permalink.get(parsed.permalink) if parsed.permalink else None
    if twin is not None and speaker is not None and twin.speaker_id == speaker.pk:
        plan.existing = twin
        if twin.text != parsed.text:
            plan.notes.append(
                Note(
                    parsed.first_line,
                    f"post {parsed.number} has the permalink of post #{twin.pk}, whose stored "
                    "text differs: linked to it as it is.",
                    "permalink",
                )
            )
        return
    if twin is not None:
        plan.duplicates.append(twin)
    if speaker is not None:
        same_text = candidates.by_text.get((speaker.pk, parsed.text), [])
        for post in same_text:
            if parsed.date is not None and post.posted_on == parsed.date:
                plan.existing = post
                plan.duplicates.clear()
                return
        same_day = candidates.by_day.get((speaker.pk, parsed.date), []) if parsed.date else []
        for post in [*same_text, *same_day]:
            if post not in plan.duplicates and (
                post.text == parsed.text or _alike(post.text, parsed.text)
            ):
                plan.duplicates.append(post)
    for post in plan.duplicates:
        plan.notes.append(
            Note(
                parsed.first_line,
                f"post {parsed.number} is likely post #{post.pk} already in Threadline "
                f"(@{post.handle_shown}, {post.posted_on:%-d %b %Y}, “{excerpt(post.text, 50)}”).",
                "likely-duplicate",
            )
        )


def _alike(a: str, b: str) -> bool:
    """The same words, give or take quote marks, spacing, case, or an article's cut (…)."""
    a, b = normalize_for_match(a).casefold(), normalize_for_match(b).casefold()
    if a == b:
        return True
    for cut, full in ((a, b), (b, a)):
        stem = cut.removesuffix("…").removesuffix("...").rstrip()
        if stem != cut and len(stem) >= 20 and full.startswith(stem):
            return True
    return False
