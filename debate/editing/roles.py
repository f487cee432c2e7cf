"""Who may do what in the editors' workspace.

The Editor and Reviewer groups and their permissions are created by migration 0004; this
module only names them and puts accounts in them.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission
from django.core.management.base import CommandError

EDITOR = "Editor"
REVIEWER = "Reviewer"
REVIEW_PERMISSION = "debate.review_stance"


def is_reviewer(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether this user may mark stances reviewed (superusers may do everything)."""
    return bool(user.is_active and user.has_perm(REVIEW_PERMISSION))


def role_groups() -> tuple[Group, Group]:
    groups = {group.name: group for group in Group.objects.filter(name__in=[EDITOR, REVIEWER])}
    if len(groups) != 2:
        raise CommandError(
            "The Editor and Reviewer groups are missing: run `python manage.py migrate` first."
        )
    return groups[EDITOR], groups[REVIEWER]


def assign_role(user, *, reviewer: bool | None) -> None:
    """Make ``user`` a staff Editor, and a Reviewer too (True), no longer one (False), or
    whatever it was (None).

    The rights come from the groups alone: debate permissions granted to the account directly
    (as earlier versions of ``ensure_editor`` did) are removed so the groups tell the truth.
    """
    editor_group, reviewer_group = role_groups()
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(editor_group)
    if reviewer is True:
        user.groups.add(reviewer_group)
    elif reviewer is False:
        user.groups.remove(reviewer_group)
    user.user_permissions.remove(*Permission.objects.filter(content_type__app_label="debate"))
