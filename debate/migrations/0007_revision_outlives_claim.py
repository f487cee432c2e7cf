"""A stance's revisions outlive its claim: deleting a claim sets their claim to null (each
revision keeps the claim's words in its snapshots) instead of deleting the history."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("debate", "0005_siteversion"),
    ]

    operations = [
        migrations.AlterField(
            model_name="stancerevision",
            name="claim",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="stance_revisions",
                to="debate.claim",
            ),
        ),
    ]
