"""Create or update an editor account: `create_editor USERNAME --email ... --name ... [--reviewer]`.

Every editor has a display name (--name, or asked for at a prompt): readers see it on the
stances they annotate, and never the login name.

The password is asked for twice at a prompt, or with --noinput read from $EDITOR_PASSWORD, so
it never appears in the shell history or the process list. Updating an account without a new
password keeps the old one. Without --reviewer the account is an Editor only.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from debate.editing.roles import assign_role

PASSWORD_ENV = "EDITOR_PASSWORD"  # noqa: S105  (the variable's name, not a password)
PROMPT_ATTEMPTS = 3


class Command(BaseCommand):
    help = "Create or update an editor account (Editor group; --reviewer adds the Reviewer group)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="The account's login name.")
        parser.add_argument("--email", help="Required for a new account.")
        parser.add_argument(
            "--name",
            help="The display name readers see (e.g. 'Maria Rossi'); required unless the "
            "account has one. Never the login name.",
        )
        parser.add_argument(
            "--reviewer",
            action="store_true",
            help="May also mark stances reviewed. Without it the account is an Editor only.",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help=f"Do not prompt: the password comes from ${PASSWORD_ENV}.",
        )

    def handle(
        self,
        *args: Any,
        username: str,
        email: str | None,
        name: str | None,
        reviewer: bool,
        interactive: bool,
        **options: Any,
    ) -> None:
        user_model = get_user_model()
        username = self.clean_username(user_model, username)
        if email is not None:
            email = email.strip()
            try:
                validate_email(email)
            except ValidationError as error:
                raise CommandError(f"--email: {email!r} is not an email address.") from error
        user = user_model.objects.filter(username=username).first()
        creating = user is None
        if creating and not email:
            raise CommandError("A new account needs an address: add --email you@example.org.")
        if creating:
            user = user_model(username=username)
        if email is not None:
            user.email = email

        password = self.read_password(user, creating=creating, interactive=interactive)
        self.set_name(user, name, interactive=interactive)
        with transaction.atomic():
            user.is_active = True
            user.is_staff = True
            if password:
                user.set_password(password)
            user.save()
            assign_role(user, reviewer=reviewer)

        role = "Editor and Reviewer" if reviewer else "Editor (not a Reviewer)"
        verb = "Created" if creating else "Updated"
        kept = "" if creating or password else "; password unchanged"
        self.stdout.write(self.style.SUCCESS(f"{verb} '{username}': {role}{kept}."))

    def clean_username(self, user_model: type, username: str) -> str:
        field = user_model._meta.get_field(user_model.USERNAME_FIELD)
        try:
            return field.clean(username.strip(), None)
        except ValidationError as error:
            raise CommandError(f"Username: {' '.join(error.messages)}") from error

    def set_name(self, user: Any, name: str | None, *, interactive: bool) -> None:
        """The display name from --name, else the account's own, else asked for."""
        name = " ".join((name or "").split())
        if not name and not user.get_full_name() and interactive and sys.stdin.isatty():
            name = " ".join(input("Display name (readers see it, e.g. Maria Rossi): ").split())
        if name:
            limit = user._meta.get_field("first_name").max_length
            if len(name) > limit:
                raise CommandError(f"--name: at most {limit} characters.")
            user.first_name, user.last_name = name, ""
        if not user.get_full_name():
            raise CommandError(
                "An editor needs a display name, which readers see instead of the login name: "
                "add --name 'Maria Rossi'."
            )

    def read_password(self, user: Any, *, creating: bool, interactive: bool) -> str:
        """A validated new password, or "" to keep the current one (existing accounts only)."""
        if not interactive:
            password = os.environ.get(PASSWORD_ENV, "")
            if not password and creating:
                raise CommandError(f"With --noinput, set ${PASSWORD_ENV} to the new password.")
            if password:
                self.validate(password, user)
            return password
        if not sys.stdin.isatty():
            raise CommandError(
                f"No terminal to ask for the password: use --noinput and ${PASSWORD_ENV}."
            )
        prompt = "Password: " if creating else "New password (empty keeps the current one): "
        for _ in range(PROMPT_ATTEMPTS):
            password = getpass.getpass(prompt)
            if not password and not creating:
                return ""
            if not password:
                self.stderr.write("The password cannot be empty.")
                continue
            if getpass.getpass("Password (again): ") != password:
                self.stderr.write("The two passwords differ. Try again.")
                continue
            try:
                self.validate(password, user)
            except CommandError as error:
                self.stderr.write(str(error))
                continue
            return password
        raise CommandError("No password set: nothing was changed.")

    @staticmethod
    def validate(password: str, user: Any) -> None:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from error
