"""Whole public pages cached by filter state, with ETags, never stale.

Every page is keyed by the site's edit counter (``SiteVersion``), the full URL and the
request headers that change what is rendered (htmx's). Any edit to anything a public page
shows bumps the counter (signals below, and ``bump()`` for bulk writes), so every cached
page and ETag is stale at once, in every process: a reader's next load after an edit always
renders afresh.

Readers with a session (editors, who see an "Annotate" link) bypass the cache. The CSP
nonce of a cached page is swapped for the nonce of the request that receives it.

Where the counter is read: from the database (one small query per page view) by default, so
that every process sees an edit at once with nothing but the database shared. With Redis as
the shared cache (``REDIS_URL``) and no replica, each committed edit writes a fresh random
token into Redis instead, and a page view reads that (no query). With a replica
(``DATABASE_REPLICA_URL``), the counter is read from the replica like the page's data, so a
page is never keyed by an edit the replica has not applied yet.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache, caches
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date

from .models import Article, ArticlePost, Claim, Post, Proposition, SiteVersion, Speaker, Stance
from .routers import public_reads, replica_configured
from .scoped import scoped

PAGE_TIMEOUT = 24 * 3600
NONCE_PLACEHOLDER = b"__threadline_csp_nonce__"
# Headers a response may differ by, besides the URL.
VARIANT_HEADERS = ("HX-Request", "HX-Target", "HX-History-Restore-Request", "X-Threadline-Sync")
KEPT_HEADERS = ("Content-Type", "Vary", "HX-Push-Url")
WATCHED = (Article, ArticlePost, Claim, Post, Proposition, Speaker, Stance)


VERSION_KEY = "site-version"


@dataclass(frozen=True)
class Version:
    """The state of everything public pages show: ``number`` changes on every edit (an
    opaque string: the counter, or a random token when kept in Redis)."""

    number: str
    changed_at: Any


_request_version: ContextVar[Version | None] = ContextVar("threadline_version", default=None)


def version_in_cache() -> bool:
    return bool(getattr(settings, "THREADLINE_VERSION_IN_CACHE", False)) and not (
        replica_configured()
    )


def _version_from_database() -> Version:
    # Read on every page view: a plain cursor costs a third of the same query built by the
    # ORM (docs/performance.md), and the router still chooses the database.
    connection = connections[router.db_for_read(SiteVersion)]
    table = connection.ops.quote_name(SiteVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number, changed_at FROM {table} WHERE id = %s", [1])  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        made = SiteVersion.objects.get_or_create(pk=1)[0]
        row = (made.number, made.changed_at)
    return Version(f"n{row[0]}", _aware(row[1]))


def _aware(value: Any) -> datetime.datetime:
    # PostgreSQL gives an aware datetime; SQLite's driver gives text or a naive UTC value.
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    return value


def current_version() -> Version:
    """The edit counter, read once per page view (memoized while a public page renders)."""
    memo = _request_version.get()
    if memo is not None:
        return memo
    if not version_in_cache():
        return _version_from_database()
    version = cache.get(VERSION_KEY)
    if version is None:
        # Evicted or never set: any value works if it is set only when absent, because a
        # committed edit replaces it (``_new_token``).
        cache.add(VERSION_KEY, _version_from_database(), timeout=None)
        version = cache.get(VERSION_KEY) or _version_from_database()
    return version


def _new_token() -> None:
    # A token never used before: every page cached under an earlier one is unreachable,
    # whatever order concurrent edits commit in.
    cache.set(VERSION_KEY, Version(f"t{secrets.token_hex(8)}", timezone.now()), timeout=None)


def refresh_cached_version() -> None:
    """Replace the counter kept in the shared cache, if it is kept there (after a restore)."""
    if version_in_cache():
        _new_token()


def bump(**_: Any) -> None:
    """Count an edit. Call it after writes that bypass model signals (bulk_create, update)."""
    if not SiteVersion.objects.filter(pk=1).update(
        number=F("number") + 1, changed_at=timezone.now()
    ):
        SiteVersion.objects.get_or_create(pk=1)
    if version_in_cache():
        # After the commit: a reader must not see the new token while the edit is invisible.
        transaction.on_commit(_new_token, using=DEFAULT_DB_ALIAS)


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


def page_cache() -> Any:
    """Whole pages live in their own cache (``pages``) so that they cannot crowd out cards."""
    return caches["pages"] if "pages" in settings.CACHES else cache


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
        with public_reads():
            version = current_version()
            with scoped(_request_version, version):
                return _serve(request, version, view, *args, **kwargs)

    return wrapper


def _serve(
    request: HttpRequest,
    version: Version,
    view: Callable[..., HttpResponse],
    *args: Any,
    **kwargs: Any,
) -> HttpResponse:
    variant = "|".join(request.headers.get(name, "") for name in VARIANT_HEADERS)
    identity = f"{version.number}|{request.get_full_path()}|{variant}".encode()
    digest = hashlib.blake2b(identity, digest_size=16).hexdigest()
    etag = f'"{digest}"'
    if etag in _etags(request.headers.get("If-None-Match", "")):
        response: HttpResponse = HttpResponseNotModified()
    else:
        key = f"page:{digest}"
        stored = page_cache().get(key)
        if stored is not None:
            response = _from_cache(request, stored)
        else:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                page_cache().set(key, _for_cache(request, response), PAGE_TIMEOUT)
    if response.status_code in (200, 304):
        response["ETag"] = etag
        response["Last-Modified"] = http_date(version.changed_at.timestamp())
        # Revalidate every time: an edit must show on the next load.
        response["Cache-Control"] = "no-cache"
        patch_vary_headers(response, ["Cookie", *VARIANT_HEADERS])
    return response


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
