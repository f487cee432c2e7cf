"""Whole public pages cached by filter state, with ETags, never stale.

Every page is keyed by the site's edit counter (``SiteVersion``), the full URL and the
request headers that change what is rendered (htmx's). Any edit to anything a public page
shows bumps the counter (signals below, and ``bump()`` for bulk writes), so every cached
page and ETag is stale at once, in every process: a reader's next load after an edit always
renders afresh.

Readers with a session (editors, who see an "Annotate" link) bypass the cache. The CSP
nonce of a cached page is swapped for the nonce of the request that receives it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date

from .models import Article, ArticlePost, Claim, Post, Proposition, SiteVersion, Speaker, Stance

PAGE_TIMEOUT = 24 * 3600
NONCE_PLACEHOLDER = b"__threadline_csp_nonce__"
# Headers a response may differ by, besides the URL.
VARIANT_HEADERS = ("HX-Request", "HX-Target", "HX-History-Restore-Request", "X-Threadline-Sync")
KEPT_HEADERS = ("Content-Type", "Vary", "HX-Push-Url")
WATCHED = (Article, ArticlePost, Claim, Post, Proposition, Speaker, Stance)


@dataclass(frozen=True)
class Version:
    number: int
    changed_at: Any


def current_version() -> Version:
    row = SiteVersion.objects.filter(pk=1).values_list("number", "changed_at").first()
    if row is None:
        row = SiteVersion.objects.get_or_create(pk=1)[0]
        return Version(row.number, row.changed_at)
    return Version(*row)


def bump(**_: Any) -> None:
    """Count an edit. Call it after writes that bypass model signals (bulk_create, update)."""
    if not SiteVersion.objects.filter(pk=1).update(
        number=F("number") + 1, changed_at=timezone.now()
    ):
        SiteVersion.objects.get_or_create(pk=1)


def _bump_for_user(update_fields: frozenset[str] | None = None, **_: Any) -> None:
    # Annotators' names show on public pages; a login's last_login stamp does not.
    if update_fields is None or set(update_fields) - {"last_login"}:
        bump()


# Fixtures too (raw saves): loaded data must show.
for model in WATCHED:
    post_save.connect(bump, sender=model, dispatch_uid=f"pagecache-save-{model.__name__}")
    post_delete.connect(bump, sender=model, dispatch_uid=f"pagecache-delete-{model.__name__}")
m2m_changed.connect(bump, sender=Article.posts.through, dispatch_uid="pagecache-m2m")
post_save.connect(_bump_for_user, sender=get_user_model(), dispatch_uid="pagecache-user")


def _cacheable(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not getattr(settings, "THREADLINE_PAGE_CACHE_DISABLED", False)
    )


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve ``view`` from the page cache when possible, with an ETag and Last-Modified."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        version = current_version()
        variant = "|".join(request.headers.get(name, "") for name in VARIANT_HEADERS)
        identity = f"{version.number}|{request.get_full_path()}|{variant}".encode()
        digest = hashlib.blake2b(identity, digest_size=16).hexdigest()
        etag = f'"{digest}"'
        if etag in _etags(request.headers.get("If-None-Match", "")):
            response: HttpResponse = HttpResponseNotModified()
        else:
            key = f"page:{digest}"
            stored = cache.get(key)
            if stored is not None:
                response = _from_cache(request, stored)
            else:
                response = view(request, *args, **kwargs)
                if response.status_code == 200 and not response.streaming:
                    cache.set(key, _for_cache(request, response), PAGE_TIMEOUT)
        if response.status_code in (200, 304):
            response["ETag"] = etag
            response["Last-Modified"] = http_date(version.changed_at.timestamp())
            # Revalidate every time: an edit must show on the next load.
            response["Cache-Control"] = "no-cache"
            patch_vary_headers(response, ["Cookie", *VARIANT_HEADERS])
        return response

    return wrapper


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


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
