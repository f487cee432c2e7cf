"""Save a parsed article (debate.importer) as an article, its speakers and its posts.

Two steps, both used by the admin page and the ``import_article`` command:

- ``plan_import`` looks up what already exists (read only): speakers by handle, whatever the
  case; posts already known (same speaker, same words, same day), which are linked rather than
  copied; likely duplicates; an article imported before.
- ``save_import`` writes everything in one transaction, after checking the editor's decisions
  (confirmed replies, dates for undated posts, duplicates to link). Importing the same article
  again changes nothing and says so.

Query counts depend on the size of the article, in batches, never on the size of the database.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from .importer import Note, ParsedArticle, ParsedPost, ParseError, Problem, Progress, speaker_name
from .models import Article, ArticlePost, Post, RelationBasis, Speaker
from .pagecache import bump
from .text import normalize_for_match

BATCH = 500
MAX_POSTS = 32767  # ArticlePost.position is a small integer


class ImportRejected(ParseError):
    """The editor's decisions cannot be saved as they are; nothing was written."""


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


@dataclass
class Decisions:
    """What the editor chose in the preview. Checked again on save: never trusted as sent."""

    replies: dict[int, int] = field(default_factory=dict)  # post number -> target post number
    dates: dict[int, datetime.date] = field(default_factory=dict)  # for undated posts
    link: dict[int, int] = field(default_factory=dict)  # post number -> likely duplicate's pk
    outlet: str = ""
    url: str = ""
    published_on: datetime.date | None = None


@dataclass
class ImportResult:
    article: Article
    created: bool
    speakers_created: list[Speaker] = field(default_factory=list)
    posts_created: int = 0
    posts_linked: int = 0
    replies_recorded: int = 0

    def summary(self) -> str:
        title = f"“{self.article.title}”"
        if not self.created:
            return f"{title} was imported before: nothing changed."
        posts = _count(self.posts_created + self.posts_linked, "post")
        parts = [f"{self.posts_created:,} new", f"{self.posts_linked:,} already known"]
        speakers = _count(len(self.speakers_created), "new speaker")
        replies = _count(self.replies_recorded, "reply", "replies")
        return f"Imported {title}: {posts} ({', '.join(parts)}), {speakers}, {replies} recorded."


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def _batches[T](items: list[T], size: int = BATCH) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def midnight_utc(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


# --- planning -------------------------------------------------------------------------------


def plan_import(parsed: ParsedArticle) -> ImportPlan:
    """What saving ``parsed`` would do, given what the database holds now. Writes nothing."""
    warnings = list(parsed.warnings)
    existing_article = _find_article(parsed)
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


def _find_article(parsed: ParsedArticle) -> Article | None:
    """The same article imported before: same text (and same title when there is no text)."""
    same = Article.objects.filter(body=parsed.body)
    if not parsed.body:
        same = same.filter(title=parsed.title)
    return same.order_by("pk").first()


def _plan_speakers(parsed: ParsedArticle) -> list[SpeakerPlan]:
    handles = parsed.speaker_handles
    found: dict[str, Speaker] = {}
    for batch in _batches([h.lower() for h in handles]):
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
    for batch in _batches(plans):
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
                f"(@{post.handle_shown}, {post.posted_on:%-d %b %Y}, “{_short(post.text)}”).",
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


def _short(text: str, length: int = 50) -> str:
    return text if len(text) <= length else f"{text[: length - 1]}…"


# --- checking the editor's decisions ---------------------------------------------------------


def check_decisions(plan: ImportPlan, decisions: Decisions) -> list[Problem]:
    """Everything wrong with ``decisions`` for ``plan``, each with the line it concerns."""
    problems: list[Problem] = []
    if len(plan.posts) > MAX_POSTS:
        problems.append(Problem(None, f"An article can quote at most {MAX_POSTS:,} posts."))
    linked_to: dict[int, int] = {}
    for number, pk in decisions.link.items():
        if not 1 <= number <= len(plan.posts):
            problems.append(Problem(None, f"There is no post {number} to link."))
            continue
        post = plan.post(number)
        if pk not in {d.pk for d in post.duplicates}:
            problems.append(
                Problem(post.parsed.first_line, f"post #{pk} is not a likely duplicate here.")
            )
        elif pk in linked_to:
            problems.append(
                Problem(
                    post.parsed.first_line,
                    f"posts {linked_to[pk]} and {number} cannot both be post #{pk}.",
                )
            )
        linked_to[pk] = number
    for post in plan.posts:
        undated = post.parsed.date is None and post.existing is None
        if undated and post.number not in decisions.link and post.number not in decisions.dates:
            problems.append(
                Problem(
                    post.parsed.attribution_line,
                    f"post {post.number} (@{post.parsed.handle}) has no date: enter the day "
                    "it was posted.",
                )
            )
    allowed = {reply.post for reply in plan.replies if reply.needs_decision}
    for number, target in decisions.replies.items():
        problems.extend(_check_reply(plan, decisions, number, target, number in allowed))
    if not problems:
        problems.extend(_resolve_threads(plan, decisions).loops)
    return problems


def _check_reply(
    plan: ImportPlan, decisions: Decisions, number: int, target: int, suggested: bool
) -> list[Problem]:
    if not (1 <= number <= len(plan.posts) and 1 <= target <= len(plan.posts)):
        return [Problem(None, f"Post {number} cannot answer post {target}: no such post.")]
    post = plan.post(number)
    line = post.parsed.first_line
    if not suggested:
        return [Problem(line, f"post {number} has no reply to confirm.")]
    if target >= number:
        return [Problem(line, f"post {number} can only answer a post quoted before it.")]
    child_day, parent_day = _day(plan, decisions, number), _day(plan, decisions, target)
    if child_day and parent_day and parent_day > child_day:
        return [
            Problem(
                line,
                f"post {number} ({child_day:%-d %b %Y}) cannot answer post {target} "
                f"({parent_day:%-d %b %Y}): a reply is never older than what it answers.",
            )
        ]
    child = _stored(plan, decisions, number)
    if child is not None and child.in_reply_to_id:
        return [Problem(line, f"post {number} is already recorded as a reply: change it there.")]
    return []


def _stored(plan: ImportPlan, decisions: Decisions, number: int) -> Post | None:
    post = plan.post(number)
    if post.existing is not None:
        return post.existing
    pk = decisions.link.get(number)
    return next((d for d in post.duplicates if d.pk == pk), None)


def _day(plan: ImportPlan, decisions: Decisions, number: int) -> datetime.date | None:
    stored = _stored(plan, decisions, number)
    if stored is not None:
        return stored.posted_on
    return plan.post(number).parsed.date or decisions.dates.get(number)


@dataclass
class _Threads:
    """Where each conversation ends up once the confirmed replies are stored.

    ``roots`` maps a post of the article (by number) to its thread's root: ("n", number) for a
    post of the article, ("p", pk) for a known post outside it. ``rerooted`` maps known thread
    roots that become replies to their new root, for their known replies to follow.
    """

    roots: dict[int, tuple[str, int]] = field(default_factory=dict)
    rerooted: dict[int, tuple[str, int]] = field(default_factory=dict)
    loops: list[Problem] = field(default_factory=list)


def _resolve_threads(plan: ImportPlan, decisions: Decisions) -> _Threads:
    """Follow each post to its thread's root, in memory and in linear time.

    A known post that is already a reply keeps its thread, so it jumps straight to its
    thread's root; only roots can gain a parent here, and a loop shows up as a walk that comes
    back to a post it passed.
    """
    threads = _Threads()
    article_root = {}  # known thread root pk -> the number of that post in this article
    for post in plan.posts:
        stored = _stored(plan, decisions, post.number)
        if stored is not None and not stored.in_reply_to_id:
            article_root[stored.pk] = post.number

    def step(number: int) -> tuple[str, int] | None:
        """The next post up: the confirmed parent, or the known thread's root."""
        if number in decisions.replies:
            return ("n", decisions.replies[number])
        stored = _stored(plan, decisions, number)
        if stored is None or not stored.in_reply_to_id:
            return None  # a root
        root = stored.thread_root_id or stored.in_reply_to_id
        return ("n", article_root[root]) if root in article_root else ("p", root)

    for start in range(1, len(plan.posts) + 1):
        path: list[int] = []
        on_path: set[int] = set()
        node: tuple[str, int] = ("n", start)
        while True:
            kind, key = node
            if kind == "p":
                root = node
                break
            if key in threads.roots:
                root = threads.roots[key]
                break
            if key in on_path:
                threads.loops.append(
                    Problem(
                        plan.post(key).parsed.first_line,
                        f"post {key} would end up answering itself through the replies "
                        "chosen: no loops.",
                    )
                )
                root = node
                break
            path.append(key)
            on_path.add(key)
            following = step(key)
            if following is None:
                root = node
                break
            node = following
        for number in path:
            threads.roots[number] = root
    for number in decisions.replies:
        stored = _stored(plan, decisions, number)
        if stored is not None:
            threads.rerooted[stored.pk] = threads.roots[number]
    return threads


# --- saving ---------------------------------------------------------------------------------


def save_import(
    parsed: ParsedArticle, decisions: Decisions | None = None, progress: Progress | None = None
) -> ImportResult:
    """Save ``parsed`` in one transaction. Raises ImportRejected and writes nothing when the
    decisions do not fit what the database holds now."""
    decisions = decisions or Decisions()
    try:
        with transaction.atomic():
            existing = _find_article(parsed)
            if existing is not None:
                return ImportResult(existing, created=False)
            plan = plan_import(parsed)
            problems = check_decisions(plan, decisions)
            if problems:
                raise ImportRejected(problems)
            result = _write(plan, decisions, progress)
            bump()  # bulk inserts send no signals: cached pages must still go stale
            return result
    except IntegrityError as error:
        # Someone saved a clashing speaker or post at the same moment: nothing was written.
        raise ImportRejected(
            [Problem(None, f"The data changed while importing ({error}). Try again.")]
        ) from error


def _write(plan: ImportPlan, decisions: Decisions, progress: Progress | None) -> ImportResult:
    speakers = _create_speakers(plan)
    stored: dict[int, Post] = {}  # post number -> saved post
    new_posts: list[Post] = []
    # A permalink is unique: one already stored (on a post not linked) or already given to an
    # earlier post of this article is left off rather than refused.
    taken_permalinks = {d.permalink_url for p in plan.posts for d in p.duplicates}
    for post in plan.posts:
        known = _stored(plan, decisions, post.number)
        if known is not None:
            stored[post.number] = known
            continue
        parsed = post.parsed
        speaker = post.speaker.speaker or speakers[post.speaker.handle.lower()]
        day = parsed.date or decisions.dates[post.number]
        new = Post(
            speaker=speaker,
            handle_shown=parsed.handle,
            display_name_shown=parsed.author,
            text=parsed.text,
            posted_at=midnight_utc(day),
            time_known=False,
            permalink_url="" if parsed.permalink in taken_permalinks else parsed.permalink,
        )
        taken_permalinks.add(parsed.permalink)
        new.refresh_derived()  # what Post.save would derive: HTML and links
        stored[post.number] = new
        new_posts.append(new)
    total, done = len(new_posts), 0
    for batch in _batches(new_posts):
        Post.objects.bulk_create(batch)
        done += len(batch)
        if progress:
            progress(done, total)
    # A new post starts its own thread (Post.save sets the same after its insert).
    Post.objects.filter(thread_root__isnull=True).update(thread_root=F("pk"))
    for post in new_posts:
        post.thread_root_id = post.pk
    replies = _record_replies(plan, decisions, stored)

    article = Article.objects.create(
        title=plan.parsed.title,
        slug=_unique_slugs(Article, {"": slugify(plan.parsed.title) or "article"}, 120)[""],
        body=plan.parsed.body,
        outlet=decisions.outlet,
        url=decisions.url,
        published_on=decisions.published_on,
    )
    links, seen = [], set()
    for number in sorted(stored):
        if stored[number].pk not in seen:
            seen.add(stored[number].pk)
            links.append(ArticlePost(article=article, post=stored[number], position=len(seen)))
    ArticlePost.objects.bulk_create(links, batch_size=BATCH)
    return ImportResult(
        article,
        created=True,
        speakers_created=list(speakers.values()),
        posts_created=len(new_posts),
        posts_linked=len(seen) - len(new_posts),
        replies_recorded=replies,
    )


def _create_speakers(plan: ImportPlan) -> dict[str, Speaker]:
    new = plan.new_speakers
    bases = {s.handle.lower(): slugify(s.name) or slugify(s.handle) or "speaker" for s in new}
    slugs = _unique_slugs(Speaker, bases, 100)
    speakers = [
        Speaker(
            name=s.name,
            handle=s.handle,
            slug=slugs[s.handle.lower()],
            profile_url=f"https://x.com/{s.handle}",
        )
        for s in new
    ]
    Speaker.objects.bulk_create(speakers, batch_size=BATCH)
    return {speaker.handle.lower(): speaker for speaker in speakers}


def _unique_slugs(
    model: type[Article] | type[Speaker], bases: dict[str, str], max_length: int
) -> dict[str, str]:
    """Each slug unique in ``model`` and among themselves: "name", then "name-2"…"""
    bases = {key: base[: max_length - 6].strip("-") or "item" for key, base in bases.items()}
    taken: set[str] = set()
    for batch in _batches(sorted(set(bases.values())), 200):
        query = Q()
        for base in batch:
            query |= Q(slug=base) | Q(slug__startswith=f"{base}-")
        taken.update(model.objects.filter(query).values_list("slug", flat=True))
    slugs = {}
    for key, base in bases.items():
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        slugs[key] = slug
    return slugs


def _record_replies(plan: ImportPlan, decisions: Decisions, stored: dict[int, Post]) -> int:
    """Store the replies the editor confirmed, as explicit (the post itself @mentions whom it
    answers), and move every post of the threads they join to the thread's root. All in
    bulk: what ``Post.save`` does one post at a time."""
    if not decisions.replies:
        return 0
    threads = _resolve_threads(plan, decisions)

    def root_pk(node: tuple[str, int]) -> int:
        return stored[node[1]].pk if node[0] == "n" else node[1]

    now = timezone.now()
    changed: list[Post] = []
    for number, target in sorted(decisions.replies.items()):
        child = stored[number]
        child.in_reply_to = stored[target]
        child.reply_basis = RelationBasis.EXPLICIT
        child.thread_root_id = root_pk(threads.roots[number])
        changed.append(child)
    # What bulk_update does, but with the basis and the time as plain values: only the parent
    # and the root differ from post to post (and the basis must change with the parent).
    for batch in _batches(changed):
        Post.objects.filter(pk__in=[post.pk for post in batch]).update(
            in_reply_to=_per_post(batch, "in_reply_to"),
            thread_root=_per_post(batch, "thread_root"),
            reply_basis=RelationBasis.EXPLICIT,
            updated_at=now,
        )
    # Known posts that were roots now answer someone: their own replies follow them.
    moves = sorted((old, root_pk(new)) for old, new in threads.rerooted.items())
    for batch in _batches(moves):
        Post.objects.filter(thread_root_id__in=[old for old, _ in batch]).update(
            thread_root=Case(*[When(thread_root_id=old, then=Value(new)) for old, new in batch])
        )
    return len(decisions.replies)


def _per_post(posts: list[Post], name: str) -> Case:
    field = Post._meta.get_field(name)
    whens = [When(pk=post.pk, then=Value(getattr(post, field.attname))) for post in posts]
    return Case(*whens, output_field=field)
