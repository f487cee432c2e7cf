"""The edit counter: one number that changes whenever anything a public page shows changes.

Cached pages, facet counts and ETags are keyed by it (``current_version()``), so an edit makes
all of them stale at once, in every process. Every write bumps it in its own transaction:
model signals for ordinary saves and deletes, and ``bulk_edit()`` around bulk writes
(``bulk_create``, ``update()``), which send no signals and bump once for the whole block.

Where the counter is read: from the database (one small query per page view) by default, so
that every process sees an edit at once with nothing but the database shared. With Redis as
the shared cache (``REDIS_URL``) and no replica, each committed edit writes a fresh random
token into Redis, and a page view reads that (no query). With a replica, the counter is read
from the replica like the page's data, so a page is never keyed by an edit the replica has
not applied yet.

If Redis cannot be written when an edit commits, the edit still stands (it is committed) and
the token is left as it was. Each process compares the token with the database's counter at
most every ``VERSION_CHECK_SECONDS`` and replaces a token the database has moved past, so
readers get stale pages for at most that long after Redis is back.

Nothing here knows about HTTP: ``debate.http.pagecache`` builds the page cache on top.
"""

from __future__ import annotations

import datetime
import logging
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .models import (
    Article,
    ArticlePost,
    Claim,
    Debate,
    Post,
    Proposition,
    SiteVersion,
    Speaker,
    Stance,
)
from .scoped import scoped

logger = logging.getLogger(__name__)

VERSION_KEY = "site-version"
# At most this long after Redis comes back, readers may still get pages from before an edit
# whose token could not be written (see the module's docstring). THREADLINE_VERSION_CHECK_SECONDS
# sets it.
VERSION_CHECK_SECONDS = 5.0
WATCHED = (Article, ArticlePost, Claim, Debate, Post, Proposition, Speaker, Stance)


@dataclass(frozen=True)
class Version:
    """The state of everything public pages show: ``number`` changes on every edit (an
    opaque string: the counter, or a random token when kept in Redis). ``counter`` is the
    database's count it was made from."""

    number: str
    changed_at: Any
    counter: int = 0


_remembered: ContextVar[Version | None] = ContextVar("threadline_version", default=None)
_held: ContextVar[bool] = ContextVar("threadline_bulk_edit", default=False)
_last_check = [0.0]  # monotonic time this process last compared the token with the database


def version_in_cache() -> bool:
    # Not with a replica: there the counter is read with the page's data (module docstring).
    in_cache = bool(getattr(settings, "THREADLINE_VERSION_IN_CACHE", False))
    return in_cache and "replica" not in settings.DATABASES


def _aware(value: Any) -> datetime.datetime:
    # PostgreSQL gives an aware datetime; SQLite's driver gives text or a naive UTC value.
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    return value


def version_from_database() -> Version:
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
    return Version(f"n{row[0]}", _aware(row[1]), int(row[0]))


def check_seconds() -> float:
    return float(getattr(settings, "THREADLINE_VERSION_CHECK_SECONDS", VERSION_CHECK_SECONDS))


def _cached_version() -> Version:
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            # Evicted or never set: any value works if it is set only when absent, because a
            # committed edit replaces it (``_new_token``).
            cache.add(VERSION_KEY, version_from_database(), timeout=None)
            version = cache.get(VERSION_KEY)
            _last_check[0] = time.monotonic()
        elif time.monotonic() - _last_check[0] >= check_seconds():
            _last_check[0] = time.monotonic()
            stored = version_from_database()
            if stored.counter > version.counter:  # an edit's token was never written
                version = _new_token(stored)
    except Exception:  # Redis is down: the database still knows
        logger.warning("The shared cache is down; the edit counter is read from the database.")
        return version_from_database()
    return version or version_from_database()


def current_version() -> Version:
    """The edit counter, read once per page view (``remembered`` while a page renders)."""
    memo = _remembered.get()
    if memo is not None:
        return memo
    if not version_in_cache():
        return version_from_database()
    return _cached_version()


@contextmanager
def remembered(version: Version) -> Iterator[None]:
    """Within this block ``current_version()`` answers ``version`` without reading it."""
    with scoped(_remembered, version):
        yield


def _new_token(stored: Version | None = None) -> Version:
    # A token never used before: every page cached under an earlier one is unreachable,
    # whatever order concurrent edits commit in.
    base = stored or version_from_database()
    version = Version(f"t{secrets.token_hex(8)}", timezone.now(), base.counter)
    cache.set(VERSION_KEY, version, timeout=None)
    return version


def _new_token_after_commit() -> None:
    try:
        _new_token()
    except Exception:
        # The edit is committed and must answer as one; the periodic check in
        # ``_cached_version`` replaces the old token once Redis is back.
        logger.warning("Could not write the edit counter to the shared cache.", exc_info=True)


def refresh_cached_version() -> None:
    """Replace the counter kept in the shared cache, if it is kept there (after a restore)."""
    if version_in_cache():
        _new_token_after_commit()


def bump(**_: Any) -> None:
    """Count an edit (in the caller's transaction). Inside ``bulk_edit()`` it waits for the
    block's end, so a thousand rows cost one bump."""
    if _held.get():
        return
    if not SiteVersion.objects.filter(pk=1).update(
        number=F("number") + 1, changed_at=timezone.now()
    ):
        SiteVersion.objects.get_or_create(pk=1)
    if version_in_cache():
        # After the commit: a reader must not see the new token while the edit is invisible.
        transaction.on_commit(_new_token_after_commit, using=DEFAULT_DB_ALIAS)


@contextmanager
def bulk_edit() -> Iterator[None]:
    """One transaction for a bulk write, counted as one edit at its end.

    Bulk writes (``bulk_create``, ``QuerySet.update``) send no signals: inside this block the
    edit is counted anyway, once, however many rows change, and nothing is counted if the
    block fails (its transaction rolls back)."""
    if _held.get():  # nested: the outermost block counts
        with transaction.atomic():
            yield
        return
    with transaction.atomic():
        with scoped(_held, True):
            yield
        bump()  # in the same transaction as the writes


def _bump_for_user(update_fields: frozenset[str] | None = None, **_: Any) -> None:
    # Annotators' names show on public pages; a login's last_login stamp does not.
    if update_fields is None or set(update_fields) - {"last_login"}:
        bump()


def connect_signals() -> None:
    """Count every save and delete of what public pages show (fixtures' raw saves too)."""
    for model in WATCHED:
        post_save.connect(bump, sender=model, dispatch_uid=f"version-save-{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"version-delete-{model.__name__}")
    m2m_changed.connect(bump, sender=Article.posts.through, dispatch_uid="version-m2m")
    m2m_changed.connect(
        bump, sender=Proposition.debates.through, dispatch_uid="version-m2m-debates"
    )
    post_save.connect(_bump_for_user, sender=get_user_model(), dispatch_uid="version-user")
