from django.db import migrations, models
from django.utils import timezone


def create_row(apps, schema_editor):
    apps.get_model("debate", "SiteVersion").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("debate", "0004_editor_and_reviewer_groups")]

    operations = [
        migrations.CreateModel(
            name="SiteVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveBigIntegerField(default=1)),
                ("changed_at", models.DateTimeField(default=timezone.now)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("pk", 1)), name="siteversion_single_row"
                    )
                ]
            },
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
