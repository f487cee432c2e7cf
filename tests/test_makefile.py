"""What the Makefile would run (`make -n`): production installs the locked runtime
dependencies and no development tools; development keeps its editable install with them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .environment import subprocess_environment

ROOT = Path(__file__).resolve().parent.parent
PARENT_MAKE = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}


def dry_run(target: str) -> list[str]:
    """The commands `make TARGET` would run in a fresh clone (-B: as if nothing were built)."""
    env = {k: v for k, v in subprocess_environment().items() if k not in PARENT_MAKE}
    done = subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", "-n", "-B", target],  # noqa: S607
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.splitlines()


def test_serve_installs_only_the_locked_runtime_dependencies():
    commands = dry_run("serve")
    installs = [c for c in commands if "pip install" in c]
    assert len(installs) == 2, installs
    assert installs[0].startswith(".venv-prod/bin/python -m pip install")
    assert "--requirement requirements.lock" in installs[0]
    assert "--no-deps ." in installs[1]
    assert not any("[dev]" in c or " -e " in c for c in commands)
    served = [c for c in commands if "manage.py" in c or "gunicorn" in c]
    assert len(served) == 4
    assert all(c.startswith(".venv-prod/bin/") for c in served), served


@pytest.mark.parametrize("target", ["run", "test"])
def test_development_targets_keep_the_editable_install_with_the_dev_tools(target):
    commands = dry_run(target)
    installs = [c for c in commands if "pip install" in c]
    assert len(installs) == 1, installs
    assert installs[0].startswith(".venv/bin/python -m pip install")
    assert "-e '.[dev]'" in installs[0]
    assert not any("requirements.lock" in c or ".venv-prod" in c for c in commands)
