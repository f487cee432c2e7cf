"""Exports kept whole in the page cache, per edit state and selection.

An export of the whole debate is megabytes and seconds of queries; readers and bots ask for
the same few again and again. Each one is streamed while it is made, and kept (when under
``THREADLINE_EXPORT_CACHE_MAX_BYTES``) under the edit counter, the canonical filter parameters,
their notices and the site's origin: an edit makes a new key at once, and a repeated request
costs no query.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.utils.http import urlencode

from ..http.pagecache import page_cache
from ..reading.filters import read_params
from ..versioning import current_version

DEFAULT_MAX_BYTES = 32 * 1024 * 1024
TIMEOUT = 24 * 60 * 60


def max_bytes() -> int:
    return getattr(settings, "THREADLINE_EXPORT_CACHE_MAX_BYTES", DEFAULT_MAX_BYTES)


def export_key(request: HttpRequest, kind: str, params: QueryDict, extra: str = "") -> str:
    """``extra``: anything else the document carries (the annotation collection's own URL)."""
    filters = read_params(params)  # formats only: no query
    selection = urlencode(filters.params()) + "|" + "|".join(filters.notices)
    origin = request.build_absolute_uri("/")
    digest = hashlib.sha256(f"{origin}|{selection}|{extra}".encode()).hexdigest()[:32]
    return f"threadline:export:{kind}:{current_version().number}:{digest}"


def enabled() -> bool:
    return not getattr(settings, "THREADLINE_PAGE_CACHE_DISABLED", False)


def cached(key: str) -> bytes | None:
    return page_cache().get(key) if enabled() else None


def keep(key: str, chunks: Iterable[str]) -> Iterator[bytes]:
    """Stream ``chunks`` as bytes, and keep the whole document under ``key`` at the end if it
    stayed under the size cap (past the cap, nothing more is held)."""
    limit = max_bytes()
    held: list[bytes] | None = [] if enabled() else None
    size = 0
    for chunk in chunks:
        data = chunk.encode("utf-8")
        if held is not None:
            size += len(data)
            if size > limit:
                held = None
            else:
                held.append(data)
        yield data
    if held is not None:
        page_cache().set(key, b"".join(held), TIMEOUT)
