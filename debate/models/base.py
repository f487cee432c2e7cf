"""What every model shares: timestamps, the X handle rule, and how a person is named."""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.db import models

handle_validator = RegexValidator(
    r"^[A-Za-z0-9_]{1,15}$",
    "An X handle has 1 to 15 letters, digits or underscores, without the @.",
)


class Timestamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


# What an account without a display name is called. Login names are never shown: they are
# half of what a login needs (issue 15).
UNNAMED = "an annotator"


def display_name(user: Any) -> str:
    """How readers and editors see an account: its full name (create_editor --name), else
    "an annotator", never its login name.

    The one rule for naming annotators, reviewers and revision authors everywhere."""
    if user is None:
        return ""
    return user.get_full_name() or UNNAMED


def account_name(user: Any) -> str:
    """How the editors' own pages (the admin: agreement, history, conflicts) name an account:
    its display name, else its login name, which editors need to tell accounts apart. Never
    on a page or export readers see: those use ``display_name``."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
