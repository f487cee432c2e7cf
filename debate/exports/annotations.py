"""Stances as W3C Web Annotations (JSON-LD), anchored to the exact words their claims rest on.

A stance export gives one item per stance, so a stance or proposition filter also narrows
which stances come out; it carries the claims of articles' prose too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..models import Claim, Stance, display_name
from ..text import locate_quote
from .selection import (
    Absolute,
    Selection,
    claim_page,
    dumps,
    in_chunks,
    iso,
    prose_claims,
    stance_fragment,
)

# How much context a TextQuoteSelector carries on each side of the quote.
SELECTOR_CONTEXT = 32
ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"


def selectors(quote: str, source: str) -> list[dict[str, Any]]:
    quote_selector: dict[str, Any] = {"type": "TextQuoteSelector", "exact": quote}
    position = locate_quote(quote, source)
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
        "creator": {"type": "Person", "name": display_name(stance.annotator)},
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
        "target": {"source": page, "selector": selectors(claim.quote, claim.source_text)},
    }


def annotated_claims(selection: Selection) -> Iterator[Claim]:
    """Claims of the matching posts, then claims from articles' prose."""
    for post in in_chunks(selection.posts):
        yield from post.claims.all()
    yield from prose_claims(selection.filters)


def annotation_collection(selection: Selection, collection_id: str) -> dict[str, Any]:
    """Each public stance as a W3C Web Annotation, in one collection (the whole document)."""
    return json.loads("".join(annotation_chunks(selection, collection_id)))


def annotation_chunks(selection: Selection, collection_id: str) -> Iterator[str]:
    """The collection's JSON-LD, piece by piece: no more than a chunk of posts is held at once.
    ``total`` comes last, once the items are counted."""
    head = {
        "@context": ANNO_CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": f"Threadline: stances in {selection.debate.title}",
        "notices": list(selection.filters.notices),
    }
    yield dumps(head)[:-1] + ',"first":{"type":"AnnotationPage","startIndex":0,"items":['
    total = 0
    for claim in annotated_claims(selection):
        for stance in selection.stances_of(claim):
            yield ("," if total else "") + dumps(annotation(claim, stance, selection.absolute))
            total += 1
    yield f']}},"total":{total}}}'
