"""The reader's timeline: filters from the query string, one page of posts, their threads.

A page costs the same handful of queries whatever the size of the debate: the speaker list
with counts, one keyset-paginated page of matching post ids, and the posts to show (the
page plus the posts they answer, as context) with their claims, stances and sources.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import QueryDict
from django.utils.http import urlencode

from .models import ArticlePost, Claim, Post, Speaker, Stance
from .threads import ThreadItem, assemble

PAGE_SIZE = 50
MAX_SPEAKER_PARAMS = 20
MAX_PARAM_LENGTH = 100


@dataclass
class Entry:
    """Everything one timeline card shows, so the card renders without touching the database."""

    post: Post
    claims: list[Claim]
    stances: list[Stance]
    sources: list[ArticlePost]
    is_context: bool = False
    is_focus: bool = False

    @property
    def pk(self) -> int:
        return self.post.pk

    @property
    def in_reply_to_id(self) -> int | None:
        return self.post.in_reply_to_id


@dataclass
class SpeakerOption:
    speaker: Speaker
    post_count: int
    selected: bool


@dataclass
class Timeline:
    speakers: list[SpeakerOption]
    selected: list[Speaker]
    items: list[ThreadItem[Entry]]
    total: int
    notices: list[str] = field(default_factory=list)
    next_cursor: str | None = None
    after: str | None = None

    @property
    def is_filtered(self) -> bool:
        return bool(self.selected)

    @property
    def match_count(self) -> int:
        return sum(1 for item in self.items if not item.node.is_context)

    def query_string(self, **extra: str) -> str:
        params: list[tuple[str, str]] = [("speaker", s.slug) for s in self.selected]
        params += [(key, value) for key, value in extra.items() if value]
        return f"?{urlencode(params)}" if params else ""

    @property
    def next_url(self) -> str | None:
        return self.query_string(after=self.next_cursor) if self.next_cursor else None


def public_stances() -> QuerySet[Stance]:
    return (
        Stance.objects.public()
        .select_related("proposition", "annotator")
        .order_by("proposition__label", "pk")
    )


def posts_for_cards(posts: QuerySet[Post]) -> QuerySet[Post]:
    """Posts with everything their cards show, in a fixed number of queries."""
    return posts.select_related(
        "speaker", "in_reply_to__speaker", "quotes__speaker"
    ).prefetch_related(
        Prefetch(
            "claims",
            queryset=Claim.objects.order_by("pk").prefetch_related(
                Prefetch("stances", queryset=public_stances())
            ),
        ),
        Prefetch(
            "quoted_in", queryset=ArticlePost.objects.select_related("article").order_by("pk")
        ),
    )


def make_entry(post: Post, *, is_context: bool = False, is_focus: bool = False) -> Entry:
    claims = list(post.claims.all())
    return Entry(
        post=post,
        claims=claims,
        stances=[stance for claim in claims for stance in claim.stances.all()],
        sources=list(post.quoted_in.all()),
        is_context=is_context,
        is_focus=is_focus,
    )


def thread_sort_key(entry: Entry) -> tuple[datetime.datetime, int]:
    return (entry.post.posted_at, entry.post.pk)


def assemble_entries(entries: Iterable[Entry]) -> list[ThreadItem[Entry]]:
    return assemble(entries, sort_key=thread_sort_key)


def encode_cursor(post_time: datetime.datetime, pk: int) -> str:
    return f"{post_time.astimezone(datetime.UTC):%Y%m%dT%H%M%S.%f}Z-{pk}"


def decode_cursor(token: str) -> tuple[datetime.datetime, int] | None:
    stamp, _, pk = token.rpartition("-")
    try:
        moment = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=datetime.UTC)
        return moment, int(pk)
    except ValueError:
        return None


def speaker_options(selected_slugs: Sequence[str]) -> list[SpeakerOption]:
    speakers = Speaker.objects.annotate(post_count=Count("posts")).order_by("name")
    return [
        SpeakerOption(speaker, speaker.post_count, speaker.slug in selected_slugs)
        for speaker in speakers
    ]


def clean_values(params: QueryDict, name: str, limit: int) -> list[str]:
    """Distinct, non-empty values of a repeated parameter, trimmed and bounded."""
    values: list[str] = []
    for raw in params.getlist(name)[:limit]:
        value = raw.strip()[:MAX_PARAM_LENGTH]
        if value and value not in values:
            values.append(value)
    return values


def build_timeline(params: QueryDict) -> Timeline:
    notices: list[str] = []
    slugs = clean_values(params, "speaker", MAX_SPEAKER_PARAMS)
    if len(params.getlist("speaker")) > MAX_SPEAKER_PARAMS:
        notices.append(f"Only the first {MAX_SPEAKER_PARAMS} speakers were used.")
    options = speaker_options(slugs)
    known = {option.speaker.slug: option for option in options}
    selected = [known[slug].speaker for slug in slugs if slug in known]
    fallback = "showing the other speakers you chose" if selected else "showing every speaker"
    notices += [
        f"There is no speaker “{slug}”, so Threadline is {fallback}. Pick names from the list."
        for slug in slugs
        if slug not in known
    ]
    total = sum(
        option.post_count for option in options if not selected or option.speaker in selected
    )

    matches = Post.objects.by_speakers(selected).chronological()
    after = params.get("after", "").strip()[:MAX_PARAM_LENGTH]
    cursor = decode_cursor(after) if after else None
    if after and cursor is None:
        notices.append("That page link is damaged, so the timeline starts from the beginning.")
        after = ""
    if cursor is not None:
        moment, pk = cursor
        matches = matches.filter(Q(posted_at__gt=moment) | Q(posted_at=moment, pk__gt=pk))

    page = list(matches.values_list("pk", "in_reply_to_id", "posted_at")[: PAGE_SIZE + 1])
    next_cursor = None
    if len(page) > PAGE_SIZE:
        page = page[:PAGE_SIZE]
        next_cursor = encode_cursor(page[-1][2], page[-1][0])
    match_ids = {pk for pk, _, _ in page}
    # A reply whose parent is not on this page shows the parent as context.
    context_ids = {parent for _, parent, _ in page if parent and parent not in match_ids}
    posts = posts_for_cards(Post.objects.filter(pk__in=match_ids | context_ids))
    entries = [make_entry(post, is_context=post.pk in context_ids) for post in posts]

    return Timeline(
        speakers=options,
        selected=selected,
        items=assemble_entries(entries),
        total=total,
        notices=notices,
        next_cursor=next_cursor,
        after=after or None,
    )


def thread_around(post: Post) -> list[ThreadItem[Entry]]:
    """The whole conversation a post belongs to, with that post marked as the focus."""
    root_id = post.thread_root_id or post.pk
    posts = posts_for_cards(Post.objects.filter(Q(thread_root=root_id) | Q(pk=root_id)))
    return assemble_entries(make_entry(p, is_focus=p.pk == post.pk) for p in posts)
