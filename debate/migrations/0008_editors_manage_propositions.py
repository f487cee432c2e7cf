"""Editors add and change propositions; Reviewers may also delete them (issue 13).

Until now propositions were the editor-in-chief's (migration 0004): an Editor opening "Add
proposition" got a bare 403. The Reviewer group keeps every Editor permission, so it gets
the two as well, plus deleting. A proposition that stances take a side on cannot be deleted
anyway (``Stance.proposition`` protects it). Reversing takes exactly these away again.
Frozen here on purpose, as in 0004: a later change of roles is a new migration.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Editor": ["add_proposition", "change_proposition"],
    "Reviewer": ["add_proposition", "change_proposition", "delete_proposition"],
}


def _permissions(apps) -> dict:
    """The proposition permissions by codename, made first if they do not exist yet
    (permissions are normally created after migrate finishes)."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    permission_model = apps.get_model("auth", "Permission")
    found = permission_model.objects.filter(
        content_type__app_label="debate", content_type__model="proposition"
    )
    return {permission.codename: permission for permission in found}


def _groups(apps):
    group_model = apps.get_model("auth", "Group")
    return group_model.objects.filter(name__in=GRANTS)


def grant(apps, schema_editor):
    permissions = _permissions(apps)
    for group in _groups(apps):
        group.permissions.add(*(permissions[codename] for codename in GRANTS[group.name]))


def revoke(apps, schema_editor):
    permissions = _permissions(apps)
    for group in _groups(apps):
        group.permissions.remove(*(permissions[codename] for codename in GRANTS[group.name]))


class Migration(migrations.Migration):
    dependencies = [
        ("debate", "0007_stance_rationale_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
