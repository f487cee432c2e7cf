"""The environment for the suite's subprocesses: the caller's shell without anything the
settings read (each test says what it wants instead), and the production settings module
named explicitly: pytest-django puts the test settings' name in this process's environment."""

from __future__ import annotations

import os

SUITE_ONLY = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def subprocess_environment(**env: str) -> dict[str, str]:
    # Imported here: a subprocess running with the production settings imports this module too
    # (tests.test_backup), and must not load the test settings.
    from config.settings_test import READ_BY_SETTINGS

    kept = {k: v for k, v in os.environ.items() if k not in {*READ_BY_SETTINGS, *SUITE_ONLY}}
    return {**kept, "DJANGO_SETTINGS_MODULE": "config.settings", **env}
