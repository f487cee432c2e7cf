"""The debate as an argument graph in AIF JSON: locutions, claims, support and conflict.

Streamed: nodes are written as the posts are read, a chunk at a time; edges, locutions and
participants, which come after them in the document, wait in spooled temporary files (on
disk past a megabyte). Each node is written once: ids are unique by construction (one per
post, claim, stance, reply and reported quote), and only the small sets of posts,
propositions and speakers already written are kept.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Any

from ..models import Claim, Post
from .selection import CHUNK_SIZE, Absolute, Selection, dumps, in_chunks, posted_iso, prose_claims

SPOOL_BYTES = 1024 * 1024


class _Array:
    """A JSON array written item by item to a spooled temporary file."""

    def __init__(self) -> None:
        self.file: IO[str] = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed by chunks)
            max_size=SPOOL_BYTES, mode="w+", encoding="utf-8"
        )
        self.count = 0

    def add(self, item: dict[str, Any]) -> None:
        self.file.write(("," if self.count else "") + dumps(item))
        self.count += 1

    def chunks(self) -> Iterator[str]:
        self.file.seek(0)
        while piece := self.file.read(64 * 1024):
            yield piece
        self.file.close()


class AifWriter:
    """Nodes as they come (handed out by ``take_nodes``), the rest spooled until the end."""

    def __init__(self, absolute: Absolute) -> None:
        self.absolute = absolute
        self.pending: list[str] = []  # nodes written since the last take
        self.node_count = 0
        self.edges = _Array()
        self.locutions = _Array()
        self.participants = _Array()
        self.posts: set[int] = set()
        self.propositions: set[int] = set()
        self.speakers: set[int] = set()

    def node(self, node_id: str, text: str, kind: str, **extra: Any) -> str:
        item = {"nodeID": node_id, "text": text, "type": kind, **extra}
        self.pending.append(("," if self.node_count else "") + dumps(item))
        self.node_count += 1
        return node_id

    def take_nodes(self) -> str:
        nodes, self.pending = "".join(self.pending), []
        return nodes

    def edge(self, from_id: str, to_id: str) -> None:
        edge_id = f"{from_id}--{to_id}"
        self.edges.add({"edgeID": edge_id, "fromID": from_id, "toID": to_id})

    def locution(self, node_id: str, speaker: Any, start: str | None) -> None:
        person = f"speaker-{speaker.pk}"
        if speaker.pk not in self.speakers:
            self.speakers.add(speaker.pk)
            first, _, rest = speaker.name.partition(" ")
            self.participants.add(
                {"participantID": person, "firstname": first, "surname": rest, "slug": speaker.slug}
            )
        self.locutions.add({"nodeID": node_id, "personID": person, "start": start})

    def post(self, post: Post) -> str:
        node_id = f"post-{post.pk}"
        if post.pk not in self.posts:
            self.posts.add(post.pk)
            url = self.absolute(post.get_absolute_url())
            self.node(node_id, f"{post.speaker.name}: {post.text}", "L", url=url)
            self.locution(node_id, post.speaker, posted_iso(post))
        return node_id

    def claim(self, selection: Selection, claim: Claim, locution: str) -> None:
        claim_node = self.node(f"claim-{claim.pk}", claim.summary, "I")
        assertion = self.node(f"assert-{claim.pk}", "Asserting", "YA")
        self.edge(locution, assertion)
        self.edge(assertion, claim_node)
        for stance in selection.stances_of(claim):
            if stance.value == "neutral":
                continue  # AIF has support and conflict, no relation for "neutral"
            proposition = stance.proposition
            target = f"proposition-{proposition.pk}"
            if proposition.pk not in self.propositions:
                self.propositions.add(proposition.pk)
                self.node(target, proposition.statement, "I")
            pro = stance.value == "pro"
            relation = self.node(
                f"stance-{stance.pk}",
                "Default Inference" if pro else "Default Conflict",
                "RA" if pro else "CA",
            )
            self.edge(claim_node, relation)
            self.edge(relation, target)


def aif_chunks(selection: Selection) -> Iterator[str]:
    """The AIF document, piece by piece, in the order the whole graph was built before."""
    graph = AifWriter(selection.absolute)
    yield '{"nodes":['
    replies: list[tuple[int, int]] = []  # (reply, the post it answers): two ints per reply
    for post in in_chunks(selection.posts):
        locution = graph.post(post)
        for claim in post.claims.all():
            graph.claim(selection, claim, locution)
        if post.in_reply_to_id:
            replies.append((post.pk, post.in_reply_to_id))
        if len(graph.pending) >= CHUNK_SIZE:
            yield graph.take_nodes()
    for start in range(0, len(replies), CHUNK_SIZE):
        batch = replies[start : start + CHUNK_SIZE]
        # A post answered by a matching one comes along as context, as on the timeline.
        missing = {parent for _, parent in batch if parent not in graph.posts}
        parents = Post.objects.select_related("speaker").in_bulk(missing) if missing else {}
        for reply, parent_id in batch:
            parent = graph.post(parents[parent_id]) if parent_id in parents else f"post-{parent_id}"
            transition = graph.node(f"reply-{reply}", "Default Transition", "TA")
            graph.edge(parent, transition)
            graph.edge(transition, f"post-{reply}")
        yield graph.take_nodes()
    for claim in prose_claims(selection.filters):
        # An article reporting what a speaker holds: a locution of theirs, as reported.
        article = claim.article
        locution = graph.node(
            f"quote-{claim.pk}",
            f"{claim.speaker.name} (reported by “{article.title}”): {claim.quote}",
            "L",
            url=selection.absolute(article.get_absolute_url()),
        )
        start = article.published_on.isoformat() if article.published_on else None
        graph.locution(locution, claim.speaker, start)
        graph.claim(selection, claim, locution)
        if len(graph.pending) >= CHUNK_SIZE:
            yield graph.take_nodes()
    yield graph.take_nodes()
    yield '],"edges":['
    yield from graph.edges.chunks()
    yield '],"locutions":['
    yield from graph.locutions.chunks()
    yield '],"participants":['
    yield from graph.participants.chunks()
    notices = dumps(list(selection.filters.notices))
    yield f'],"notices":{notices}}}'
