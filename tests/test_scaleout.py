"""Scale-out: the replica router's choices, Redis as the shared cache, stateless app servers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from debate.http import routers
from debate.http.routers import PrimaryReplicaRouter
from debate.models import Post, Speaker, Stance
from debate.versioning import VERSION_KEY, current_version

from .environment import subprocess_environment
from .public_urls import concrete

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


# The router -------------------------------------------------------------------------------


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(routers, "replica_configured", lambda: True)


def test_router_sends_public_reads_to_the_replica_and_everything_else_to_the_primary(
    with_replica,
):
    router = PrimaryReplicaRouter()
    assert router.db_for_read(Speaker) == "default"
    with routers.public_reads():
        assert router.db_for_read(Speaker) == "replica"
        assert router.db_for_write(Stance) == "default"
    assert router.db_for_read(Speaker) == "default"
    assert router.allow_migrate("default", "debate") is True
    assert router.allow_migrate("replica", "debate") is False


def test_without_a_replica_every_read_uses_the_primary():
    with routers.public_reads():
        assert PrimaryReplicaRouter().db_for_read(Speaker) == "default"


@pytest.fixture
def read_choices(monkeypatch):
    """Record, for every read the ORM routes, whether it would go to a replica. The reads
    then still run on the test database, which stands in for both."""
    seen: list[bool] = []

    def spy(self, model, **hints):
        seen.append(routers._public_reads.get())
        return "default"

    monkeypatch.setattr(PrimaryReplicaRouter, "db_for_read", spy)
    return seen


@pytest.mark.parametrize(
    "url",
    [
        "/debates/open-source-ai/",
        "/posts/<And @pmarca>/",
        "/speakers/vinod-khosla/",
        "/debates/open-source-ai/map/",
    ],
)
def test_an_anonymous_readers_page_reads_only_from_the_replica(client, seed, read_choices, url):
    url = concrete(url)
    read_choices.clear()  # finding the post's id is not the page's read
    assert client.get(url).status_code == 200
    assert read_choices and all(read_choices)


def test_editors_and_the_admin_read_from_the_primary(client, seed, admin_user, read_choices):
    client.force_login(admin_user)
    read_choices.clear()
    assert (
        client.get("/debates/open-source-ai/").status_code == 200
    )  # an editor's own view: read-your-writes
    assert client.get("/admin/debate/stance/").status_code == 200
    assert read_choices and not any(read_choices)


def settings_with(**environment: str) -> dict:
    """The settings module as a fresh process with this environment would load it."""
    script = (
        "import json, config.settings as s; print(json.dumps({'db': sorted(s.DATABASES), "
        "'replica': s.DATABASES.get('replica', {}), 'routers': s.DATABASE_ROUTERS, "
        "'caches': s.CACHES, 'sessions': getattr(s, 'SESSION_ENGINE', 'db'), "
        "'version_in_cache': s.THREADLINE_VERSION_IN_CACHE}, default=str))"
    )
    done = subprocess.run(  # noqa: S603  (our own interpreter and script)
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=subprocess_environment(DEBUG="1", **environment),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_environment_variables_configure_the_replica_and_the_shared_cache():
    plain = settings_with()
    assert plain["db"] == ["default"]
    assert plain["routers"] == ["debate.http.routers.PrimaryReplicaRouter"]
    assert {c["BACKEND"] for c in plain["caches"].values()} == {
        "django.core.cache.backends.locmem.LocMemCache"
    }
    assert plain["version_in_cache"] is False

    scaled = settings_with(
        DATABASE_URL="postgres://app@db-primary:5432/threadline",
        DATABASE_REPLICA_URL="postgres://app@db-replica:5432/threadline",
        REDIS_URL="redis://cache:6379/0",
    )
    assert scaled["db"] == ["default", "replica"]
    assert scaled["replica"]["HOST"] == "db-replica"
    assert scaled["replica"]["TEST"] == {"MIRROR": "default"}
    # Facet counts' sorts stay in memory on every PostgreSQL connection.
    assert scaled["replica"]["OPTIONS"]["options"] == "-c work_mem=16MB"
    assert {c["BACKEND"] for c in scaled["caches"].values()} == {"debate.http.cache.RedisCache"}
    assert {c["LOCATION"] for c in scaled["caches"].values()} == {"redis://cache:6379/0"}
    # Sessions stay in the database (Redis only caches them): no process keeps state.
    assert scaled["sessions"] == "django.contrib.sessions.backends.cached_db"
    assert scaled["version_in_cache"] is True


# Redis ------------------------------------------------------------------------------------


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping())
    except redis.exceptions.ConnectionError:
        return False


@pytest.fixture
def shared_cache(settings):
    """Django's Redis cache, under a prefix of this test's own, with the edit counter in it."""
    if not redis_reachable():
        if os.environ.get("THREADLINE_REQUIRE_REDIS"):
            pytest.fail(f"Redis is required here but {REDIS_TEST_URL} does not answer")
        pytest.skip(f"no Redis at {REDIS_TEST_URL}")
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        alias: {
            "BACKEND": "debate.http.cache.RedisCache",
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": f"{prefix}:{alias}",
        }
        for alias in ("default", "pages")
    }
    settings.THREADLINE_VERSION_IN_CACHE = True
    # No periodic check against the database in the middle of a test that counts queries.
    settings.THREADLINE_VERSION_CHECK_SECONDS = 3600
    yield
    import redis

    server = redis.Redis.from_url(REDIS_TEST_URL)
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


def counter_queries(queries) -> int:
    return sum("debate_siteversion" in q["sql"] for q in queries.captured_queries)


def test_with_redis_a_cached_page_costs_no_query_and_an_edit_shows_at_once(
    client, seed, shared_cache, django_capture_on_commit_callbacks
):
    first = client.get("/debates/open-source-ai/")
    assert "Vinod is lobbying" in first.content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/debates/open-source-ai/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/debates/open-source-ai/").status_code == 200
    assert len(queries) == 0  # page and counter both from Redis

    post = Speaker.objects.get(slug="vinod-khosla").posts.first()
    with django_capture_on_commit_callbacks(execute=True):
        post.text = "An edit made in the admin a moment ago."
        post.save()
    fresh = client.get("/debates/open-source-ai/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert fresh.status_code == 200
    assert "An edit made in the admin a moment ago." in fresh.content.decode()


def test_with_redis_the_counter_survives_eviction_without_going_back_in_time(
    client, seed, shared_cache, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    client.get("/debates/open-source-ai/")
    before = current_version()
    cache.delete(VERSION_KEY)  # evicted, or Redis restarted empty
    with CaptureQueriesContext(connection) as queries:
        rebuilt = current_version()
    assert counter_queries(queries) == 1  # read back from the database once
    assert current_version() == rebuilt
    stance = Stance.objects.first()
    with django_capture_on_commit_callbacks(execute=True):
        stance.rationale = "Revised."
        stance.save()
    assert current_version().number not in {before.number, rebuilt.number}


def test_with_redis_an_edit_not_yet_committed_keeps_the_old_counter(
    seed, shared_cache, django_capture_on_commit_callbacks
):
    before = current_version()
    with django_capture_on_commit_callbacks(execute=False) as pending:
        stance = Stance.objects.first()
        stance.rationale = "Still in a transaction."
        stance.save()
        assert current_version() == before  # readers must not key pages by an unseen edit
    assert pending
    for callback in pending:
        callback()
    assert current_version() != before


def test_the_redis_cache_reuses_one_client_and_round_trips_values(shared_cache):
    from django.core.cache import caches

    cache = caches["default"]
    client = cache._cache.get_client()
    assert cache._cache.get_client() is client
    assert cache._cache.get_client(write=True) is client  # one server: one pool
    cache.set_many({"a": {"html": "<p>card</p>"}, "b": 2})
    assert cache.get_many(["a", "b", "c"]) == {"a": {"html": "<p>card</p>"}, "b": 2}
    assert caches["pages"].get("a") is None  # the page cache has its own prefix


def test_with_redis_down_a_committed_edit_still_succeeds_and_shows_soon_after_it_returns(
    client, seed, shared_cache, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.cache import caches

    from debate import versioning

    cache = caches["default"]
    client.get("/debates/open-source-ai/")
    assert "Vinod is lobbying" in client.get("/debates/open-source-ai/").content.decode()

    def redis_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    post = Post.objects.get(text__startswith="Vinod is lobbying")
    with monkeypatch.context() as down:
        down.setattr(type(cache), "set", redis_down)
        with django_capture_on_commit_callbacks(execute=True):
            post.text = "Vinod is lobbying hard against open source."
            post.save()  # the on-commit hook cannot write the new token: no error for the editor
    # Redis is back, holding the old token; the next check against the database replaces it.
    settings.THREADLINE_VERSION_CHECK_SECONDS = 0
    versioning._last_check[0] = 0.0
    assert (
        "Vinod is lobbying hard against open source."
        in client.get("/debates/open-source-ai/").content.decode()
    )
