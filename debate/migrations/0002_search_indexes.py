"""GIN indexes for PostgreSQL's full-text search over post text and claim words.

The expressions match what ``django.contrib.postgres.search.SearchVector`` generates in
``debate.filters.search_posts``, so the planner can use them. Other databases (SQLite) search
with a plain ``contains`` and get no index: this migration does nothing there.
"""

from django.db import migrations

INDEXES = {
    "post_text_search_idx": (
        "debate_post",
        "to_tsvector('english'::regconfig, COALESCE(text, ''))",
    ),
    "claim_text_search_idx": (
        "debate_claim",
        "to_tsvector('english'::regconfig, COALESCE(summary, '') || ' ' || COALESCE(quote, ''))",
    ),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, expression) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression})"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("debate", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
