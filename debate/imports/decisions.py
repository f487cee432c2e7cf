"""What the editor chose in the import preview, and whether it can be saved.

The choices (confirmed replies, dates for undated posts, likely duplicates to link) come back
from the browser, so ``check_decisions`` checks every one of them against the plan again, with
the line each problem concerns. ``resolve_threads`` works out, in memory, where each
conversation ends up once the confirmed replies are stored: loops are refused here, and
``debate.imports.save`` moves the threads accordingly.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from ..models import Post
from .lines import Problem
from .plan import MAX_POSTS, ImportPlan


@dataclass
class Decisions:
    """What the editor chose in the preview. Checked again on save: never trusted as sent."""

    replies: dict[int, int] = field(default_factory=dict)  # post number -> target post number
    dates: dict[int, datetime.date] = field(default_factory=dict)  # for undated posts
    link: dict[int, int] = field(default_factory=dict)  # post number -> likely duplicate's pk
    outlet: str = ""
    url: str = ""
    published_on: datetime.date | None = None
    # The debate, as ``debate.imports.debates.choose_debate`` reads it: a slug, a new
    # debate's title, both (that debate, made if missing), or neither (the only one).
    debate: str = ""
    debate_title: str = ""


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
        problems.extend(resolve_threads(plan, decisions).loops)
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
    child = stored_post(plan, decisions, number)
    if child is not None and child.in_reply_to_id:
        return [Problem(line, f"post {number} is already recorded as a reply: change it there.")]
    return []


def stored_post(plan: ImportPlan, decisions: Decisions, number: int) -> Post | None:
    post = plan.post(number)
    if post.existing is not None:
        return post.existing
    pk = decisions.link.get(number)
    return next((d for d in post.duplicates if d.pk == pk), None)


def _day(plan: ImportPlan, decisions: Decisions, number: int) -> datetime.date | None:
    stored = stored_post(plan, decisions, number)
    if stored is not None:
        return stored.posted_on
    return plan.post(number).parsed.date or decisions.dates.get(number)


@dataclass
class Threads:
    """Where each conversation ends up once the confirmed replies are stored.

    ``roots`` maps a post of the article (by number) to its thread's root: ("n", number) for a
    post of the article, ("p", pk) for a known post outside it. ``rerooted`` maps known thread
    roots that become replies to their new root, for their known replies to follow.
    """

    roots: dict[int, tuple[str, int]] = field(default_factory=dict)
    rerooted: dict[int, tuple[str, int]] = field(default_factory=dict)
    loops: list[Problem] = field(default_factory=list)


def resolve_threads(plan: ImportPlan, decisions: Decisions) -> Threads:
    """Follow each post to its thread's root, in memory and in linear time.

    A known post that is already a reply keeps its thread, so it jumps straight to its
    thread's root; only roots can gain a parent here, and a loop shows up as a walk that comes
    back to a post it passed.
    """
    threads = Threads()
    article_root = {}  # known thread root pk -> the number of that post in this article
    for post in plan.posts:
        stored = stored_post(plan, decisions, post.number)
        if stored is not None and not stored.in_reply_to_id:
            article_root[stored.pk] = post.number

    def step(number: int) -> tuple[str, int] | None:
        """The next post up: the confirmed parent, or the known thread's root."""
        if number in decisions.replies:
            return ("n", decisions.replies[number])
        stored = stored_post(plan, decisions, number)
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
        stored = stored_post(plan, decisions, number)
        if stored is not None:
            threads.rerooted[stored.pk] = threads.roots[number]
    return threads
