"""Write everything Threadline holds to one compressed JSON file that `restore` loads back.

What is kept: every debate row, every account and group (with their permissions), which the
debate's provenance points at, and the admin's change log. Accounts come with their password
hashes: keep backups as private as the database. Permissions and content types
themselves are not kept: `migrate` makes them, and their ids differ from one database to the
next, so rows refer to them (and to accounts and groups) by natural key instead. The file is
the JSON `dumpdata` writes, so `loaddata` reads it too.

The rows are read in one transaction, so a backup taken while editors work is a consistent
snapshot; they are written to a temporary file renamed into place at the end, so a file
named like a backup is always a whole one.
"""

from __future__ import annotations

import datetime
import gzip
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Model

# (app label, model names or None for the whole app)
KEPT: list[tuple[str, list[str] | None]] = [
    ("auth", ["group", "user"]),
    ("debate", None),
    ("admin", ["logentry"]),
]
DEFAULT_DIR = Path(settings.BASE_DIR) / "var" / "backups"
SUFFIXES = (".json.gz", ".json")


class ExactJSONEncoder(DjangoJSONEncoder):
    """Times to the microsecond: Django's encoder cuts them to milliseconds (as ECMAScript
    dates have it), so a restore would change every time the exports show, and could reorder
    rows saved within the same millisecond."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime):
            return o.isoformat().replace("+00:00", "Z")
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


def fully_migrated(using: str) -> bool:
    executor = MigrationExecutor(connections[using])
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


def default_path(now: datetime.datetime | None = None) -> Path:
    moment = (now or datetime.datetime.now(datetime.UTC)).astimezone(datetime.UTC)
    return DEFAULT_DIR / f"threadline-{moment:%Y%m%dT%H%M%SZ}.json.gz"


def kept_models() -> list[type[Model]]:
    """The models a backup holds, each after the models its natural keys refer to."""
    chosen = []
    for label, names in KEPT:
        config = apps.get_app_config(label)
        models = None if names is None else [config.get_model(name) for name in names]
        chosen.append((config, models))
    ordered = serializers.sort_dependencies(chosen, allow_cycles=True)
    return [model for model in ordered if not model._meta.proxy]


def rows(models: list[type[Model]], using: str, counts: Counter) -> Iterator[Model]:
    for model in models:
        if not router.allow_migrate_model(using, model):
            continue
        # The base manager: a backup keeps every row, whatever a default manager hides.
        query = model._base_manager.using(using).order_by(model._meta.pk.name)
        for row in query.iterator(chunk_size=2000):
            counts[model._meta.label_lower] += 1
            yield row


def open_text(path: str) -> IO[str]:
    if path.endswith(".gz"):
        return gzip.open(path, "wt", encoding="utf-8", compresslevel=6)
    return open(path, "w", encoding="utf-8")


def write_backup(target: Path, using: str = DEFAULT_DB_ALIAS) -> Counter:
    """Write the backup to ``target``; returns how many rows of each model it holds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    suffix = next(s for s in SUFFIXES if target.name.endswith(s))
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=f".partial{suffix}", dir=target.parent
    )
    os.close(handle)
    counts: Counter = Counter()
    connection = connections[using]
    outermost = not connection.in_atomic_block
    try:
        with transaction.atomic(using=using):
            if outermost and connection.vendor == "postgresql":
                # The transaction's first statement: every table is then read as of the same
                # instant, however long the dump takes. (SQLite's transaction already does.)
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            with open_text(temporary) as stream:
                serializers.serialize(
                    "json",
                    rows(kept_models(), using, counts),
                    stream=stream,
                    use_natural_foreign_keys=True,
                    use_natural_primary_keys=True,
                    cls=ExactJSONEncoder,
                )
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return counts


class Command(BaseCommand):
    help = (
        "Back up the debate, its editors' accounts and the admin log to a compressed JSON file "
        "(default: var/backups/threadline-<UTC time>.json.gz). `restore` loads it back."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            help="Where to write the backup: a name ending in .json.gz (or .json, uncompressed).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database to back up.")

    def handle(self, *args: Any, path: str | None, database: str, **options: Any) -> None:
        target = Path(path) if path else default_path()
        if not target.name.endswith(SUFFIXES):
            raise CommandError(f"{target}: a backup's name ends in .json.gz (or .json).")
        if target.is_dir():
            raise CommandError(f"{target} is a directory: name the file to write.")
        if not fully_migrated(database):
            raise CommandError(
                "The database is not fully migrated: run `python manage.py migrate` first."
            )
        counts = write_backup(target, database)
        size = target.stat().st_size
        summary = ", ".join(f"{n:,} {label}" for label, n in sorted(counts.items()))
        self.stdout.write(f"Backed up to {target} ({size / 1024:,.1f} KiB): {summary or 'empty'}.")
