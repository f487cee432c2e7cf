"""Save a planned import: the article, its debate when new, its new speakers and posts, and
the replies confirmed.

Everything is written in one transaction, counted as one edit (``bulk_edit``), after checking
the editor's decisions again (``debate.imports.decisions``) and choosing the debate again
(``debate.imports.debates``): nothing the browser sent is trusted as sent. Importing the same
article again changes nothing and says so: the article stays in its debate, and no debate is
made. Used by the admin's import page and the ``import_article`` command.

Query counts depend on the size of the article, in batches, never on the size of the database.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.text import slugify

from ..models import Article, ArticlePost, Debate, Post, RelationBasis, Speaker
from ..versioning import bulk_edit
from .debates import DebateChoice, choose_debate
from .decisions import Decisions, check_decisions, stored_post
from .lines import ParseError, Problem, Progress
from .parse import ParsedArticle
from .plan import BATCH, ImportPlan, batches, find_article, plan_import


class ImportRejected(ParseError):
    """The editor's decisions cannot be saved as they are; nothing was written."""


@dataclass
class ImportResult:
    article: Article
    created: bool
    debate_created: bool = False
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
        debate = f"“{self.article.debate.title}”"
        into = f"a new debate, {debate}" if self.debate_created else f"the debate {debate}"
        return (
            f"Imported {title} into {into}: {posts} ({', '.join(parts)}), {speakers}, "
            f"{replies} recorded."
        )


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def midnight_utc(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def save_import(
    parsed: ParsedArticle, decisions: Decisions | None = None, progress: Progress | None = None
) -> ImportResult:
    """Save ``parsed`` in one transaction, into the debate ``decisions`` asks for (see
    ``choose_debate``). Raises ImportRejected, or DebateRefused, and writes nothing when the
    decisions do not fit what the database holds now."""
    decisions = decisions or Decisions()
    try:
        with transaction.atomic():
            existing = find_article(parsed)
            if existing is not None:
                return ImportResult(existing, created=False)  # nothing written: not an edit
            choice = choose_debate(decisions.debate, decisions.debate_title, parsed.title)
            plan = plan_import(parsed)
            problems = check_decisions(plan, decisions)
            if problems:
                raise ImportRejected(problems)
            # Bulk inserts send no signals: the writes count as one edit, in this transaction.
            with bulk_edit():
                return _write(plan, decisions, choice, progress)
    except IntegrityError as error:
        # Someone saved a clashing speaker or post at the same moment: nothing was written.
        raise ImportRejected(
            [Problem(None, f"The data changed while importing ({error}). Try again.")]
        ) from error


def _write(
    plan: ImportPlan, decisions: Decisions, choice: DebateChoice, progress: Progress | None
) -> ImportResult:
    speakers = _create_speakers(plan)
    stored: dict[int, Post] = {}  # post number -> saved post
    new_posts: list[Post] = []
    # A permalink is unique: one already stored (on a post not linked) or already given to an
    # earlier post of this article is left off rather than refused.
    taken_permalinks = {d.permalink_url for p in plan.posts for d in p.duplicates}
    for post in plan.posts:
        known = stored_post(plan, decisions, post.number)
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
    for batch in batches(new_posts):
        Post.objects.bulk_create(batch)
        done += len(batch)
        if progress:
            progress(done, total)
    replies = _record_replies(decisions, stored)
    # Every post of the article, and the replies below those that gained a parent, get the
    # root of their thread: the rule Post.save applies, for the whole article at once.
    Post.objects.filter(pk__in=[post.pk for post in stored.values()]).rethread()

    debate = choice.debate
    if debate is None:  # a new debate spans the days of the posts the article quotes
        days = [post.posted_on for post in stored.values()]
        debate = Debate.objects.create(
            title=choice.title,
            slug=choice.slug,
            starts_on=min(days, default=None),
            ends_on=max(days, default=None),
        )
    article = Article.objects.create(
        debate=debate,
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
        debate_created=choice.is_new,
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
    for batch in batches(sorted(set(bases.values())), 200):
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


def _record_replies(decisions: Decisions, stored: dict[int, Post]) -> int:
    """Store the replies the editor confirmed, as explicit (the post itself @mentions whom it
    answers), in bulk: what ``Post.save`` does one post at a time."""
    if not decisions.replies:
        return 0
    now = timezone.now()
    changed: list[Post] = []
    for number, target in sorted(decisions.replies.items()):
        child = stored[number]
        child.in_reply_to = stored[target]
        child.reply_basis = RelationBasis.EXPLICIT
        changed.append(child)
    # What bulk_update does, but with the basis and the time as plain values: only the parent
    # differs from post to post (and the basis must change with the parent).
    for batch in batches(changed):
        Post.objects.filter(pk__in=[post.pk for post in batch]).update(
            in_reply_to=_per_post(batch, "in_reply_to"),
            reply_basis=RelationBasis.EXPLICIT,
            updated_at=now,
        )
    return len(decisions.replies)


def _per_post(posts: list[Post], name: str) -> Case:
    field = Post._meta.get_field(name)
    whens = [When(pk=post.pk, then=Value(getattr(post, field.attname))) for post in posts]
    return Case(*whens, output_field=field)
