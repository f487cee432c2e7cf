"""Deletes that failed or lost history: a stance's revisions outlive its claim (deleting a
claim sets their claim to null; each revision keeps the claim's words in its snapshots), and a
post that starts a thread no longer protects itself through its own thread_root (RESTRICT)."""

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
        migrations.AlterField(
            model_name="post",
            name="thread_root",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="thread_posts",
                to="debate.post",
            ),
        ),
    ]
