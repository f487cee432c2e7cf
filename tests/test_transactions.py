"""Every multi-row write is one transaction: a failure half-way leaves the database as it was.

The failure is injected at the database driver's door (``connection.execute_wrapper``): the
operation is run once to count the rows it writes (INSERT, UPDATE, DELETE statements), then
again once per statement, failing just before that statement, and after each failure every
row of the debate, the accounts and the admin log is compared with what was there before.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core import serializers
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client

from debate.editing.revisions import save_stance
from debate.imports.decisions import Decisions
from debate.imports.parse import parse
from debate.imports.plan import plan_import
from debate.imports.save import save_import
from debate.models import Claim, Debate, Proposition, ReviewState, Stance

from .factories import make_user

# Each request and command runs as in production, outside any test transaction, so that their
# own transactions are the outermost ones (Django deletes, for one, open no savepoint).
pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent
SEED_TEXT = (ROOT / "fixtures" / "sources" / "000_d1c624b7bb6a7375.txt").read_text(encoding="utf-8")
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def is_write(sql: str) -> bool:
    # Sessions are the login's, saved after the response whatever happened: not our data.
    return sql.lstrip().upper().startswith(WRITES) and "django_session" not in sql


class InjectedFailure(DatabaseError):
    """What the database would raise if it failed at that moment (disk full, connection lost)."""


@contextmanager
def writes_counted() -> Iterator[list[str]]:
    seen: list[str] = []

    def count(execute, sql, params, many, context):
        if is_write(sql):
            seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield seen


@contextmanager
def failing_at(n: int) -> Iterator[None]:
    """Fail just before the ``n``-th write statement."""
    done = 0

    def fail(execute, sql, params, many, context):
        nonlocal done
        if is_write(sql):
            done += 1
            if done == n:
                raise InjectedFailure(f"injected before write {n}: {sql[:80]}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail):
        yield


def everything() -> dict[str, str]:
    """Every row the tests can see, per model, serialized (many-to-many links included)."""
    state = {}
    for label in ("debate", "auth", "admin"):
        for model in apps.get_app_config(label).get_models():
            if model._meta.label_lower == "auth.permission":
                continue
            rows = model._base_manager.order_by("pk")
            state[model._meta.label] = serializers.serialize("json", rows)
    return state


def caused_by_injection(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, InjectedFailure):
            return True
        error = error.__cause__ or error.__context__
    return False


def count_writes(operation: Callable[[], object]) -> int:
    """How many writes the operation makes when nothing fails (then undone)."""
    with transaction.atomic():
        with writes_counted() as seen:
            operation()
        transaction.set_rollback(True)
    return len(seen)


def assert_each_failure_changes_nothing(
    operation: Callable[[], object], points: list[int] | None = None
) -> int:
    """Fail the operation before each of its writes in turn (or at ``points``); after every
    failure the database must hold exactly what it held before. Returns the write count."""
    total = count_writes(operation)
    assert total >= 2, "not a multi-row write"
    before = everything()
    for n in points or range(1, total + 1):
        with failing_at(n):
            try:
                operation()
            except Exception as error:  # the failure itself, or an error that says it
                if not caused_by_injection(error):
                    raise
        after = everything()
        changed = [label for label in before if before[label] != after[label]]
        assert changed == [], f"failing before write {n} of {total} left changes in {changed}"
    return total


# --- The import ----------------------------------------------------------------------------------


def test_an_import_that_fails_half_way_leaves_nothing_behind():
    parsed = parse(SEED_TEXT)
    plan = plan_import(parsed)
    replies = {reply.post: reply.target for reply in plan.replies if reply.needs_decision}
    assert replies, "the seed article suggests replies: they are written last"

    # No debate yet: the import makes one, named after the article, and that is undone too.
    total = assert_each_failure_changes_nothing(
        lambda: save_import(parsed, Decisions(replies=replies))
    )

    assert total >= 5  # speakers, posts, thread roots, replies, debate, article, quoted posts
    assert save_import(parsed, Decisions(replies=replies)).created  # and then it goes through
    assert Debate.objects.get().title == parsed.title


def test_an_import_confirmed_in_the_admin_that_fails_leaves_nothing_behind():
    user = make_user(username="importer", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_article", "add_post", "view_article"])
    )
    client = Client(raise_request_exception=False)
    client.force_login(user)
    data = {
        "action": "confirm",
        "source": SEED_TEXT,
        "replies-all": "confirm",
        "new_debate": "Grok goes open",  # made by the import, and undone with it
    }

    def confirm() -> None:
        response = client.post("/admin/debate/article/import/", data)
        assert response.status_code in {302, 500}

    assert_each_failure_changes_nothing(confirm)


# --- Bulk stance actions in the admin ------------------------------------------------------------


# The shared reviewer (tests/conftest.py), made after the seed debate the actions change.
@pytest.fixture
def reviewer(seed, reviewer):
    return reviewer


@pytest.fixture
def admin_client(reviewer) -> Client:
    # Errors come back as a 500 response rather than as an exception from the request, as
    # a browser would see them.
    client = Client(raise_request_exception=False)
    client.force_login(reviewer)
    return client


def action(client: Client, model: str, name: str, pks: list[int], **extra) -> Callable[[], None]:
    data = {"action": name, "_selected_action": pks, "index": 0, **extra}

    def run() -> None:
        response = client.post(f"/admin/debate/{model}/", data)
        assert response.status_code in {200, 302, 500}, response.status_code

    return run


def drafts(reviewer, n: int = 4) -> list[int]:
    """Draft stances by the reviewer on ``n`` seed claims, made the way the workspace does."""
    proposition = Proposition.objects.order_by("pk").first()
    pks = []
    for claim in Claim.objects.exclude(stances__annotator=reviewer).order_by("pk")[:n]:
        stance = Stance(
            claim=claim, proposition=proposition, value="neutral", confidence="low",
            rationale="A draft.", review_state=ReviewState.DRAFT,
        )  # fmt: skip
        save_stance(stance, reviewer)
        pks.append(stance.pk)
    return pks


def test_setting_a_stance_on_many_claims_is_all_or_nothing(admin_client):
    claims = list(Claim.objects.order_by("pk").values_list("pk", flat=True)[:5])
    form = {"proposition": Proposition.objects.order_by("pk").last().pk, "value": "anti",
            "confidence": "high", "rationale": "All of them.", "review_state": "published",
            "apply": "1"}  # fmt: skip
    run = action(admin_client, "claim", "set_stance", claims, **form)
    assert_each_failure_changes_nothing(run)
    run()
    assert Stance.objects.filter(rationale="All of them.").count() == 5


def test_marking_many_stances_reviewed_is_all_or_nothing(admin_client, reviewer):
    stances = list(Stance.objects.order_by("pk").values_list("pk", flat=True)[:6])
    run = action(admin_client, "stance", "mark_reviewed", stances)
    assert_each_failure_changes_nothing(run)
    run()
    assert Stance.objects.filter(pk__in=stances, review_state="reviewed").count() == 6


def test_publishing_many_drafts_is_all_or_nothing(admin_client, reviewer):
    stances = drafts(reviewer)
    run = action(admin_client, "stance", "publish_drafts", stances)
    assert_each_failure_changes_nothing(run)
    run()
    assert Stance.objects.filter(pk__in=stances, review_state="published").count() == 4


def test_deleting_many_stances_is_all_or_nothing(admin_client, reviewer):
    stances = drafts(reviewer, 3)
    run = action(admin_client, "stance", "delete_selected", stances, post="yes")
    assert_each_failure_changes_nothing(run)
    run()
    assert not Stance.objects.filter(pk__in=stances).exists()


def test_deleting_many_claims_is_all_or_nothing(admin_client, reviewer):
    claims = list(
        Claim.objects.filter(stances__isnull=False)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)[:2]
    )
    run = action(admin_client, "claim", "delete_selected", claims, post="yes")
    assert_each_failure_changes_nothing(run)
    run()
    assert not Claim.objects.filter(pk__in=claims).exists()


# --- The restore ---------------------------------------------------------------------------------


def sample(total: int) -> list[int]:
    """The first writes, the last ones and a few between: a restore writes every row."""
    return sorted({1, 2, 3, total // 4, total // 2, 3 * total // 4, total - 1, total})


def test_a_restore_that_fails_half_way_leaves_the_empty_database_empty(tmp_path):
    call_command("loaddata", "seed_debate", verbosity=0)
    backup = tmp_path / "seed.json.gz"
    call_command("backup", str(backup), stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("flush", interactive=False, verbosity=0)
    restore = lambda: call_command("restore", str(backup), stdout=open(os.devnull, "w"))  # noqa: E731, SIM115

    total = count_writes(restore)
    assert_each_failure_changes_nothing(restore, sample(total))


def test_a_forced_restore_that_fails_half_way_keeps_the_data_it_was_to_replace(tmp_path):
    call_command("loaddata", "seed_debate", verbosity=0)
    backup = tmp_path / "seed.json.gz"
    call_command("backup", str(backup), stdout=open(os.devnull, "w"))  # noqa: SIM115
    Stance.objects.filter(pk=Stance.objects.order_by("pk").first().pk).delete()  # to be undone
    restore = lambda: call_command(  # noqa: E731
        "restore",
        str(backup),
        "--force",
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )

    total = count_writes(restore)
    assert_each_failure_changes_nothing(restore, sample(total))
    restore()
    assert Stance.objects.count() == 15
