"""Whole public pages cached by filter state, with ETags, never stale.

A page is keyed by the edit counter (``debate.versioning``), its absolute URL (scheme and
host included: canonical links, ``og:url`` and JSON-LD ids name them) and the request headers
that change what is rendered (htmx's). Any edit bumps the counter, so every cached page and
ETag is stale at once, in every process: a reader's next load after an edit renders afresh.

Built on Django's own tools: ``condition()`` answers ``If-None-Match`` with a 304 before the
view runs, and ``django.utils.cache`` writes the ``Cache-Control`` and ``Vary`` headers.

Readers with a real session (editors, who see an "Annotate" link) bypass the cache; a
``sessionid`` cookie naming no session does not. The CSP nonce of a cached page is put back,
at the places the rendering request's nonce sat, as the nonce of the request that receives it.

What can make a new entry is bounded: a query string with parameters the page does not know
redirects to the canonical URL (the page's own ``tidy`` rule), and an htmx header varies the key
only by the values our templates send.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.http import condition
from django_htmx.middleware import HtmxDetails

from ..versioning import current_version, remembered
from .routers import public_reads

PAGE_TIMEOUT = 24 * 3600
# Bumped when the stored form changes: entries of the old form are never read back.
KEY_PREFIX = "page:2"
# The htmx targets our templates swap (hx-target="#..."), and our own sync header: only these
# values vary a page's key. Any other value renders what no header would (tests check that
# every hx-target in templates/ is listed here).
RESULTS_TARGET = "results"
LOAD_MORE_TARGET = "load-more"
HTMX_TARGETS = (RESULTS_TARGET, LOAD_MORE_TARGET)
SYNC_HEADER = "X-Threadline-Sync"
# Headers a response may differ by, besides the URL.
VARIANT_HEADERS = ("HX-Request", "HX-Target", "HX-History-Restore-Request", SYNC_HEADER)
KEPT_HEADERS = ("Content-Type", "Vary", "HX-Push-Url")

View = Callable[..., HttpResponse]
# A page's rule for its query string: the canonical query ("" for none, else "?a=b"), or None
# when the query is canonical already.
Tidy = Callable[[QueryDict], str | None]


def no_query(params: QueryDict) -> str | None:
    """The rule of a page that takes no parameters: any query string is dropped."""
    return "" if params else None


def page_cache() -> Any:
    """Whole pages live in their own cache (``pages``) so that they cannot crowd out cards."""
    return caches["pages"] if "pages" in settings.CACHES else cache


def _canonical_query(request: HttpRequest, tidy: Tidy) -> str | None:
    if tidy is no_query:
        # Not parsed: a page that reads no parameter drops any query, however many fields.
        return "" if request.META.get("QUERY_STRING") else None
    return tidy(request.GET)


def has_session(request: HttpRequest) -> bool:
    """A session cookie that names a live, non-empty session (one indexed read, or a cache GET
    with ``cached_db``). A made-up ``sessionid`` loads nothing, and Django's session middleware
    then deletes the cookie."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    session = getattr(request, "session", None)
    return session is not None and bool(session.keys())


def _cacheable(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not getattr(settings, "THREADLINE_PAGE_CACHE_DISABLED", False)
        and not has_session(request)
    )


def page_variant(request: HttpRequest) -> str:
    """The htmx request headers as the views read them (django-htmx decodes them first), each
    reduced to the values that change what is rendered."""
    htmx = HtmxDetails(request)
    if not htmx:
        return "page"
    if htmx.history_restore_request:
        return "history"
    target = htmx.target if htmx.target in HTMX_TARGETS else ""
    sync = "all" if request.headers.get(SYNC_HEADER) == "all" else ""
    return f"htmx|{target}|{sync}"


def page_digest(request: HttpRequest) -> str:
    """What identifies a rendered page: the edit state, the absolute URL, the variant.

    An htmx swap with an untidy query (a form's empty fields, or parameters the page does not
    know) is answered like the tidy one plus the URL to push, so it is keyed by that."""
    canonical = getattr(request, "_page_query", None)
    if canonical is None:
        url = request.build_absolute_uri()
    else:
        url = request.build_absolute_uri(f"{request.path}{canonical}") + "|pushed"
    identity = f"{current_version().number}|{url}|{page_variant(request)}"
    return hashlib.blake2b(identity.encode(), digest_size=16).hexdigest()


def public_page(view: View | None = None, *, tidy: Tidy = no_query) -> Any:
    """Serve ``view`` from the page cache when possible, with an ETag and Last-Modified.

    ``tidy`` is the page's rule for its query string (``no_query`` unless the page takes
    parameters). A query it would change redirects to the canonical URL, except in an htmx
    swap, whose view answers with the canonical URL to push (``HX-Push-Url``) instead. Use as
    ``@public_page`` or ``@public_page(tidy=...)``."""
    if view is None:
        return lambda inner: public_page(inner, tidy=tidy)
    conditional = condition(etag_func=lambda request, *a, **kw: page_digest(request))(
        _from_page_cache(view)
    )

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        canonical = _canonical_query(request, tidy)
        if canonical is not None and not HtmxDetails(request):
            # Unknown parameters (?utm=...), empty fields, defaults: one URL per page.
            return HttpResponseRedirect(f"{request.path}{canonical}")
        request._page_query = canonical  # type: ignore[attr-defined]
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
        key = f"{KEY_PREFIX}:{page_digest(request)}"
        stored = page_cache().get(key)
        if stored is not None:
            return _from_cache(request, stored)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            page_cache().set(key, _for_cache(request, response), PAGE_TIMEOUT)
        return response

    return cached


def _for_cache(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    """The page cut where the rendering request's nonce sat. The nonce is random and made for
    this request, so no input could have spelled it: nothing else is cut, and no text a reader
    sends can become a later reader's nonce."""
    parts = [response.content]
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:  # generated while rendering: the page carries it
        parts = response.content.split(str(nonce).encode())
    headers = {name: response[name] for name in KEPT_HEADERS if name in response}
    return {"parts": parts, "headers": headers}


def _from_cache(request: HttpRequest, stored: dict[str, Any]) -> HttpResponse:
    parts: list[bytes] = stored["parts"]
    # Reading the lazy nonce creates it; the CSP middleware then sends the same one.
    content = str(request._csp_nonce).encode().join(parts) if len(parts) > 1 else parts[0]
    response = HttpResponse(content)
    for name, value in stored["headers"].items():
        response[name] = value
    return response
