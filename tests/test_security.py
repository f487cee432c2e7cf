"""Deployment defaults: what production refuses, the headers every response carries, lockouts."""

import json
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from .environment import subprocess_environment
from .public_urls import seed_post_page

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "threadline.example",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "BEHIND_TLS_PROXY": "1",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=subprocess_environment(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_the_development_key():
    result = manage("check", ALLOWED_HOSTS="threadline.example")
    assert result.returncode != 0
    assert "Production needs its own SECRET_KEY" in result.stderr


def test_production_refuses_an_empty_host_list():
    result = manage("check", SECRET_KEY=PRODUCTION["SECRET_KEY"])
    assert result.returncode != 0
    assert "Production needs ALLOWED_HOSTS" in result.stderr


def test_deploy_check_is_clean_with_the_documented_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_development_mode_needs_nothing(tmp_path):
    result = manage("check", DEBUG="1")
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_every_response_carries_the_security_headers(client, seed):
    for url in [
        "/debates/open-source-ai/",
        seed_post_page("Vinod is lobbying"),
        "/admin/login/",
        "/does-not-exist/",
    ]:
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        for directive in (
            "default-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ):
            assert directive in policy, (url, directive)
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_hsts_is_sent_over_https(client, seed, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    assert "Strict-Transport-Security" not in client.get("/debates/open-source-ai/")
    assert client.get("/debates/open-source-ai/", secure=True)[
        "Strict-Transport-Security"
    ].startswith("max-age=31536000")


@pytest.mark.django_db
def test_cookies_are_secure_and_http_only(client, seed, settings):
    response = client.get("/admin/login/")
    csrf = response.cookies["csrftoken"]
    assert csrf["httponly"]
    assert csrf["secure"]
    assert settings.SESSION_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_out_and_are_logged(client, seed, caplog):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("target", password="the right passphrase", is_staff=True)
    for _ in range(5):
        response = client.post("/admin/login/", {"username": "target", "password": "wrong"})
        assert response.status_code in (200, 429)
    locked = client.post(
        "/admin/login/", {"username": "target", "password": "the right passphrase"}
    )
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert any("locking out" in record.getMessage().lower() for record in caplog.records)
    # Another account from the same address is not locked.
    get_user_model().objects.create_user("other", password="another passphrase", is_staff=True)
    fine = client.post("/admin/login/", {"username": "other", "password": "another passphrase"})
    assert fine.status_code == 302


# The client's address behind a load balancer (issue 15) -------------------------------------

LOGIN = "/admin/login/"


def trust_proxies(settings, count: int) -> None:
    """The settings config/settings.py derives from PROXY_COUNT=count."""
    from config.settings import client_address_settings

    for name, value in client_address_settings(count, ["HTTP_X_FORWARDED_FOR"]).items():
        setattr(settings, name, value)


def fail_five_times(client, **headers) -> None:
    for _ in range(5):
        client.post(LOGIN, {"username": "target", "password": "wrong"}, **headers)


def log_in(client, **headers):
    return client.post(LOGIN, {"username": "target", "password": "the right passphrase"}, **headers)


@pytest.fixture
def target(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        "target", password="the right passphrase", is_staff=True
    )


def test_behind_one_proxy_two_clients_are_locked_out_independently(client, target, settings):
    trust_proxies(settings, 1)
    balancer = {"REMOTE_ADDR": "10.0.0.1"}
    fail_five_times(client, HTTP_X_FORWARDED_FOR="203.0.113.1", **balancer)
    assert log_in(client, HTTP_X_FORWARDED_FOR="203.0.113.1", **balancer).status_code == 429
    assert log_in(client, HTTP_X_FORWARDED_FOR="203.0.113.2", **balancer).status_code == 302


def test_behind_one_proxy_an_address_the_client_wrote_itself_is_not_believed(
    client, target, settings
):
    trust_proxies(settings, 1)
    # The attacker writes the victim's address; the balancer appends the attacker's own.
    forged = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9, 198.51.100.7"}
    fail_five_times(client, **forged)
    victim = log_in(client, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert victim.status_code == 302


def test_without_a_trusted_proxy_a_forged_forwarded_for_is_ignored(client, target, settings):
    trust_proxies(settings, 0)
    fail_five_times(client, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.1")
    # Another forwarded address from the same connection is the same client: still locked.
    again = log_in(client, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert again.status_code == 429
    assert log_in(client, REMOTE_ADDR="198.51.100.8").status_code == 302


def test_the_settings_read_proxy_count_with_no_trusted_proxy_by_default(settings):
    assert settings.PROXY_COUNT == 0
    assert settings.AXES_IPWARE_META_PRECEDENCE_ORDER == ["REMOTE_ADDR"]
    import axes.helpers

    assert axes.helpers.IPWARE_INSTALLED  # without django-ipware, axes reads REMOTE_ADDR only


# Production's 404 and the login's landing (issue 15) ----------------------------------------


@pytest.mark.django_db
def test_an_unknown_url_gets_a_friendly_404_without_the_exceptions_name(client, seed, settings):
    assert not settings.DEBUG
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Nothing here" in html
    assert "Resolver404" not in html
    assert "tried" not in html and "no-such-page" not in html
    # Our own messages are still worth showing.
    missing = client.get("/posts/999999/")
    assert missing.status_code == 404
    assert "No post has this number." in missing.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("unsafe", ["https://evil.example/", "//evil.example/", ""])
def test_a_login_with_a_missing_or_unsafe_next_lands_on_the_admin_index(client, target, unsafe):
    response = client.post(
        f"/admin/login/?next={unsafe}",
        {"username": "target", "password": "the right passphrase", "next": unsafe},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get(response["Location"]).status_code == 200


# Readers see display names, never login names (issue 15) ------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("full_name", "shown"), [(("Rita", "Vance"), "Rita Vance"), (("", ""), "an annotator")]
)
def test_public_pages_and_exports_never_show_an_annotators_login_name(
    client, seed, full_name, shown
):
    from debate.models import Post, Proposition

    from .factories import make_claim, make_stance, make_user

    annotator = make_user(username="rv-login-xq", first_name=full_name[0], last_name=full_name[1])
    post = Post.objects.get(text__startswith="Vinod is lobbying")
    proposition = Proposition.objects.get(slug="open-source-ai")
    make_stance(make_claim(post, summary="Lobbying claim."), proposition, annotator=annotator)
    pages = [
        "/debates/open-source-ai/",
        post.get_absolute_url(),
        f"/speakers/{post.speaker.slug}/",
        f"/debates/open-source-ai/propositions/{proposition.slug}/",
        "/debates/open-source-ai/export.json",
        "/debates/open-source-ai/export.csv",
        "/debates/open-source-ai/export/annotations.jsonld",
        "/debates/open-source-ai/export/aif.json",
        "/debates/open-source-ai/feed/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response) if response.streaming else response.content
        assert b"rv-login-xq" not in body, url
    assert shown in client.get(post.get_absolute_url()).content.decode()
    export = json.loads(b"".join(client.get("/debates/open-source-ai/export.json")))
    named = {
        stance["annotator"]
        for item in export["posts"]
        for claim in item["claims"]
        for stance in claim["stances"]
    }
    assert shown in named


@pytest.mark.django_db
def test_every_editor_command_gives_the_account_a_display_name(role_groups, monkeypatch):
    import io

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("ensure_editor", "--username", "plain", stdout=io.StringIO())
    assert get_user_model().objects.get(username="plain").get_full_name()
    call_command(
        "ensure_editor", "--username", "named", "--name", "Nia Named", stdout=io.StringIO()
    )
    assert get_user_model().objects.get(username="named").get_full_name() == "Nia Named"
    monkeypatch.setenv("EDITOR_PASSWORD", "a long enough passphrase")
    call_command(
        "create_editor", "maria", "--email", "m@example.org", "--name", " Maria  Rossi ",
        "--noinput", stdout=io.StringIO(),
    )  # fmt: skip
    assert get_user_model().objects.get(username="maria").get_full_name() == "Maria Rossi"
