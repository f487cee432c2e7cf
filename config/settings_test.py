"""The test suite's settings (pyproject.toml points pytest here): the production settings,
loaded with a fixed environment, and what tests need on top.

config/settings.py reads its configuration from the environment. Under tests the caller's
shell must not change results (a DEBUG=1 left in it turned secure cookies off, a REDIS_URL
would share one cache between runs), so every variable it reads is set here to a known value
or removed for the import, except DATABASE_URL: which database the suite runs on is the
caller's choice (unset or empty: SQLite).
"""

import os
import sys
from unittest import mock

from django.core.exceptions import ImproperlyConfigured

# Every variable config/settings.py reads (tests/test_settings.py keeps this list complete).
READ_BY_SETTINGS = [
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "AXES_FAILURE_LIMIT",
    "AXES_COOLOFF_MINUTES", "AXES_IP_HEADERS", "DATABASE_URL", "CONN_MAX_AGE",
    "DATABASE_WORK_MEM", "DATABASE_REPLICA_URL", "REDIS_URL", "CACHE_PREFIX",
    "CACHE_MAX_ENTRIES", "PAGE_CACHE_MAX_ENTRIES", "SECURE_COOKIES", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "BEHIND_TLS_PROXY", "LOG_LEVEL", "PROXY_COUNT", "SITE_URL",
]  # fmt: skip
CALLERS_CHOICE = {"DATABASE_URL"}
# Production mode (DEBUG off), with a key and hosts of its own, so the production settings'
# own checks pass: nothing in them is switched off for tests.
PINNED = {
    "SECRET_KEY": "threadline-test-suite-only-not-a-secret-0123456789abcdefghijklmnop",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
}

if "config.settings" in sys.modules:
    raise ImproperlyConfigured(
        "config.settings was imported before config.settings_test: the test settings could "
        "not pin the environment it reads."
    )
with mock.patch.dict(os.environ):
    for name in set(READ_BY_SETTINGS) - CALLERS_CHOICE:
        os.environ.pop(name, None)
    os.environ.update(PINNED)
    from config.settings import *  # noqa: F403
    from config.settings import DATABASES

# What differs from production. A relation nobody loaded for the cards is an error
# (debate.timeline.card_fetch_mode).
THREADLINE_FETCH_MODE = "raise"
# Tests' live servers run in threads whose open connections would keep the test database
# from being dropped at the end.
for _database in DATABASES.values():
    _database["CONN_MAX_AGE"] = 0
    if "postgresql" in _database["ENGINE"]:
        # A test database is dropped at the end: commits need not wait for the disk (what
        # every query sees is unchanged; only a crash could lose the last commits).
        _options = _database.setdefault("OPTIONS", {})
        _options["options"] = f"{_options.get('options', '')} -c synchronous_commit=off".strip()
# PBKDF2 at its production cost takes about a second a hash on a small machine; tests hash
# passwords often and check logins, not the hash's strength.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
