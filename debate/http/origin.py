"""Absolute URLs from one configured origin (``SITE_URL``), never from the request's Host.

Canonical links, ``og:url``, JSON-LD ids, feed and export links are all built with
``request.build_absolute_uri``, which names the request's scheme and Host. Any allowed host
(with a port, or a trailing dot) would then become the URL a cached page gives every reader.
With ``SITE_URL`` set (e.g. ``https://threadline.example``), ``CanonicalOriginMiddleware``
makes every absolute URL start with it instead, and the page cache's key (which holds the
absolute URL) stops varying by Host. Without it, URLs follow the request, as in development.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse


def canonical_origin() -> str:
    """``SITE_URL`` as scheme://host[:port], or "" when unset."""
    site = (getattr(settings, "SITE_URL", "") or "").strip()
    if not site:
        return ""
    parts = urlsplit(site)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ImproperlyConfigured(
            f"SITE_URL must be an origin such as https://threadline.example, not {site!r}."
        )
    return f"{parts.scheme}://{parts.netloc}"


class CanonicalOriginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        canonical_origin()  # a malformed SITE_URL fails at start-up, not on a request

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if origin := canonical_origin():
            # HttpRequest.build_absolute_uri joins every location to this cached property
            # ("scheme://host" of the request); naming it here replaces the request's own.
            request._current_scheme_host = origin  # type: ignore[attr-defined]
        return self.get_response(request)
