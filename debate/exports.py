"""Data out: the reader's selection as JSON, CSV, W3C Web Annotation (JSON-LD) and AIF.

Every export takes the timeline's filter parameters (``debate.filters``), so a URL means the
same selection everywhere, and bad values become notices rather than errors. Only public
stances (published or reviewed) ever leave the site. Ids are stable and match the reader's
permalinks: a post is ``/posts/<id>/``, a stance is ``#stance-<id>`` on its source's page.

Two kinds of export:

- post exports (JSON, CSV) give each matching post whole, as its card shows it;
- stance exports (annotations, AIF) give one item per stance, so a stance or proposition
  filter also narrows which stances come out. They also carry the claims an article's prose
  attributes to a speaker, which belong to no post.

Posts are read in chunks (``iterator(chunk_size)`` with prefetching): memory stays bounded
and each chunk costs the same few queries however large the debate grows.
"""

from __future__ import annotations

import csv
import datetime
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from .filters import Filters, filter_posts, load_filters, order_posts, uses_postgres_search
from .models import Claim, Post, Stance
from .text import normalize_for_match
from .timeline import posts_for_cards, public_stances

CHUNK_SIZE = 200
# How much context a TextQuoteSelector carries on each side of the quote.
SELECTOR_CONTEXT = 32
ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CSV_HEADER = [
    "post_id",
    "post_url",
    "posted_on",
    "speaker",
    "handle",
    "text",
    "in_reply_to_id",
    "reply_basis",
    "claim_id",
    "claim_summary",
    "proposition",
    "stance",
    "stance_label",
    "rationale",
    "annotator",
]
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Absolute = Callable[[str], str]


# --- The selection ------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    filters: Filters
    posts: QuerySet[Post]
    absolute: Absolute

    def stance_matches(self, stance: Stance) -> bool:
        """Whether a stance passes the stance and proposition filters (stance exports)."""
        if self.filters.stance and stance.value != self.filters.stance:
            return False
        return not self.filters.proposition or stance.proposition.slug == self.filters.proposition

    def stances_of(self, claim: Claim) -> list[Stance]:
        """The claim's public stances (already prefetched) that the filters keep."""
        return [stance for stance in claim.stances.all() if self.stance_matches(stance)]


def select(request: HttpRequest) -> Selection:
    """The posts the request's filters match, in the filters' order, with everything to show."""
    filters = load_filters(request.GET)
    posts = posts_for_cards(order_posts(filter_posts(filters), filters))
    return Selection(filters, posts, request.build_absolute_uri)


def in_chunks(posts: QuerySet[Post]) -> Iterator[Post]:
    # Prefetching runs once per chunk: queries grow with chunks, never with posts per chunk.
    return posts.iterator(chunk_size=CHUNK_SIZE)


def prose_claims(filters: Filters) -> QuerySet[Claim]:
    """Claims from articles' prose that the selection covers, with their public stances.

    Posts are matched on what they say and when; a prose claim has no date of its own, so a
    date filter keeps it only when its article's publication date is known and in range.
    """
    claims = (
        Claim.objects.from_articles()
        .select_related("speaker", "article")
        .prefetch_related(Prefetch("stances", queryset=public_stances()))
        .order_by("article_id", "pk")
    )
    if filters.speakers:
        claims = claims.filter(speaker__slug__in=filters.speakers)
    if filters.article:
        claims = claims.filter(article__slug=filters.article)
    if filters.stance or filters.proposition:
        stances = Stance.objects.public().filter(claim=OuterRef("pk"))
        if filters.stance:
            stances = stances.filter(value=filters.stance)
        if filters.proposition:
            stances = stances.filter(proposition__slug=filters.proposition)
        claims = claims.filter(Exists(stances))
    if filters.date_from:
        claims = claims.filter(article__published_on__gte=filters.date_from)
    if filters.date_to:
        claims = claims.filter(article__published_on__lte=filters.date_to)
    if filters.q:
        claims = _search_claims(claims, filters)
    return claims


def _search_claims(claims: QuerySet[Claim], filters: Filters) -> QuerySet[Claim]:
    # The same search the timeline runs on posts' claims (debate.filters.search_posts).
    if uses_postgres_search():
        from django.contrib.postgres.search import SearchQuery, SearchVector

        query = SearchQuery(filters.q, config="english", search_type="websearch")
        return claims.alias(document=SearchVector("summary", "quote", config="english")).filter(
            document=query
        )
    for word in filters.search_words:
        claims = claims.filter(Q(summary__icontains=word) | Q(quote__icontains=word))
    return claims


# --- Shared field formats -----------------------------------------------------------------


def iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def posted_iso(post: Post) -> str:
    """When a post was posted: a full timestamp, or only the date when the time is unknown."""
    return iso(post.posted_at) if post.time_known else post.posted_on.isoformat()


def person_name(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username()


def filter_params(filters: Filters) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, value in filters.params():
        if name == "speaker":
            params.setdefault("speaker", []).append(value)
        else:
            params[name] = value
    return params


def stance_fragment(stance: Stance) -> str:
    return f"#stance-{stance.pk}"


def claim_page(claim: Claim) -> str:
    """The reader's page for a claim's source: the post's permalink, or the article."""
    return claim.post.get_absolute_url() if claim.post_id else claim.article.get_absolute_url()


def source_text(claim: Claim) -> str:
    return claim.post.text if claim.post_id else claim.article.body


def attachment(filename: str, *, inline: bool = False) -> str:
    return f'{"inline" if inline else "attachment"}; filename="{filename}"'


def stream(request: HttpRequest, body: Callable[[], Iterable[str]], **kwargs: Any) -> Any:
    # A HEAD request gets the headers without running the export's queries.
    content = iter(()) if request.method == "HEAD" else body()
    return StreamingHttpResponse(content, **kwargs)


# --- JSON ---------------------------------------------------------------------------------


def stance_record(stance: Stance) -> dict[str, Any]:
    return {
        "id": stance.pk,
        "proposition": {
            "slug": stance.proposition.slug,
            "statement": stance.proposition.statement,
        },
        "value": stance.value,
        "label": stance.label,
        "rationale": stance.rationale,
        "evidence": stance.evidence,
        "annotator": person_name(stance.annotator),
        "annotated_at": iso(stance.annotated_at),
        "review_state": stance.review_state,
    }


def claim_record(claim: Claim) -> dict[str, Any]:
    return {
        "id": claim.pk,
        "summary": claim.summary,
        "quote": claim.quote,
        "stances": [stance_record(stance) for stance in claim.stances.all()],
    }


def _relation(target_id: int | None, basis: str, absolute: Absolute) -> dict[str, Any] | None:
    if target_id is None:
        return None
    return {"id": target_id, "basis": basis, "url": absolute(f"/posts/{target_id}/")}


def post_record(post: Post, absolute: Absolute) -> dict[str, Any]:
    speaker = post.speaker
    return {
        "id": post.pk,
        "url": absolute(post.get_absolute_url()),
        "speaker": {"slug": speaker.slug, "name": speaker.name, "handle": speaker.handle},
        "handle_shown": post.handle_shown,
        "display_name_shown": post.display_name_shown,
        "text": post.text,
        "posted_at": posted_iso(post),
        "time_known": post.time_known,
        "permalink_url": post.permalink_url,
        "links": post.links,
        "in_reply_to": _relation(post.in_reply_to_id, post.reply_basis, absolute),
        "quotes": _relation(post.quotes_id, post.quote_basis, absolute),
        "articles": [
            {
                "slug": source.article.slug,
                "title": source.article.title,
                "url": absolute(source.article.get_absolute_url()),
                "position": source.position,
            }
            for source in post.quoted_in.all()
        ],
        "claims": [claim_record(claim) for claim in post.claims.all()],
    }


def prose_claim_record(claim: Claim, absolute: Absolute) -> dict[str, Any]:
    return {
        **claim_record(claim),
        "speaker": {
            "slug": claim.speaker.slug,
            "name": claim.speaker.name,
            "handle": claim.speaker.handle,
        },
        "article": {
            "slug": claim.article.slug,
            "title": claim.article.title,
            "url": absolute(claim.article.get_absolute_url()),
        },
    }


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_chunks(selection: Selection) -> Iterator[str]:
    """The JSON document, piece by piece, so no more than a chunk of posts is held at once."""
    filters = selection.filters
    head = {
        "generated": iso(timezone.now()),
        "filters": filter_params(filters),
        "notices": list(filters.notices),
    }
    yield _dumps(head)[:-1] + ',"posts":['
    for n, post in enumerate(in_chunks(selection.posts)):
        yield ("," if n else "") + _dumps(post_record(post, selection.absolute))
    yield '],"article_claims":['
    for n, claim in enumerate(prose_claims(filters).iterator(chunk_size=CHUNK_SIZE)):
        yield ("," if n else "") + _dumps(prose_claim_record(claim, selection.absolute))
    yield "]}"


@require_safe
def export_json(request: HttpRequest) -> HttpResponse:
    """Every matching post with its claims and public stances, in the filters' order."""
    selection = select(request)
    response = stream(
        request,
        lambda: json_chunks(selection),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = attachment("threadline-posts.json", inline=True)
    return response


# --- CSV ----------------------------------------------------------------------------------


def safe_cell(value: object) -> object:
    """A cell a spreadsheet shows as text: a leading ' defuses what would start a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def csv_rows(selection: Selection) -> Iterator[list[object]]:
    """One row per post and public stance; a claim or post without one gets a bare row.

    A stance or proposition filter keeps only the rows it names (each row is a stance).
    """
    narrowed = bool(selection.filters.stance or selection.filters.proposition)
    for post in in_chunks(selection.posts):
        base: list[object] = [
            post.pk,
            selection.absolute(post.get_absolute_url()),
            post.posted_on.isoformat(),
            post.speaker.name,
            post.handle_shown,
            post.text,
            post.in_reply_to_id or "",
            post.reply_basis,
        ]
        rows = 0
        for claim in post.claims.all():
            stances = selection.stances_of(claim)
            for stance in stances:
                rows += 1
                yield [
                    *base,
                    claim.pk,
                    claim.summary,
                    stance.proposition.statement,
                    stance.value,
                    stance.label,
                    stance.rationale,
                    person_name(stance.annotator),
                ]
            if not stances and not narrowed:
                rows += 1
                yield [*base, claim.pk, claim.summary, "", "", "", "", ""]
        if not rows:
            yield [*base, "", "", "", "", "", "", ""]


class _Echo:
    """csv.writer writes into this and gets back the line to stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(selection: Selection) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # The byte-order mark tells spreadsheets the file is UTF-8 (emoji, curly quotes).
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    for row in csv_rows(selection):
        yield writer.writerow([safe_cell(cell) for cell in row])


@require_safe
def export_csv(request: HttpRequest) -> HttpResponse:
    """One row per post and public stance, for spreadsheets."""
    selection = select(request)
    response = stream(request, lambda: csv_lines(selection), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = attachment("threadline-posts.csv")
    return response


# --- W3C Web Annotation -------------------------------------------------------------------


def locate(quote: str, source: str) -> tuple[int, int] | None:
    """Where ``quote`` sits in ``source`` (code point offsets), or None if it does not.

    An exact match first; else one that ignores whitespace and quote-mark style, as
    ``debate.text.quote_occurs`` does when an editor saves the claim.
    """
    if not quote:
        return None
    start = source.find(quote)
    if start >= 0:
        return start, start + len(quote)
    needle = normalize_for_match(quote)
    if not needle:
        return None
    # Fold the source the same way, remembering where each folded character came from.
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(source):
        if char.isspace():
            if folded and folded[-1] == " ":
                continue  # only whitespace folds to a space: this run is already one
            folded.append(" ")
        else:
            folded.append(normalize_for_match(char))
        origin.append(index)
    found = "".join(folded).find(needle)
    if found < 0:
        return None
    return origin[found], origin[found + len(needle) - 1] + 1


def selectors(quote: str, source: str) -> list[dict[str, Any]]:
    quote_selector: dict[str, Any] = {"type": "TextQuoteSelector", "exact": quote}
    position = locate(quote, source)
    if position is None:
        return [quote_selector]
    start, end = position
    quote_selector["exact"] = source[start:end]
    quote_selector["prefix"] = source[max(0, start - SELECTOR_CONTEXT) : start]
    quote_selector["suffix"] = source[end : end + SELECTOR_CONTEXT]
    return [quote_selector, {"type": "TextPositionSelector", "start": start, "end": end}]


def annotation(claim: Claim, stance: Stance, absolute: Absolute) -> dict[str, Any]:
    page = absolute(claim_page(claim))
    return {
        "@context": ANNO_CONTEXT,
        "id": page + stance_fragment(stance),
        "type": "Annotation",
        "created": iso(stance.annotated_at),
        "modified": iso(stance.updated_at),
        "creator": {"type": "Person", "name": person_name(stance.annotator)},
        "body": [
            {
                "type": "TextualBody",
                "value": stance.rationale,
                "format": "text/markdown",
                "purpose": "commenting",
            },
            {"type": "TextualBody", "value": stance.label, "purpose": "tagging"},
            {
                "type": "TextualBody",
                "value": stance.proposition.statement,
                "purpose": "classifying",
            },
        ],
        "target": {"source": page, "selector": selectors(claim.quote, source_text(claim))},
    }


def annotated_claims(selection: Selection) -> Iterator[Claim]:
    """Claims of the matching posts, then claims from articles' prose."""
    for post in in_chunks(selection.posts):
        yield from post.claims.all()
    yield from prose_claims(selection.filters).iterator(chunk_size=CHUNK_SIZE)


@require_safe
def export_annotations(request: HttpRequest) -> HttpResponse:
    """Each public stance as a W3C Web Annotation on the exact words its claim rests on."""
    selection = select(request)
    items = [
        annotation(claim, stance, selection.absolute)
        for claim in annotated_claims(selection)
        for stance in selection.stances_of(claim)
    ]
    collection = {
        "@context": ANNO_CONTEXT,
        "id": request.build_absolute_uri(),
        "type": "AnnotationCollection",
        "label": "Threadline: stances on the open-source AI debate",
        "total": len(items),
        "notices": list(selection.filters.notices),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    response = HttpResponse(
        _dumps(collection),
        content_type=f'application/ld+json; profile="{ANNO_CONTEXT}"; charset=utf-8',
    )
    response["Content-Disposition"] = attachment("threadline-annotations.jsonld", inline=True)
    return response


# --- AIF (Argument Interchange Format) ----------------------------------------------------


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
    for claim in prose_claims(selection.filters).iterator(chunk_size=CHUNK_SIZE):
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


@require_safe
def export_aif(request: HttpRequest) -> HttpResponse:
    """The debate as an argument graph in AIF JSON: posts, claims, support and conflict."""
    selection = select(request)
    document = {**aif_graph(selection).as_dict(), "notices": list(selection.filters.notices)}
    response = HttpResponse(_dumps(document), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = attachment("threadline-aif.json", inline=True)
    return response
