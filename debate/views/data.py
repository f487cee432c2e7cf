"""Data out: the Atom feed and the exports (JSON, CSV, W3C Web Annotation, AIF) of a selection.

Each takes the timeline's filter parameters. Every export is streamed with bounded memory and
kept in the page cache per edit state and selection (``debate.exports.cached``): a repeated
request costs no query. A HEAD request gets the headers without running the export's queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from ..exports.aif import aif_chunks
from ..exports.annotations import ANNO_CONTEXT, annotation_chunks
from ..exports.cached import cached, export_key, keep
from ..exports.feed import build_feed
from ..exports.records import csv_lines, json_chunks
from ..exports.selection import Selection, select
from ..models import Debate
from ..reading.filters import load_filters
from .hub import in_debate


def attachment(filename: str, *, inline: bool = False) -> str:
    return f'{"inline" if inline else "attachment"}; filename="{filename}"'


def stream(request: HttpRequest, body: Callable[[], Iterable[str]], **kwargs: Any) -> Any:
    # A HEAD request gets the headers without running the export's queries.
    content = iter(()) if request.method == "HEAD" else body()
    return StreamingHttpResponse(content, **kwargs)


def export(
    request: HttpRequest,
    slug: str,
    kind: str,
    body: Callable[[Selection], Iterable[str]],
    content_type: str,
    disposition: str,
    extra: str = "",
) -> HttpResponse:
    """The export ``kind`` of the selection in debate ``slug``: from the cache (without a
    query: the key names the debate by its slug), or streamed and kept."""
    key = export_key(request, kind, request.GET, f"{slug}|{extra}")
    document = cached(key)
    if document is not None:
        response: HttpResponse = HttpResponse(document, content_type=content_type)
    else:
        debate = get_object_or_404(Debate, slug=slug)
        selection = select(debate, request.GET, request.build_absolute_uri)
        response = stream(request, lambda: keep(key, body(selection)), content_type=content_type)
    response["Content-Disposition"] = disposition
    return response


@require_safe
@in_debate
def timeline_feed(request: HttpRequest, debate: Debate) -> HttpResponse:
    """The debate's newest matching posts (at most 50) as an Atom feed."""
    feed = build_feed(request, debate, load_filters(request.GET, debate.pk))
    response = HttpResponse(content_type=feed.content_type)
    feed.write(response, "utf-8")
    return response


@require_safe
def export_json(request: HttpRequest, debate: str) -> HttpResponse:
    """Every matching post with its claims and public stances, in the filters' order."""
    return export(
        request,
        debate,
        "json",
        json_chunks,
        "application/json; charset=utf-8",
        attachment(f"threadline-{debate}-posts.json", inline=True),
    )


@require_safe
def export_csv(request: HttpRequest, debate: str) -> HttpResponse:
    """One row per post and public stance, for spreadsheets."""
    return export(
        request,
        debate,
        "csv",
        csv_lines,
        "text/csv; charset=utf-8",
        attachment(f"threadline-{debate}-posts.csv"),
    )


@require_safe
def export_annotations(request: HttpRequest, debate: str) -> HttpResponse:
    """Each public stance as a W3C Web Annotation on the exact words its claim rests on."""
    collection_id = request.build_absolute_uri()
    return export(
        request,
        debate,
        "annotations",
        lambda selection: annotation_chunks(selection, collection_id),
        f'application/ld+json; profile="{ANNO_CONTEXT}"; charset=utf-8',
        attachment(f"threadline-{debate}-annotations.jsonld", inline=True),
        extra=collection_id,
    )


@require_safe
def export_aif(request: HttpRequest, debate: str) -> HttpResponse:
    """The debate as an argument graph in AIF JSON: posts, claims, support and conflict."""
    return export(
        request,
        debate,
        "aif",
        aif_chunks,
        "application/json; charset=utf-8",
        attachment(f"threadline-{debate}-aif.json", inline=True),
    )
