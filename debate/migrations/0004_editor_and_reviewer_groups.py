"""The Editor and Reviewer groups, with their permissions.

Editors add and change everything the debate is made of; they may delete posts, claims,
stances and an article's quoted-post rows, but never speakers or articles (too much hangs on
them). Propositions are the editor-in-chief's: editors see them and annotate toward them.
Reviewers can do all that and also mark stances reviewed. The lists are frozen here on
purpose: a later change of roles is a new migration.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = "Editor"
REVIEWER = "Reviewer"

EDITOR_PERMISSIONS = {
    "article": ["add", "change", "view"],
    "speaker": ["add", "change", "view"],
    "post": ["add", "change", "delete", "view"],
    "articlepost": ["add", "change", "delete", "view"],
    "claim": ["add", "change", "delete", "view"],
    "stance": ["add", "change", "delete", "view"],
    "proposition": ["view"],
    "stancerevision": ["view"],
}
REVIEWER_EXTRA = ["review_stance"]


def codenames() -> list[str]:
    return [
        f"{action}_{model}" for model, actions in EDITOR_PERMISSIONS.items() for action in actions
    ]


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrate finishes; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    debate_permissions = permission_model.objects.filter(content_type__app_label="debate")
    editor_permissions = list(debate_permissions.filter(codename__in=codenames()))
    review_permissions = list(debate_permissions.filter(codename__in=REVIEWER_EXTRA))
    editor, _ = group_model.objects.get_or_create(name=EDITOR)
    editor.permissions.set(editor_permissions)
    reviewer, _ = group_model.objects.get_or_create(name=REVIEWER)
    reviewer.permissions.set(editor_permissions + review_permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[EDITOR, REVIEWER]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("debate", "0003_stance_provenance_and_revisions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
