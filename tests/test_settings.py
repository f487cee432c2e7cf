"""Which settings the suite runs with: the production settings decide nothing from what
happens to be imported, and the test settings do not depend on the caller's shell."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from hypothesis import settings as hypothesis_settings

from config.settings_test import CALLERS_CHOICE, PINNED, READ_BY_SETTINGS

from .conftest import COMMAND_ENVIRONMENT
from .environment import subprocess_environment

ROOT = Path(__file__).resolve().parent.parent
DUMP = (
    "import json; from django.conf import settings; settings._setup(); "
    "print(json.dumps({name: getattr(settings, name) for name in dir(settings) "
    "if name.isupper()}, default=repr, sort_keys=True))"
)
# A value for every variable the settings read, each unlike its default.
HOSTILE = {
    "DEBUG": "1",
    "SECRET_KEY": "short",
    "ALLOWED_HOSTS": "evil.example",
    "CSRF_TRUSTED_ORIGINS": "https://evil.example",
    "AXES_FAILURE_LIMIT": "1",
    "AXES_COOLOFF_MINUTES": "1",
    "AXES_IP_HEADERS": "HTTP_X_REAL_IP",
    "PROXY_COUNT": "3",
    "SITE_URL": "https://evil.example",
    "CONN_MAX_AGE": "600",
    "DATABASE_WORK_MEM": "1GB",
    "DATABASE_REPLICA_URL": "postgres://app@db-replica:5432/threadline",
    "REDIS_URL": "redis://cache:6379/0",
    "CACHE_PREFIX": "someone-else",
    "CACHE_MAX_ENTRIES": "1",
    "PAGE_CACHE_MAX_ENTRIES": "1",
    "SECURE_COOKIES": "0",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "BEHIND_TLS_PROXY": "1",
    "LOG_LEVEL": "ERROR",
}


def python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603  (our own interpreter and code)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=subprocess_environment(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_settings_refuse_the_development_key_even_with_pytest_imported():
    # They used to switch their checks off whenever pytest was imported.
    done = python("import pytest, config.settings")
    assert done.returncode != 0
    assert "ImproperlyConfigured: Production needs its own SECRET_KEY" in done.stderr
    assert "sys.modules" not in (ROOT / "config" / "settings.py").read_text(encoding="utf-8")


def test_production_settings_refuse_no_hosts_even_with_pytest_imported():
    done = python("import pytest, config.settings", SECRET_KEY="k" * 60, ALLOWED_HOSTS="")
    assert done.returncode != 0
    assert "ImproperlyConfigured: Production needs ALLOWED_HOSTS" in done.stderr


def test_every_variable_the_settings_read_is_pinned_by_the_test_settings():
    source = (ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'(?:os\.environ\.get|env_bool|env_list)\(\s*"([A-Z_]+)"', source))
    assert "DEBUG" in read and "REDIS_URL" in read  # the pattern finds them
    assert read <= set(READ_BY_SETTINGS)
    assert set(HOSTILE) == set(READ_BY_SETTINGS) - CALLERS_CHOICE


def test_the_test_settings_ignore_the_callers_environment():
    module = {"DJANGO_SETTINGS_MODULE": "config.settings_test", "DATABASE_URL": ""}
    clean = python(DUMP, **module)
    assert clean.returncode == 0, clean.stderr
    hostile = python(DUMP, **module, **HOSTILE)
    assert hostile.returncode == 0, hostile.stderr
    pinned, left = json.loads(clean.stdout), json.loads(hostile.stdout)
    assert {name for name in pinned if pinned[name] != left.get(name)} == set()
    assert pinned["DEBUG"] is False
    assert pinned["SESSION_COOKIE_SECURE"] is True
    assert sorted(pinned["DATABASES"]) == ["default"]


def test_the_suite_runs_with_the_test_settings():
    assert PINNED["SECRET_KEY"] == settings.SECRET_KEY
    assert settings.DEBUG is False
    assert settings.THREADLINE_FETCH_MODE == "raise"
    assert {db["CONN_MAX_AGE"] for db in settings.DATABASES.values()} == {0}
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_commands_tests_run_do_not_see_the_callers_editor_variables():
    assert [name for name in COMMAND_ENVIRONMENT if name in os.environ] == []


def test_property_tests_try_the_same_examples_every_run_in_ci():
    code = "import tests.conftest; from hypothesis import settings; print(settings.default.derandomize)"
    assert python(code, CI="true").stdout.split() == ["True"]
    assert hypothesis_settings.get_profile("ci").derandomize
