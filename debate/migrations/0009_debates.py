"""Debates: every article belongs to one, and propositions to any number.

The articles already here (the seed's, and whatever editors imported) become the first
debate, the open-source AI exchange of March 2024, with every proposition; its period is
that of the posts they quote. Editors may add and change debates; Reviewers may also
delete them. Reversing drops the debates and leaves the articles as they were.
"""

import django.db.models.deletion
from django.db import migrations, models

FIRST = {
    "slug": "open-source-ai",
    "title": "The open-source AI debate, March 2024",
    "question": "Should AI models be released as open source?",
    "summary": (
        "In March 2024 Elon Musk sued OpenAI for abandoning its open mission and announced "
        "that xAI would open source its chatbot Grok. Marc Andreessen and Vinod Khosla argued "
        "over whether open-source AI is a national-security risk or the engine of progress."
    ),
}
EDITOR_ACTIONS = ["add", "change", "view"]
REVIEWER_ACTIONS = ["add", "change", "delete", "view"]


def first_debate(apps, schema_editor):
    Article = apps.get_model("debate", "Article")
    if not Article.objects.exists():
        return  # a new database: the seed (or the first import) brings its own debate
    Debate = apps.get_model("debate", "Debate")
    Post = apps.get_model("debate", "Post")
    quoted = Post.objects.filter(quoted_in__isnull=False)
    first = quoted.order_by("posted_at").values_list("posted_at", flat=True).first()
    last = quoted.order_by("-posted_at").values_list("posted_at", flat=True).first()
    from debate.text import render_markdown

    debate, _ = Debate.objects.get_or_create(
        slug=FIRST["slug"],
        defaults={
            **FIRST,
            "summary_html": render_markdown(FIRST["summary"]),
            "starts_on": first.date() if first else None,
            "ends_on": last.date() if last else None,
        },
    )
    Article.objects.filter(debate__isnull=True).update(debate=debate)
    debate.propositions.add(*apps.get_model("debate", "Proposition").objects.all())


def debate_permissions(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    mine = Permission.objects.filter(content_type__app_label="debate", content_type__model="debate")
    for name, actions in (("Editor", EDITOR_ACTIONS), ("Reviewer", REVIEWER_ACTIONS)):
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(*mine.filter(codename__in=[f"{a}_debate" for a in actions]))


class Migration(migrations.Migration):
    dependencies = [
        ("debate", "0008_editors_manage_propositions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="Debate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "title",
                    models.CharField(help_text='e.g. "The open-source AI debate"', max_length=200),
                ),
                (
                    "slug",
                    models.SlugField(
                        help_text="Its address: /debates/<slug>/", max_length=100, unique=True
                    ),
                ),
                (
                    "question",
                    models.CharField(
                        blank=True,
                        help_text='e.g. "Should frontier AI models be released as open source?"',
                        max_length=300,
                        verbose_name="the question it turns on",
                    ),
                ),
                (
                    "summary",
                    models.TextField(blank=True, help_text="A short summary, in Markdown."),
                ),
                ("summary_html", models.TextField(default="", editable=False)),
                ("starts_on", models.DateField(blank=True, null=True, verbose_name="period from")),
                ("ends_on", models.DateField(blank=True, null=True, verbose_name="period until")),
            ],
            options={
                "ordering": [
                    models.OrderBy(models.F("starts_on"), descending=True, nulls_last=True),
                    "title",
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("starts_on__isnull", True),
                            ("ends_on__isnull", True),
                            ("starts_on__lte", models.F("ends_on")),
                            _connector="OR",
                        ),
                        name="debate_period_in_order",
                        violation_error_message="The period ends before it starts.",
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="article",
            name="debate",
            field=models.ForeignKey(
                help_text="The debate it reports; the posts it quotes belong to that debate.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="articles",
                to="debate.debate",
            ),
        ),
        migrations.AddField(
            model_name="proposition",
            name="debates",
            field=models.ManyToManyField(
                blank=True,
                help_text="The debates it is argued in; one proposition may run through several.",
                related_name="propositions",
                to="debate.debate",
            ),
        ),
        migrations.RunPython(first_debate, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="article",
            name="debate",
            field=models.ForeignKey(
                help_text="The debate it reports; the posts it quotes belong to that debate.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="articles",
                to="debate.debate",
            ),
        ),
        migrations.RunPython(debate_permissions, migrations.RunPython.noop),
    ]
