"""What every view shares: typed htmx requests and when a request wants only a fragment."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

LOAD_MORE_TARGET = "load-more"
SYNC_HEADER = "X-Threadline-Sync"


class HtmxHttpRequest(HttpRequest):
    """A request that has been through django-htmx's middleware."""

    htmx: HtmxDetails


def wants_fragment(request: HtmxHttpRequest) -> bool:
    """An HTMX swap, but not htmx restoring history, which needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request
