"""Post exports: every matching post whole, as its card shows it, as JSON or CSV rows.

A post export gives each matching post with its claims and public stances; it also carries
the claims an article's prose attributes to a speaker, which belong to no post.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from ..models import Claim, Post, Stance, display_name
from .selection import (
    Absolute,
    Selection,
    dumps,
    filter_params,
    in_chunks,
    iso,
    posted_iso,
    prose_claims,
)

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
        "annotator": display_name(stance.annotator),
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


def json_chunks(selection: Selection) -> Iterator[str]:
    """The JSON document, piece by piece, so no more than a chunk of posts is held at once."""
    filters = selection.filters
    debate = selection.debate
    head = {
        "generated": iso(timezone.now()),
        "debate": {
            "slug": debate.slug,
            "title": debate.title,
            "url": selection.absolute(debate.get_absolute_url()),
        },
        "filters": filter_params(filters),
        "notices": list(filters.notices),
    }
    yield dumps(head)[:-1] + ',"posts":['
    for n, post in enumerate(in_chunks(selection.posts)):
        yield ("," if n else "") + dumps(post_record(post, selection.absolute))
    yield '],"article_claims":['
    for n, claim in enumerate(prose_claims(filters)):
        yield ("," if n else "") + dumps(prose_claim_record(claim, selection.absolute))
    yield "]}"


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
                    display_name(stance.annotator),
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
