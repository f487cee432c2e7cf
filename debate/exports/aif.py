"""The debate as an argument graph in AIF JSON: locutions, claims, support and conflict."""

from __future__ import annotations

from typing import Any

from ..models import Claim, Post
from .selection import Absolute, Selection, in_chunks, posted_iso, prose_claims


class AifGraph:
    """Nodes, edges, locutions and participants, each added once, in a stable order."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: dict[str, dict[str, Any]] = {}
        self.locutions: list[dict[str, Any]] = []
        self.participants: dict[str, dict[str, Any]] = {}

    def node(self, node_id: str, text: str, kind: str) -> str:
        self.nodes.setdefault(node_id, {"nodeID": node_id, "text": text, "type": kind})
        return node_id

    def edge(self, from_id: str, to_id: str) -> None:
        edge_id = f"{from_id}--{to_id}"
        self.edges.setdefault(edge_id, {"edgeID": edge_id, "fromID": from_id, "toID": to_id})

    def locution(self, node_id: str, speaker: Any, start: str | None) -> None:
        person = f"speaker-{speaker.pk}"
        first, _, rest = speaker.name.partition(" ")
        self.participants.setdefault(
            person,
            {"participantID": person, "firstname": first, "surname": rest, "slug": speaker.slug},
        )
        self.locutions.append({"nodeID": node_id, "personID": person, "start": start})

    def post(self, post: Post, absolute: Absolute) -> str:
        node_id = f"post-{post.pk}"
        if node_id not in self.nodes:
            self.node(node_id, f"{post.speaker.name}: {post.text}", "L")
            self.nodes[node_id]["url"] = absolute(post.get_absolute_url())
            self.locution(node_id, post.speaker, posted_iso(post))
        return node_id

    def as_dict(self) -> dict[str, Any]:
        return {
            "nodes": list(self.nodes.values()),
            "edges": list(self.edges.values()),
            "locutions": self.locutions,
            "participants": list(self.participants.values()),
        }


def add_claim(graph: AifGraph, selection: Selection, claim: Claim, locution: str) -> None:
    claim_node = graph.node(f"claim-{claim.pk}", claim.summary, "I")
    assertion = graph.node(f"assert-{claim.pk}", "Asserting", "YA")
    graph.edge(locution, assertion)
    graph.edge(assertion, claim_node)
    for stance in selection.stances_of(claim):
        if stance.value == "neutral":
            continue  # AIF has support and conflict, no relation for "neutral"
        proposition = stance.proposition
        target = graph.node(f"proposition-{proposition.pk}", proposition.statement, "I")
        pro = stance.value == "pro"
        relation = graph.node(
            f"stance-{stance.pk}",
            "Default Inference" if pro else "Default Conflict",
            "RA" if pro else "CA",
        )
        graph.edge(claim_node, relation)
        graph.edge(relation, target)


def aif_graph(selection: Selection) -> AifGraph:
    graph = AifGraph()
    replies: list[Post] = []
    for post in in_chunks(selection.posts):
        locution = graph.post(post, selection.absolute)
        for claim in post.claims.all():
            add_claim(graph, selection, claim, locution)
        if post.in_reply_to_id:
            replies.append(post)
    for reply in replies:
        # A post answered by a matching one comes along as context, as on the timeline.
        parent = graph.post(reply.in_reply_to, selection.absolute)
        transition = graph.node(f"reply-{reply.pk}", "Default Transition", "TA")
        graph.edge(parent, transition)
        graph.edge(transition, f"post-{reply.pk}")
    for claim in prose_claims(selection.filters):
        # An article reporting what a speaker holds: a locution of theirs, as reported.
        article = claim.article
        locution = graph.node(
            f"quote-{claim.pk}",
            f"{claim.speaker.name} (reported by “{article.title}”): {claim.quote}",
            "L",
        )
        graph.nodes[locution]["url"] = selection.absolute(article.get_absolute_url())
        start = article.published_on.isoformat() if article.published_on else None
        graph.locution(locution, claim.speaker, start)
        add_claim(graph, selection, claim, locution)
    return graph
