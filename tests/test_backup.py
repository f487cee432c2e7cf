"""Backups: `backup` writes everything, `restore` brings it back into an empty database, and
every public page then reads exactly as before.

The restore goes into a second, freshly migrated database (a temporary SQLite file, or a
PostgreSQL database named after the test database), driven by `manage.py` in a subprocess as
an operator would run it; the pages it serves there are rendered by the same code as here.
"""

from __future__ import annotations

import datetime
import gzip
import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from debate.editing.revisions import delete_stances, save_stance, set_review_state
from debate.management.commands.restore import MADE_BY_MIGRATE, parents_first
from debate.models import Article, Claim, Post, Proposition, ReviewState, Speaker, Stance

from .environment import subprocess_environment
from .factories import make_post, make_user

ROOT = Path(__file__).resolve().parent.parent
STATIC = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# What differs between two renders of the same data: the CSP nonce, CSRF tokens, and the
# export's "generated" time.
VOLATILE = [
    (re.compile(rb'nonce="[^"]*"'), b'nonce=""'),
    (re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*"'), rb'\1"'),
    (re.compile(rb'("generated": ?")[^"]*"'), rb'\1"'),
]


# --- Pages --------------------------------------------------------------------------------


def public_urls() -> list[str]:
    """Every public page of the data in the database, and a few filtered views of them."""
    urls = [
        "/debates/open-source-ai/",
        "/speakers/",
        "/debates/open-source-ai/propositions/",
        "/debates/open-source-ai/map/",
        "/healthz",
    ]
    urls += [f"/posts/{pk}/" for pk in Post.objects.order_by("pk").values_list("pk", flat=True)]
    for model, prefix in (
        (Article, "articles"),
        (Speaker, "speakers"),
        (Proposition, "propositions"),
    ):
        slugs = model.objects.order_by("slug").values_list("slug", flat=True)
        urls += [f"/{prefix}/{slug}/" for slug in slugs]
    exports = [
        "/debates/open-source-ai/feed/",
        "/debates/open-source-ai/export.json",
        "/debates/open-source-ai/export.csv",
        "/debates/open-source-ai/export/annotations.jsonld",
        "/debates/open-source-ai/export/aif.json",
    ]
    speaker = Speaker.objects.order_by("slug").values_list("slug", flat=True).first()
    filters = ["", f"?speaker={speaker}", "?stance=anti", "?q=open", "?order=newest"]
    urls += [f"{export}{query}" for export in exports for query in filters]
    urls += [f"/{query}" for query in filters[1:]]
    return urls


def render(client: Client, url: str) -> bytes:
    response = client.get(url)
    body = response.getvalue() if response.streaming else response.content
    for pattern, replacement in VOLATILE:
        body = pattern.sub(replacement, body)
    return b"%d %s\n" % (response.status_code, response["Content-Type"].encode()) + body


def render_all() -> dict[str, str]:
    """Each public URL and what it answers (status, type and body), volatile parts blanked."""
    client = Client()
    pages = {url: render(client, url) for url in public_urls()}
    htmx = Client(headers={"HX-Request": "true"})
    pages["/ (htmx)"] = render(htmx, "/debates/open-source-ai/?speaker=elon-musk")
    # The next pages of the timeline, as "Later posts" finds them.
    url = "/debates/open-source-ai/?order=newest"
    while url:
        body = pages.setdefault(url, render(client, url))
        match = re.search(
            rb'<a class="button" href="(/debates/open-source-ai/\?[^"]*after=[^"]*)"', body
        )
        url = match.group(1).decode().replace("&amp;", "&") if match else ""
    return {url: body.decode() for url, body in pages.items()}


def dump_pages(out: str) -> None:
    """Run in the restored database's process: write what every public page answers."""
    from django.conf import settings
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": STATIC}):
        Path(out).write_text(json.dumps(render_all()), encoding="utf-8")


# --- Data ---------------------------------------------------------------------------------


def editor(username: str, full_name: str, *, reviewer: bool = False):
    first, last = full_name.split(" ", 1)
    user = make_user(username=username, first_name=first, last_name=last, is_staff=True)
    codenames = ["add_stance", "change_stance", "delete_stance", "view_stance"]
    codenames += ["review_stance"] if reviewer else []
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def add_stances() -> None:
    """The seed, then the work of two editors: new stances, a review, a draft, a deletion."""
    call_command("loaddata", "seed_debate", verbosity=0)
    ed = editor("ed", "Ed Noor")
    maria = editor("maria", "María José Ñúñez", reviewer=True)
    propositions = list(Proposition.objects.order_by("pk"))
    for index, claim in enumerate(Claim.objects.order_by("pk")):
        for user, value in ((ed, "pro"), (maria, "anti" if index % 3 else "pro")):
            stance = Stance(
                claim=claim,
                proposition=propositions[index % len(propositions)],
                value=value,
                confidence="medium",
                rationale=f"**{user.first_name}** on claim {index}: see [the source](https://example.org/{index}).",
                review_state=ReviewState.DRAFT if index == 4 else ReviewState.PUBLISHED,
            )
            save_stance(stance, user)
    set_review_state(Stance.objects.filter(annotator=ed)[:3], ReviewState.REVIEWED, maria)
    delete_stances([Stance.objects.filter(annotator=maria).order_by("pk").last()], maria)


# --- A second database ---------------------------------------------------------------------


def second_database(tmp_path: Path) -> Iterator[str]:
    """A DATABASE_URL for an empty database of the same kind as the test database."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    assert connection.vendor == "postgresql", connection.vendor
    import psycopg

    name = f"{settings['NAME']}_restore"
    admin = psycopg.connect(
        dbname="postgres",
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        password = f":{quote(settings['PASSWORD'], safe='')}" if settings["PASSWORD"] else ""
        host = f"{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}"
        yield f"postgres://{quote(settings['USER'], safe='')}{password}@{host}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def restored_database(tmp_path: Path) -> Iterator[str]:
    yield from second_database(tmp_path)


def manage(database_url: str, *args: str) -> str:
    """Run a command against the other database, as an operator would in production mode."""
    env = subprocess_environment(
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    done = subprocess.run(  # noqa: S603  (our own interpreter and arguments)
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def kept(rows: list[dict]) -> list[dict]:
    return [row for row in rows if row["model"] not in MADE_BY_MIGRATE]


def backup_rows(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        return json.load(stream)


# --- Tests --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_serves_every_public_page_byte_for_byte(tmp_path, restored_database):
    add_stances()
    before = render_all()
    assert len(before) > 40
    assert (
        "María José Ñúñez" in before["/debates/open-source-ai/export.json"]
    )  # the editors' work is in the pages
    backup = tmp_path / "threadline-backup.json.gz"

    call_command("backup", str(backup), stdout=open(os.devnull, "w"))  # noqa: SIM115

    rows = backup_rows(backup)
    models = {row["model"] for row in rows}
    assert {"debate.post", "debate.stance", "debate.stancerevision", "auth.user"} <= models
    assert not models & {"auth.permission", "contenttypes.contenttype", "sessions.session"}

    manage(restored_database, "manage.py", "migrate", "--noinput", "-v0")
    said = manage(restored_database, "manage.py", "restore", str(backup))
    assert "Restored threadline-backup.json.gz" in said
    out = tmp_path / "pages.json"
    code = "import django, sys; django.setup(); from tests.test_backup import dump_pages; dump_pages(sys.argv[1])"
    manage(restored_database, "-c", code, str(out))
    after = json.loads(out.read_text(encoding="utf-8"))

    assert sorted(after) == sorted(before)
    different = [url for url in before if before[url] != after[url]]
    assert different == [], f"pages differ after the restore: {different}"
    # Backing the restored database up again gives the same rows, bar those migrate makes
    # itself (the role groups, which earlier tests may have flushed from this database, and
    # the page cache's edit counter, which the restore moves on so that no page cached before
    # it is served).
    again = tmp_path / "again.json.gz"
    manage(restored_database, "manage.py", "backup", str(again))
    assert kept(backup_rows(again)) == kept(rows)


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_with_data_and_force_replaces_it(tmp_path):
    add_stances()
    backup = tmp_path / "b.json.gz"
    call_command("backup", str(backup), stdout=open(os.devnull, "w"))  # noqa: SIM115
    before = render_all()
    Stance.objects.filter(pk=Stance.objects.order_by("pk").first().pk).delete()
    make_user(username="intruder")
    changed = render_all()

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(backup))
    assert render_all() == changed  # refused: nothing touched

    call_command("restore", str(backup), "--force", stdout=open(os.devnull, "w"))  # noqa: SIM115

    assert render_all() == before
    assert not get_user_model().objects.filter(username="intruder").exists()


@pytest.mark.django_db(transaction=True)
def test_a_post_made_to_answer_a_later_post_is_restored_with_its_thread(tmp_path):
    """An editor may link a post to one added after it: the backup, in id order, then holds
    the reply before the post it answers."""
    call_command("loaddata", "seed_debate", verbosity=0)
    speaker = Speaker.objects.order_by("pk").first()
    answer = make_post(speaker, posted_at=datetime.datetime(2024, 3, 20, tzinfo=datetime.UTC))
    reply = make_post(
        speaker,
        in_reply_to=answer,
        posted_at=datetime.datetime(2024, 3, 21, tzinfo=datetime.UTC),
    )
    earlier = make_post(speaker, posted_at=datetime.datetime(2024, 3, 5, tzinfo=datetime.UTC))
    assert answer.pk < reply.pk < earlier.pk
    answer.in_reply_to, answer.reply_basis = earlier, "inferred"
    answer.full_clean()
    answer.save()
    threads = dict(Post.objects.values_list("pk", "thread_root_id"))
    assert threads[answer.pk] == threads[reply.pk] == earlier.pk
    before = render_all()
    backup = tmp_path / "linked.json.gz"
    call_command("backup", str(backup), stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("flush", interactive=False, verbosity=0)
    assert not Post.objects.exists()

    call_command("restore", str(backup), stdout=open(os.devnull, "w"))  # noqa: SIM115

    assert dict(Post.objects.values_list("pk", "thread_root_id")) == threads
    assert Post.objects.get(pk=answer.pk).in_reply_to_id == earlier.pk
    after = render_all()
    assert [url for url in before if before[url] != after.get(url)] == []


def test_restore_order_puts_parents_first_keeps_other_rows_in_place_and_survives_a_cycle():
    def post(pk: int, parent: int | None) -> dict:
        return {"model": "debate.post", "pk": pk, "fields": {"in_reply_to": parent}}

    speaker, claim = {"model": "debate.speaker", "pk": 1}, {"model": "debate.claim", "pk": 1}
    rows = [speaker, post(1, 3), post(2, None), post(3, 2), post(4, 5), post(5, 4), claim]
    ordered = parents_first(rows)
    assert ordered[0] is speaker and ordered[-1] is claim
    assert [row["pk"] for row in ordered[1:-1]] == [2, 3, 1, 5, 4]


@pytest.mark.django_db
def test_backup_names_its_file_by_the_time_and_refuses_odd_names(tmp_path, monkeypatch):
    from debate.management.commands import backup

    monkeypatch.setattr(backup, "DEFAULT_DIR", tmp_path / "backups")
    call_command("loaddata", "seed_debate", verbosity=0)

    call_command("backup", stdout=open(os.devnull, "w"))  # noqa: SIM115

    (written,) = (tmp_path / "backups").iterdir()
    assert re.fullmatch(r"threadline-\d{8}T\d{6}Z\.json\.gz", written.name)
    assert sum(row["model"] == "debate.post" for row in backup_rows(written)) == 7
    with pytest.raises(CommandError, match=r"\.json\.gz"):
        call_command("backup", str(tmp_path / "backup.zip"))
    with pytest.raises(CommandError, match="no backup"):
        call_command("restore", str(tmp_path / "missing.json.gz"))
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(b"not gzip at all")
    with pytest.raises(CommandError, match="not a readable backup"):
        call_command("restore", str(broken), "--force")
    assert Post.objects.count() == 7
