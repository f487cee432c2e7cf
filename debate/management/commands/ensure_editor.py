"""Make sure an editor account exists, in the Editor group, and say how to log in with it.

The password comes from THREADLINE_EDITOR_PASSWORD when set (applied every run); otherwise a
new account gets a random one-time password, printed once. No password lives in the repo.
"""

import os
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from debate.editing.roles import assign_role

DEFAULT_USERNAME = "editor"
# Readers see an annotator's display name, never the login name.
DEFAULT_NAME = "Threadline editor"


class Command(BaseCommand):
    help = "Create the editor account if it is missing and print how to log in."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--username",
            default=os.environ.get("THREADLINE_EDITOR_USERNAME") or DEFAULT_USERNAME,
            help="Account name (default: $THREADLINE_EDITOR_USERNAME or 'editor').",
        )
        parser.add_argument(
            "--name",
            default=os.environ.get("THREADLINE_EDITOR_NAME") or "",
            help="Display name readers see (default: $THREADLINE_EDITOR_NAME; an account without "
            f"one is called '{DEFAULT_NAME}').",
        )
        parser.add_argument(
            "--site",
            default="http://127.0.0.1:8000",
            help="Where the site is served, to print the login address.",
        )

    @transaction.atomic
    def handle(self, *args: Any, username: str, name: str, site: str, **options: Any) -> None:
        user_model = get_user_model()
        env_password = os.environ.get("THREADLINE_EDITOR_PASSWORD") or ""
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"is_staff": True}
        )
        user.is_staff = True
        user.is_active = True
        name = " ".join(name.split())
        if name or not user.get_full_name():
            user.first_name, user.last_name = name or DEFAULT_NAME, ""
        password = env_password
        if created and not password:
            password = secrets.token_urlsafe(12)
        if password:
            user.set_password(password)
        user.save()
        # The Editor group carries the rights; a Reviewer stays a Reviewer.
        assign_role(user, reviewer=None)

        login = f"{site.rstrip('/')}/admin/"
        if env_password:
            self.stdout.write(
                f"Editor '{username}': log in at {login} with $THREADLINE_EDITOR_PASSWORD."
            )
        elif created:
            self.stdout.write(
                self.style.SUCCESS(f"Created editor '{username}'. Log in at {login}\n")
                + f"  username: {username}\n  password: {password}   (shown once; set "
                "THREADLINE_EDITOR_PASSWORD and run again to choose your own)"
            )
        else:
            self.stdout.write(
                f"Editor '{username}' exists: log in at {login}. Forgot the password? Run "
                "THREADLINE_EDITOR_PASSWORD=... make run"
            )
