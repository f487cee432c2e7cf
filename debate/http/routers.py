"""Reads of public pages go to a PostgreSQL replica when one is configured.

``DATABASE_REPLICA_URL`` adds a ``replica`` database alias (config/settings.py). Only the
reads made while serving an anonymous reader's public page (``public_reads()``, entered by
``debate.http.pagecache.public_page``) go there: writes, the admin, logins, editors' own page
views (read-your-writes) and management commands always use the primary. A replica is a
copy of the primary, so nothing is ever migrated on it.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

from ..scoped import scoped

REPLICA_ALIAS = "replica"

_public_reads: ContextVar[bool] = ContextVar("threadline_public_reads", default=False)


def public_reads() -> AbstractContextManager[None]:
    """Within this block, reads may be served by the replica."""
    return scoped(_public_reads, True)


def replica_configured() -> bool:
    return REPLICA_ALIAS in settings.DATABASES


def read_alias() -> str:
    """The database a read made now should use."""
    if _public_reads.get() and replica_configured():
        return REPLICA_ALIAS
    return DEFAULT_DB_ALIAS


class PrimaryReplicaRouter:
    """Django database router: public-page reads to the replica, everything else primary."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: type, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # Both aliases hold the same data: objects read from either may be related.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
