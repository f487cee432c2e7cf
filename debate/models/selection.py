"""Selecting posts and claims: the one place that says what a reader's selection matches.

The timeline, its facet counts, the feed and every export ask these QuerySets, so a URL means
the same posts everywhere (``Post.objects.matching(filters)``). ``filters`` is anything shaped
like ``debate.reading.filters.Filters``; this module sits below it and only reads its fields.

Search has one configuration (``SEARCH_CONFIG``). On PostgreSQL it is the database's English
text search (stemming, ``websearch`` syntax, the GIN indexes of migration 0002, ranking);
elsewhere every word must occur, ignoring case.
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any, Protocol

from django.apps import apps
from django.db import connection, models
from django.db.models import Exists, OuterRef, Q

if TYPE_CHECKING:
    pass

SEARCH_CONFIG = "english"
WORD_RE = re.compile(r"\w+", re.UNICODE)


class Selection(Protocol):
    debate: int | None
    speakers: tuple[str, ...]
    stance: str
    proposition: str
    article: str
    date_from: datetime.date | None
    date_to: datetime.date | None
    q: str
    order: str

    @property
    def by_relevance(self) -> bool: ...

    @property
    def newest_first(self) -> bool: ...


def _model(name: str) -> Any:
    # The QuerySets are defined before the models they join (they are those models'
    # managers), so the other models are looked up by name rather than imported.
    return apps.get_model("debate", name)


def uses_postgres_search() -> bool:
    return connection.vendor == "postgresql"


def search_query(q: str) -> Any:
    """The PostgreSQL query for a reader's search words."""
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")


def search_vector(*fields: str) -> Any:
    from django.contrib.postgres.search import SearchVector

    return SearchVector(*fields, config=SEARCH_CONFIG)


def start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


BATCH = 500


def thread_roots(
    parent_of: dict[int, int | None], known: dict[int, int] | None = None
) -> dict[int, int]:
    """The first post of each post's thread, from what each post answers (``parent_of``).

    ``known`` gives the roots of parents outside ``parent_of``. A post caught in a reply cycle
    (bad data) is rooted at the first post of the cycle it reaches. Linear in the posts."""
    known = known or {}
    roots: dict[int, int] = {}
    for pk in parent_of:
        chain: list[int] = []
        on_chain: set[int] = set()
        current: int | None = pk
        while current is not None and current not in roots and current in parent_of:
            if current in on_chain:
                break
            chain.append(current)
            on_chain.add(current)
            current = parent_of[current]
        if current is None:
            top = chain[-1]
        elif current in on_chain:
            top = current
        elif current in roots:
            top = roots[current]
        else:
            top = known.get(current) or current
        for member in chain:
            roots[member] = top
    return roots


class PostQuerySet(models.QuerySet["Post"]):
    def chronological(self) -> PostQuerySet:
        return self.order_by("posted_at", "pk")

    def unclaimed(self) -> PostQuerySet:
        """Posts no claim comes from yet: what is left for editors to annotate
        (``debate.editing.post_queue``). One NOT EXISTS, answered from the claims' post index."""
        claims = _model("Claim").objects.filter(post=OuterRef("pk"))
        return self.filter(~Exists(claims))

    def rethread(self) -> int:
        """Give these posts, and every reply below them, the first post of their thread as
        ``thread_root``: the one rule for thread roots, for saves, imports and restores.

        A post's root is its parent's root, or itself without a parent; a parent outside the
        set is trusted to be right already. One query for the set, one per level of replies
        below it (per ``BATCH`` posts), and one UPDATE per ``BATCH`` posts whose root changes.
        Returns how many changed.
        """
        rows = {pk: (parent, root) for pk, parent, root in self.values_list(
            "pk", "in_reply_to_id", "thread_root_id"
        )}  # fmt: skip
        outside = {parent for parent, _ in rows.values() if parent and parent not in rows}
        known = dict(self.model.objects.filter(pk__in=outside).values_list("pk", "thread_root_id"))
        frontier = list(rows)
        while frontier:  # the replies below, level by level, however deep
            level, frontier = frontier, []
            for start in range(0, len(level), BATCH):
                below = self.model.objects.filter(in_reply_to__in=level[start : start + BATCH])
                for pk, parent, root in below.values_list("pk", "in_reply_to_id", "thread_root_id"):
                    if pk not in rows:
                        rows[pk] = (parent, root)
                        frontier.append(pk)
        roots = thread_roots({pk: parent for pk, (parent, _) in rows.items()}, known)
        changed = [(pk, root) for pk, root in roots.items() if rows[pk][1] != root]
        for start in range(0, len(changed), BATCH):
            batch = changed[start : start + BATCH]
            whens = [models.When(pk=pk, then=models.Value(root)) for pk, root in batch]
            self.model.objects.filter(pk__in=[pk for pk, _ in batch]).update(
                thread_root=models.Case(*whens)
            )
        return len(changed)

    def search(self, q: str, *, rank: bool = False) -> PostQuerySet:
        """Posts whose text, or whose claims' words, match the search (``rank`` annotates
        PostgreSQL's rank)."""
        Claim = _model("Claim")
        if not uses_postgres_search():
            posts = self
            for word in WORD_RE.findall(q):
                claims = Claim.objects.filter(post=OuterRef("pk")).filter(
                    Q(summary__icontains=word) | Q(quote__icontains=word)
                )
                posts = posts.filter(Q(text__icontains=word) | Q(Exists(claims)))
            return posts
        from django.contrib.postgres.search import SearchRank

        query = search_query(q)
        # Two IN lists, each answered from its GIN index, rather than an OR per row, which
        # would make PostgreSQL compute every post's text vector.
        in_text = self.model.objects.alias(document=search_vector("text")).filter(document=query)
        in_claims = Claim.objects.search(q).filter(post__isnull=False)
        posts = self.filter(Q(pk__in=in_text.values("pk")) | Q(pk__in=in_claims.values("post_id")))
        if rank:
            posts = posts.annotate(rank=SearchRank(search_vector("text"), query))
        return posts

    def with_stance(self, stance: str = "", proposition: str = "") -> PostQuerySet:
        """Posts with a public stance of that value (toward that proposition, if named)."""
        stances = _model("Stance").objects.public().toward(stance, proposition)
        return self.filter(Exists(stances.of_post()))

    def in_debate(self, debate: Any) -> PostQuerySet:
        """Posts quoted by an article of ``debate`` (a Debate or its pk): a post belongs to
        every debate whose articles quote it."""
        quoted = _model("ArticlePost").objects.filter(post=OuterRef("pk"), article__debate=debate)
        return self.filter(Exists(quoted))

    def unquoted(self) -> PostQuerySet:
        """Posts no article quotes, so in no debate (an editor's orphan, say)."""
        return self.exclude(Exists(_model("ArticlePost").objects.filter(post=OuterRef("pk"))))

    def quoted_in(self, article: str) -> PostQuerySet:
        quoted = _model("ArticlePost").objects.filter(post=OuterRef("pk"), article__slug=article)
        return self.filter(Exists(quoted))

    def between(
        self, date_from: datetime.date | None, date_to: datetime.date | None
    ) -> PostQuerySet:
        posts = self
        if date_from:
            posts = posts.filter(posted_at__gte=start_of(date_from))
        if date_to and date_to < datetime.date.max:
            # Up to the end of that day; the last day of the calendar has no end to compute.
            posts = posts.filter(posted_at__lt=start_of(date_to + datetime.timedelta(days=1)))
        return posts

    def matching(self, filters: Selection, *, skip: str = "") -> PostQuerySet:
        """The posts a selection matches, unordered. ``skip`` leaves one dimension out, for
        facet counts ("how many would choosing this give")."""
        posts = self
        if filters.debate is not None:
            posts = posts.in_debate(filters.debate)
        if filters.speakers and skip != "speaker":
            posts = posts.filter(speaker__slug__in=filters.speakers)
        stance = "" if skip == "stance" else filters.stance
        proposition = "" if skip == "proposition" else filters.proposition
        if stance or proposition:
            posts = posts.with_stance(stance, proposition)
        if filters.article and skip != "article":
            posts = posts.quoted_in(filters.article)
        if skip != "date":
            posts = posts.between(filters.date_from, filters.date_to)
        if filters.q and skip != "q":
            posts = posts.search(filters.q, rank=filters.by_relevance and not skip)
        return posts

    def in_order(self, filters: Selection) -> PostQuerySet:
        """Oldest or newest first, or by search rank (with a search, on PostgreSQL)."""
        if filters.by_relevance and uses_postgres_search():
            return self.order_by("-rank", "pk")
        if filters.newest_first:
            return self.order_by("-posted_at", "-pk")
        return self.order_by("posted_at", "pk")


class ClaimQuerySet(models.QuerySet["Claim"]):
    def from_posts(self) -> ClaimQuerySet:
        return self.filter(post__isnull=False)

    def from_articles(self) -> ClaimQuerySet:
        return self.filter(article__isnull=False)

    def search(self, q: str) -> ClaimQuerySet:
        """Claims whose summary or quote match the search, as posts' claims do in
        ``PostQuerySet.search``."""
        if uses_postgres_search():
            document = search_vector("summary", "quote")
            return self.alias(document=document).filter(document=search_query(q))
        claims = self
        for word in WORD_RE.findall(q):
            claims = claims.filter(Q(summary__icontains=word) | Q(quote__icontains=word))
        return claims

    def matching(self, filters: Selection) -> ClaimQuerySet:
        """Claims from articles' prose that a selection covers.

        Posts are matched on what they say and when; a prose claim has no date of its own, so
        a date filter keeps it only when its article's publication date is known and in range.
        """
        claims = self.from_articles()
        if filters.debate is not None:
            claims = claims.filter(article__debate=filters.debate)
        if filters.speakers:
            claims = claims.filter(speaker__slug__in=filters.speakers)
        if filters.article:
            claims = claims.filter(article__slug=filters.article)
        if filters.stance or filters.proposition:
            stances = _model("Stance").objects.public().toward(filters.stance, filters.proposition)
            claims = claims.filter(Exists(stances.filter(claim=OuterRef("pk"))))
        if filters.date_from:
            claims = claims.filter(article__published_on__gte=filters.date_from)
        if filters.date_to:
            claims = claims.filter(article__published_on__lte=filters.date_to)
        if filters.q:
            claims = claims.search(filters.q)
        return claims


class SpeakerQuerySet(models.QuerySet["Speaker"]):
    def in_debate(self, debate: Any) -> SpeakerQuerySet:
        """Speakers who take part in ``debate``: a post in it, or a claim in the prose of one
        of its articles."""
        posts = _model("Post").objects.in_debate(debate).filter(speaker=OuterRef("pk"))
        prose = _model("Claim").objects.filter(article__debate=debate, speaker=OuterRef("pk"))
        return self.filter(Exists(posts) | Exists(prose))
