"""Data out: the Atom feed and the exports (JSON, CSV, W3C Web Annotation, AIF) of a selection.

Each takes the timeline's filter parameters. Post exports are streamed; a HEAD request gets
the headers without running the export's queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_safe

from ..exports.aif import aif_graph
from ..exports.annotations import ANNO_CONTEXT, annotation_collection
from ..exports.feed import build_feed
from ..exports.records import csv_lines, json_chunks
from ..exports.selection import dumps, select
from ..reading.filters import load_filters


def attachment(filename: str, *, inline: bool = False) -> str:
    return f'{"inline" if inline else "attachment"}; filename="{filename}"'


def stream(request: HttpRequest, body: Callable[[], Iterable[str]], **kwargs: Any) -> Any:
    # A HEAD request gets the headers without running the export's queries.
    content = iter(()) if request.method == "HEAD" else body()
    return StreamingHttpResponse(content, **kwargs)


@require_safe
def timeline_feed(request: HttpRequest) -> HttpResponse:
    """The newest matching posts (at most 50) as an Atom feed."""
    feed = build_feed(request, load_filters(request.GET))
    response = HttpResponse(content_type=feed.content_type)
    feed.write(response, "utf-8")
    return response


@require_safe
def export_json(request: HttpRequest) -> HttpResponse:
    """Every matching post with its claims and public stances, in the filters' order."""
    selection = select(request.GET, request.build_absolute_uri)
    response = stream(
        request, lambda: json_chunks(selection), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = attachment("threadline-posts.json", inline=True)
    return response


@require_safe
def export_csv(request: HttpRequest) -> HttpResponse:
    """One row per post and public stance, for spreadsheets."""
    selection = select(request.GET, request.build_absolute_uri)
    response = stream(request, lambda: csv_lines(selection), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = attachment("threadline-posts.csv")
    return response


@require_safe
def export_annotations(request: HttpRequest) -> HttpResponse:
    """Each public stance as a W3C Web Annotation on the exact words its claim rests on."""
    selection = select(request.GET, request.build_absolute_uri)
    collection = annotation_collection(selection, request.build_absolute_uri())
    response = HttpResponse(
        dumps(collection),
        content_type=f'application/ld+json; profile="{ANNO_CONTEXT}"; charset=utf-8',
    )
    response["Content-Disposition"] = attachment("threadline-annotations.jsonld", inline=True)
    return response


@require_safe
def export_aif(request: HttpRequest) -> HttpResponse:
    """The debate as an argument graph in AIF JSON: posts, claims, support and conflict."""
    selection = select(request.GET, request.build_absolute_uri)
    document = {**aif_graph(selection).as_dict(), "notices": list(selection.filters.notices)}
    response = HttpResponse(dumps(document), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = attachment("threadline-aif.json", inline=True)
    return response
