"""Load a backup written by `backup` into an empty, migrated database, in one transaction.

Restoring over data would mix two states of the debate, so a database that already holds
posts, claims, accounts or any other kept row is refused unless ``--force`` is given, which
erases it first (``flush``), inside the same transaction. Either everything in the file is
restored, or, on any error, the database is left exactly as it was.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Model
from django.utils import timezone

from .backup import SUFFIXES, fully_migrated, kept_models

# Rows that `migrate` makes itself: a fresh database has them, the backup updates them.
MADE_BY_MIGRATE = {"auth.group", "debate.siteversion"}


def file_rows(path: Path) -> list[dict]:
    """The rows the backup holds, as written."""
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as stream:
            objects = json.load(stream)
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(f"{path} is not a readable backup: {error}") from error
    if not isinstance(objects, list) or not all(
        isinstance(o, dict) and isinstance(o.get("model"), str) for o in objects
    ):
        raise CommandError(f"{path} is not a Threadline backup (a JSON list of rows).")
    return objects


def parents_first(objects: list[dict]) -> list[dict]:
    """The rows with each post after the post it answers, in the backup's order otherwise.

    Loading a post looks up the post it answers, for its thread (debate/signals.py), and an
    editor may make a post answer one added after it: id order does not always put the
    parent first. Posts keep their places among the other rows; a cycle (bad data) is
    broken where it is met rather than followed for ever.
    """
    posts = [o for o in objects if o["model"] == "debate.post"]
    by_pk = {o.get("pk"): o for o in posts}
    ordered: list[dict] = []
    placed: set = set()
    for post in posts:
        chain: list[dict] = []
        in_chain: set = set()
        current = post
        while (
            current is not None
            and current.get("pk") not in placed
            and current.get("pk") not in in_chain
        ):
            chain.append(current)
            in_chain.add(current.get("pk"))
            current = by_pk.get(current.get("fields", {}).get("in_reply_to"))
        for row in reversed(chain):
            placed.add(row.get("pk"))
            ordered.append(row)
    rest = iter(ordered)
    return [next(rest) if o["model"] == "debate.post" else o for o in objects]


@contextmanager
def loadable(source: Path, objects: list[dict]) -> Iterator[str]:
    """A file `loaddata` can load with every post after its parent: the backup itself when
    it is in that order already, else a reordered copy in a private temporary directory
    (it holds password hashes too), removed afterwards."""
    ordered = parents_first(objects)
    if all(a is b for a, b in zip(ordered, objects, strict=True)):
        yield str(source)
        return
    with tempfile.TemporaryDirectory(prefix="threadline-restore-") as directory:
        copy = Path(directory) / "restore.json"
        with copy.open("w", encoding="utf-8") as stream:
            json.dump(ordered, stream, ensure_ascii=False)
        yield str(copy)


def held(models: list[type[Model]], using: str) -> Counter:
    """Rows the database holds already, of the kinds a backup brings (bar migrate's own)."""
    return Counter(
        {
            model._meta.label_lower: model._base_manager.using(using).count()
            for model in models
            if model._meta.label_lower not in MADE_BY_MIGRATE
        }
    )


def counter_model() -> type[Model] | None:
    """The edit counter (debate.models.SiteVersion; see debate.versioning), if there is one."""
    try:
        return apps.get_model("debate", "SiteVersion")
    except LookupError:
        return None


def edit_counter(using: str) -> int:
    model = counter_model()
    if model is None:
        return 0
    rows = model._base_manager.using(using).filter(pk=1).values_list("number", flat=True)
    return rows.first() or 0


def forget_cached_version() -> None:
    from debate.versioning import refresh_cached_version

    refresh_cached_version()


def advance_edit_counter(using: str, past: int) -> None:
    """Move the edit counter beyond every number the site has used, before the restore and in
    the backup: cached pages are keyed by it, and none from before may be served again."""
    model = counter_model()
    if model is not None:
        number = max(past, edit_counter(using)) + 1
        model._base_manager.using(using).update_or_create(
            pk=1, defaults={"number": number, "changed_at": timezone.now()}
        )


def describe(counts: Counter) -> str:
    return ", ".join(f"{n:,} {label}" for label, n in sorted(counts.items()) if n) or "nothing"


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into an empty, migrated database, in one "
        "transaction. --force erases a database that holds data first."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="The backup file (.json.gz or .json).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Erase everything in the database first (in the same transaction).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database to restore.")

    def handle(self, *args: Any, path: str, force: bool, database: str, **options: Any) -> None:
        source = Path(path).resolve()
        if not source.name.endswith(SUFFIXES):
            raise CommandError(f"{source}: a backup's name ends in .json.gz (or .json).")
        if not source.is_file():
            raise CommandError(f"There is no backup at {source}.")
        if not fully_migrated(database):
            raise CommandError(
                "The database is not fully migrated: run `python manage.py migrate` first."
            )
        objects = file_rows(source)
        expected = Counter(o["model"] for o in objects)
        models = kept_models()
        with transaction.atomic(using=database):
            counter = edit_counter(database)
            existing = held(models, database)
            if existing.total() and not force:
                raise CommandError(
                    f"The database is not empty (it holds {describe(existing)}). Restore into "
                    "an empty, migrated database, or pass --force to erase this one first."
                )
            if existing.total():
                call_command("flush", interactive=False, database=database, verbosity=0)
            with loadable(source, objects) as fixture:
                call_command("loaddata", fixture, database=database, verbosity=0)
            restored = held(models, database)
            mismatched = {
                label: n
                for label, n in expected.items()
                if label not in MADE_BY_MIGRATE and restored[label] != n
            }
            if mismatched:
                # Raising rolls the whole restore back (the flush too).
                raise CommandError(
                    f"The restore does not match the backup ({describe(Counter(mismatched))} "
                    f"expected, {describe(restored)} found); nothing was changed."
                )
            advance_edit_counter(database, past=counter)
            # With the counter kept in a shared cache (Redis), replace it there too.
            transaction.on_commit(forget_cached_version, using=database)
        self.stdout.write(f"Restored {source.name}: {describe(expected)}.")
