import os

# pytest-playwright's sync API keeps an asyncio loop running in the main thread; without this,
# Django's async-safety guard rejects the ORM calls our tests and their teardown make.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import importlib
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import settings as hypothesis_settings

# Property tests (tests/test_fuzz.py) try new examples on every local run; in CI they try the
# same ones every run, so that a red build is a finding anyone can reproduce, not bad luck.
# (Recent Hypothesis versions do this by themselves when CI is set; this does not rely on it.)
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("THREADLINE_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"Browser tests must run here, but {CHROMIUM} is missing.")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


# The commands tests run read these; a value left in the caller's shell would change what
# they do (the test settings pin what config/settings.py reads: config/settings_test.py).
COMMAND_ENVIRONMENT = [
    "THREADLINE_EDITOR_USERNAME",
    "THREADLINE_EDITOR_PASSWORD",
    "THREADLINE_EDITOR_NAME",
    "EDITOR_PASSWORD",
]


@pytest.fixture(autouse=True)
def no_command_environment(monkeypatch) -> None:
    for name in COMMAND_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def plain_static_storage(settings) -> None:
    # The manifest storage needs collectstatic; tests and live_server serve from the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    # Each test starts with no cached cards or pages from another test.
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


@pytest.fixture
def seed(db, role_groups) -> None:
    """The seed debate, loaded exactly as `make run` loads it (with the roles `migrate` makes,
    which a transactional test's flush may have removed)."""
    call_command("loaddata", "seed_debate", verbosity=0)


# Accounts -------------------------------------------------------------------------------------


# The data migrations that shape the roles, in order, with the function each runs forward.
ROLE_MIGRATIONS = [
    ("0004_editor_and_reviewer_groups", "create_groups"),
    ("0008_editors_manage_propositions", "grant"),
    ("0009_debates", "debate_permissions"),
]


@pytest.fixture
def role_groups(db) -> None:
    """The Editor and Reviewer groups. Data migrations make them (0004) and widen them
    (0008, 0009) and a transactional test's flush removes them, so they are made again when gone,
    by the migrations' own code against the migrations' model state, as migrate would."""
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    if Group.objects.filter(name__in=["Editor", "Reviewer"]).count() == 2:
        return
    state = MigrationExecutor(connection).loader.project_state().apps
    for name, step in ROLE_MIGRATIONS:
        getattr(importlib.import_module(f"debate.migrations.{name}"), step)(state, None)


@pytest.fixture
def editor(role_groups):
    """An Editor (not a Reviewer) named "ed" (login and display name), made as `make run`
    makes one."""
    from django.contrib.auth import get_user_model

    call_command("ensure_editor", "--username", "ed", "--name", "ed", stdout=io.StringIO())
    return get_user_model().objects.get(username="ed")


@pytest.fixture
def reviewer(role_groups, monkeypatch):
    """An Editor and Reviewer named "rita", made with create_editor as an operator would."""
    from django.contrib.auth import get_user_model

    monkeypatch.setenv("EDITOR_PASSWORD", "a long reviewer passphrase")
    call_command(
        "create_editor", "rita", "--email", "rita@example.org", "--name", "Rita Reviewer",
        "--reviewer", "--noinput",
        stdout=io.StringIO(),
    )  # fmt: skip
    return get_user_model().objects.get(username="rita")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client
