"""What every view shares: typed htmx requests and when a request wants only a fragment."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

# The page cache varies by these, so they are named where it is (debate.http.pagecache).
from ..http.pagecache import LOAD_MORE_TARGET, SYNC_HEADER

__all__ = ["LOAD_MORE_TARGET", "SYNC_HEADER", "HtmxHttpRequest", "wants_fragment"]


class HtmxHttpRequest(HttpRequest):
    """A request that has been through django-htmx's middleware."""

    htmx: HtmxDetails


def wants_fragment(request: HtmxHttpRequest) -> bool:
    """An HTMX swap, but not htmx restoring history, which needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request
