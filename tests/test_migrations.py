"""Migrations run backward to zero and forward again, with data in the tables, and at every
step the tables are exactly what that migration says they are."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client

from debate.editing.revisions import save_stance
from debate.models import Claim, Proposition, ReviewState, Stance

from .factories import make_user
from .html import post_ids

pytestmark = pytest.mark.django_db(transaction=True)

APP = "debate"


def debate_migrations() -> list[str]:
    """The app's migrations in the order they apply."""
    graph = MigrationLoader(connection, ignore_no_migrations=True).graph
    (leaf,) = graph.leaf_nodes(APP)
    return [name for app, name in graph.forwards_plan(leaf) if app == APP]


def expected_schema(migration: str | None) -> dict[str, set[str]]:
    """Tables and their columns after ``migration`` (None: before the first)."""
    if migration is None:
        return {}
    state = MigrationLoader(connection).project_state((APP, migration))
    tables: dict[str, set[str]] = {}
    for model in state.apps.get_app_config(APP).get_models(include_auto_created=True):
        tables[model._meta.db_table] = {field.column for field in model._meta.local_fields}
    return tables


def actual_schema() -> dict[str, set[str]]:
    with connection.cursor() as cursor:
        return {
            table: {
                column.name
                for column in connection.introspection.get_table_description(cursor, table)
            }
            for table in connection.introspection.table_names(cursor)
            if table.startswith(f"{APP}_")
        }


def expected_names(migration: str | None) -> set[str]:
    """The indexes and constraints the models name themselves, after ``migration``."""
    if migration is None:
        return set()
    state = MigrationLoader(connection).project_state((APP, migration))
    return {
        item.name
        for model in state.apps.get_app_config(APP).get_models()
        for item in [*model._meta.indexes, *model._meta.constraints]
    }


def actual_names() -> set[str]:
    with connection.cursor() as cursor:
        return {
            name
            for table in connection.introspection.table_names(cursor)
            if table.startswith(f"{APP}_")
            for name in connection.introspection.get_constraints(cursor, table)
        }


def migrate(target: str | None) -> None:
    call_command("migrate", APP, target or "zero", verbosity=0)
    assert actual_schema() == expected_schema(target), f"tables after migrating to {target}"
    assert expected_names(target) <= actual_names(), f"indexes after migrating to {target}"
    if connection.vendor == "postgresql":
        # Made by SQL in 0002, so the models' state does not list them.
        applied = target is not None and target >= "0002"
        search = {"post_text_search_idx", "claim_text_search_idx"}
        assert search & actual_names() == (search if applied else set()), target


def annotate() -> None:
    """The seed plus a stance saved the way the workspace saves it (with its revision)."""
    call_command("loaddata", "seed_debate", verbosity=0)
    stance = Stance(
        claim=Claim.objects.order_by("pk").first(),
        proposition=Proposition.objects.order_by("pk").first(),
        value="anti",
        confidence="low",
        rationale="A second view.",
        review_state=ReviewState.PUBLISHED,
    )
    save_stance(stance, make_user(username="migrating-editor"))


def test_every_migration_reverses_and_reapplies_with_data_in_the_tables():
    names = debate_migrations()
    assert names[0] == "0001_initial"
    annotate()
    try:
        for step in reversed(range(len(names))):
            migrate(names[step - 1] if step else None)
        assert actual_schema() == {}
        for name in names:
            migrate(name)
    finally:
        call_command("migrate", APP, verbosity=0)  # leave the database as other tests expect it

    call_command("loaddata", "seed_debate", verbosity=0)
    page = Client().get("/debates/open-source-ai/")
    assert page.status_code == 200
    assert len(post_ids(page.content.decode())) == 7
    # The roles come back with their migration.
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {"Editor", "Reviewer"}
    assert Group.objects.get(name="Reviewer").permissions.filter(codename="review_stance").exists()


def test_the_models_need_no_migration_that_is_not_written():
    out = io.StringIO()
    try:
        call_command("makemigrations", APP, "--check", "--dry-run", stdout=out)
    except SystemExit:
        pytest.fail(f"the models have changes without a migration:\n{out.getvalue()}")


def proposition_rights() -> dict[str, set[str]]:
    from django.contrib.auth.models import Group

    return {
        group.name: set(
            group.permissions.filter(content_type__model="proposition").values_list(
                "codename", flat=True
            )
        )
        for group in Group.objects.filter(name__in=["Editor", "Reviewer"])
    }


def test_0008_lets_editors_manage_propositions_and_reverses():
    granted = {
        "Editor": {"add_proposition", "change_proposition", "view_proposition"},
        "Reviewer": {
            "add_proposition", "change_proposition", "delete_proposition", "view_proposition",
        },
    }  # fmt: skip
    try:
        # From before the roles existed (an earlier test's flush removed them): 0004 makes
        # them, 0008 widens them.
        call_command("migrate", APP, "0003_stance_provenance_and_revisions", verbosity=0)
        call_command("migrate", APP, verbosity=0)
        assert proposition_rights() == granted
        call_command("migrate", APP, "0007_stance_rationale_max_length", verbosity=0)
        assert proposition_rights() == {
            "Editor": {"view_proposition"},
            "Reviewer": {"view_proposition"},
        }
        call_command("migrate", APP, "0008_editors_manage_propositions", verbosity=0)
        assert proposition_rights() == granted
    finally:
        call_command("migrate", APP, verbosity=0)


def test_0009_makes_the_articles_already_there_the_first_debate():
    """A database from before debates: its articles (the seed's) become the first debate, with
    every proposition and the period of the posts they quote; one from none gets none."""
    from debate.models import Article, Debate

    call_command("loaddata", "seed_debate", verbosity=0)
    try:
        call_command("migrate", APP, "0008_editors_manage_propositions", verbosity=0)
        call_command("migrate", APP, verbosity=0)
        debate = Debate.objects.get()
        assert (debate.slug, debate.title) == (
            "open-source-ai",
            "The open-source AI debate, March 2024",
        )
        assert debate.period == "Mar 2024" and "<p>" in debate.summary_html
        assert list(Article.objects.values_list("debate", flat=True)) == [debate.pk]
        assert debate.propositions.count() == Proposition.objects.count() == 3
        # Loading the seed again changes nothing a reader sees, and makes no second debate.
        shown = ["pk", "slug", "title", "question", "summary", "starts_on", "ends_on"]
        before = list(Debate.objects.values(*shown))
        call_command("loaddata", "seed_debate", verbosity=0)
        assert list(Debate.objects.values(*shown)) == before
        page = Client().get("/debates/open-source-ai/")
        assert len(post_ids(page.content.decode())) == 7
    finally:
        call_command("migrate", APP, verbosity=0)
