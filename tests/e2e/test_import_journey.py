"""An editor pastes an article, corrects a suggested reply, confirms, and reads the result."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from playwright.sync_api import Page, expect

from debate.models import Post

from ..factories import HUB, default_debate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTICLE = """Open models under fire
A new exchange on open weights broke out this week.
Open weights make everyone safer.
— Ada Lovelace (@ada_l) April 2, 2024
@ada_l that is naive; security matters first.
— Bob Builder (@bobb) April 3, 2024
@ada_l you both miss the point about audits.
— Cy Twombly (@cytw) April 4, 2024
Open models under fire Read More »
"""


def log_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(base + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_paste_correct_a_reply_confirm_and_find_it_on_the_timeline(
    page: Page, live_server, problems
):
    default_debate()  # the only debate: the import page chooses it
    editor = get_user_model().objects.create_user(
        "importer", password="a long passphrase 1", is_staff=True
    )
    editor.user_permissions.add(*Permission.objects.filter(content_type__app_label="debate"))
    log_in(page, live_server.url, "importer", "a long passphrase 1")

    page.goto(live_server.url + "/admin/debate/article/")
    page.get_by_role("link", name=re.compile("Import article")).click()
    page.get_by_label("Article text").fill(ARTICLE)
    expect(page.get_by_role("combobox", name="Debate:")).to_have_value("open-source-ai")
    page.get_by_role("button", name="Preview the import").click()

    expect(page.get_by_text("Open weights make everyone safer.", exact=True)).to_be_visible()
    # Cy's post mentions Ada, but it answers Bob: correct the suggestion.
    choice = page.locator("fieldset[data-reply]").filter(has_text="post 3 mentions @ada_l")
    choice.get_by_label("Yes, but it answers another post:").check()
    choice.get_by_label("The post that post 3 answers").select_option("2")
    page.locator("fieldset[data-reply]").filter(has_text="post 2 mentions @ada_l").get_by_role(
        "radio", name=re.compile("Yes: it answers post 1")
    ).check()
    page.get_by_role("button", name="Import article").click()

    expect(page).to_have_url(re.compile(r"/admin/debate/article/\d+/change/"))
    bob = Post.objects.get(handle_shown="bobb")
    cy = Post.objects.get(handle_shown="cytw")
    assert cy.in_reply_to_id == bob.pk
    assert cy.reply_basis == "explicit"

    page.goto(live_server.url + HUB + "?speaker=" + cy.speaker.slug)
    expect(page.locator("#results")).to_contain_text("you both miss the point about audits")
    expect(page.locator(f"#post-{bob.pk}.card--context")).to_be_visible()
