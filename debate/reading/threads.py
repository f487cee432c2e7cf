"""Thread assembly: turn a flat set of posts into nested conversations.

Pure Python over anything with ``pk``, ``in_reply_to_id`` and a sort key, so tests can call
it without a database. The result is flat (one item per post, with its depth and how many
nested lists it opens and closes), which a template renders as nested ``<ol>`` without
recursion, however deep a thread runs.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol


class Threadable(Protocol):
    pk: Any
    in_reply_to_id: Any


@dataclass
class ThreadItem[T: Threadable]:
    node: T
    depth: int
    # The post it answers is in this view, so the item sits nested under it.
    parent_shown: bool
    has_children: bool = False
    size: int = 1  # posts in the conversation this item starts, itself included
    closes: list[None] = field(default_factory=list)  # one entry per nested list to close after


def assemble[T: Threadable](
    nodes: Iterable[T],
    sort_key: Callable[[T], Hashable],
    newest_first: bool = False,
    position: Callable[[T], int | None] | None = None,
) -> list[ThreadItem[T]]:
    """Nest each node under the node it replies to, when that node is present.

    Replies always read oldest first (``sort_key``) under their parent, as a conversation
    does. Threads follow ``sort_key`` of their first post, reversed when ``newest_first``;
    or, given ``position`` (a node's place in a ranked list, None for nodes shown only as
    context), each thread stands where its best-placed post would.
    """
    by_pk = {node.pk: node for node in nodes}
    children: dict[Any, list[T]] = {}
    roots: list[T] = []
    for node in by_pk.values():
        parent = node.in_reply_to_id
        if parent is not None and parent in by_pk and parent != node.pk:
            children.setdefault(parent, []).append(node)
        else:
            roots.append(node)
    for siblings in children.values():
        siblings.sort(key=sort_key)
    if position is None:
        roots.sort(key=sort_key, reverse=newest_first)
    else:
        best = {root.pk: _best_position(root, children, position) for root in roots}
        roots.sort(key=lambda root: best[root.pk])

    items: list[ThreadItem[T]] = []
    visited: set[Any] = set()
    _walk(roots, children, visited, items)
    # Posts caught in a reply cycle (bad data) have no root; show them rather than lose them.
    stranded = sorted((n for n in by_pk.values() if n.pk not in visited), key=sort_key)
    _walk(stranded, children, visited, items)

    # Walking backwards, the deeper items still pending are exactly this item's children,
    # each already counting its own replies.
    pending: list[ThreadItem[T]] = []
    for item in reversed(items):
        while pending and pending[-1].depth > item.depth:
            item.size += pending.pop().size
        pending.append(item)

    # After each item, close as many nested lists as the next item climbs back up.
    for index, item in enumerate(items):
        next_depth = items[index + 1].depth if index + 1 < len(items) else 0
        if not item.has_children:
            item.closes = [None] * (item.depth - next_depth)
    return items


def _walk[T: Threadable](
    roots: list[T], children: dict[Any, list[T]], visited: set[Any], items: list[ThreadItem[T]]
) -> None:
    # Depth-first with an explicit stack: recursion would cap how deep a thread may run.
    stack: list[tuple[T, int]] = [(root, 0) for root in reversed(roots)]
    while stack:
        node, depth = stack.pop()
        if node.pk in visited:
            continue
        visited.add(node.pk)
        kids = [kid for kid in children.get(node.pk, []) if kid.pk not in visited]
        items.append(ThreadItem(node, depth, parent_shown=depth > 0, has_children=bool(kids)))
        stack.extend((kid, depth + 1) for kid in reversed(kids))


def _best_position[T: Threadable](
    root: T, children: dict[Any, list[T]], position: Callable[[T], int | None]
) -> float:
    best = float("inf")
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if node.pk in seen:
            continue
        seen.add(node.pk)
        place = position(node)
        if place is not None and place < best:
            best = place
        stack.extend(children.get(node.pk, []))
    return best
