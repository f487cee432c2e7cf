"""The commands `make run` uses to set a newcomer up."""

import io
import re

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import RequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("role_groups")]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("ensure_editor", *args, stdout=out)
    return out.getvalue()


def test_first_run_creates_an_editor_with_a_printed_one_time_password(monkeypatch):
    monkeypatch.delenv("THREADLINE_EDITOR_PASSWORD", raising=False)
    output = run()
    password = re.search(r"password: (\S+)", output).group(1)
    assert len(password) >= 12
    user = authenticate(
        RequestFactory().post("/admin/login/"), username="editor", password=password
    )
    assert user is not None and user.is_staff and not user.is_superuser
    # A second run keeps the password and does not print one.
    again = run()
    assert "password:" not in again and "exists" in again
    assert (
        authenticate(RequestFactory().post("/admin/login/"), username="editor", password=password)
        is not None
    )


def test_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("THREADLINE_EDITOR_PASSWORD", "a long chosen passphrase")
    output = run("--username", "maria")
    assert "a long chosen passphrase" not in output
    assert (
        authenticate(
            RequestFactory().post("/admin/login/"),
            username="maria",
            password="a long chosen passphrase",
        )
        is not None
    )
    assert get_user_model().objects.filter(username="maria", is_staff=True).exists()
