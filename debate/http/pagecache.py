"""Whole public pages cached by filter state, with ETags, never stale.

A page is keyed by the edit counter (``debate.versioning``), its absolute URL (scheme and
host included: canonical links, ``og:url`` and JSON-LD ids name them) and the request headers
that change what is rendered (htmx's). Any edit bumps the counter, so every cached page and
ETag is stale at once, in every process: a reader's next load after an edit renders afresh.

Built on Django's own tools: ``condition()`` answers ``If-None-Match`` with a 304 before the
view runs, and ``django.utils.cache`` writes the ``Cache-Control`` and ``Vary`` headers.

Readers with a session (editors, who see an "Annotate" link) bypass the cache. The CSP nonce
of a cached page is swapped for the nonce of the request that receives it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.http import condition

from ..versioning import current_version, remembered
from .routers import public_reads

PAGE_TIMEOUT = 24 * 3600
NONCE_PLACEHOLDER = b"__threadline_csp_nonce__"
# Headers a response may differ by, besides the URL.
VARIANT_HEADERS = ("HX-Request", "HX-Target", "HX-History-Restore-Request", "X-Threadline-Sync")
KEPT_HEADERS = ("Content-Type", "Vary", "HX-Push-Url")

View = Callable[..., HttpResponse]


def page_cache() -> Any:
    """Whole pages live in their own cache (``pages``) so that they cannot crowd out cards."""
    return caches["pages"] if "pages" in settings.CACHES else cache


def _cacheable(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not getattr(settings, "THREADLINE_PAGE_CACHE_DISABLED", False)
    )


def page_digest(request: HttpRequest) -> str:
    """What identifies a rendered page: the edit state, the absolute URL, the variant."""
    variant = "|".join(request.headers.get(name, "") for name in VARIANT_HEADERS)
    identity = f"{current_version().number}|{request.build_absolute_uri()}|{variant}"
    return hashlib.blake2b(identity.encode(), digest_size=16).hexdigest()


def public_page(view: View) -> View:
    """Serve ``view`` from the page cache when possible, with an ETag and Last-Modified."""
    conditional = condition(etag_func=lambda request, *a, **kw: page_digest(request))(
        _from_page_cache(view)
    )

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        with public_reads():
            version = current_version()
            with remembered(version):
                response = conditional(request, *args, **kwargs)
        if response.status_code in (200, 304):
            response["Last-Modified"] = http_date(version.changed_at.timestamp())
            # Revalidate every time: an edit must show on the next load.
            patch_cache_control(response, no_cache=True)
            patch_vary_headers(response, ["Cookie", *VARIANT_HEADERS])
        elif response.has_header("ETag"):  # condition() tags every GET; only pages keep it
            del response["ETag"]
        return response

    return wrapper


def _from_page_cache(view: View) -> View:
    @wraps(view)
    def cached(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = f"page:{page_digest(request)}"
        stored = page_cache().get(key)
        if stored is not None:
            return _from_cache(request, stored)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            page_cache().set(key, _for_cache(request, response), PAGE_TIMEOUT)
        return response

    return cached


def _for_cache(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    content = response.content
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:  # generated while rendering: the page carries it
        content = content.replace(str(nonce).encode(), NONCE_PLACEHOLDER)
    headers = {name: response[name] for name in KEPT_HEADERS if name in response}
    return {"content": content, "headers": headers}


def _from_cache(request: HttpRequest, stored: dict[str, Any]) -> HttpResponse:
    content: bytes = stored["content"]
    if NONCE_PLACEHOLDER in content:
        # Reading the lazy nonce creates it; the CSP middleware then sends the same one.
        content = content.replace(NONCE_PLACEHOLDER, str(request._csp_nonce).encode())
    response = HttpResponse(content)
    for name, value in stored["headers"].items():
        response[name] = value
    return response
