"""Posts to annotate: every post no claim comes from yet, oldest first, and the one to open
next. The sibling of ``queue`` (which walks claims toward a proposition).

Each function takes ``posts``, the posts the queue is drawn from (every post when None), so a
caller scopes it in one line: ``to_annotate(Post.objects.filter(...))``, and counts it per
group in one more: ``remaining_by("speaker", posts)``. Every answer is one query (two when
"next" wraps round), however many posts there are.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from ..models import Post


def to_annotate(posts: QuerySet[Post] | None = None) -> QuerySet[Post]:
    """The posts without a claim, oldest first (by when they were posted, then by id)."""
    posts = Post.objects.all() if posts is None else posts
    return posts.unclaimed().chronological()


def next_post(posts: QuerySet[Post] | None = None, *, after: Post | None = None) -> Post | None:
    """The post to annotate after ``after``: the next one without a claim in time order,
    wrapping round to the oldest, so that skipping a post moves on instead of bouncing back
    to it. The oldest without ``after``; None when every post has a claim."""
    queue = to_annotate(posts)
    if after is None:
        return queue.first()
    queue = queue.exclude(pk=after.pk)
    later = Q(posted_at__gt=after.posted_at) | Q(posted_at=after.posted_at, pk__gt=after.pk)
    return queue.filter(later).first() or queue.first()


def remaining(posts: QuerySet[Post] | None = None, *, besides: Post | None = None) -> int:
    """How many posts wait for a claim (not counting ``besides``, the one on screen)."""
    queue = to_annotate(posts).order_by()
    return (queue.exclude(pk=besides.pk) if besides is not None else queue).count()


def remaining_by(field: str, posts: QuerySet[Post] | None = None) -> dict[Any, int]:
    """How many posts wait for a claim per value of ``field`` (a lookup path from Post, e.g.
    "speaker"), in one grouped query. A post counts once in each group it belongs to."""
    queue = to_annotate(posts).order_by()  # an ordering would join the GROUP BY
    rows = queue.values_list(field).annotate(waiting=Count("pk", distinct=True))
    return dict(rows.values_list(field, "waiting"))
