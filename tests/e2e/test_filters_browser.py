"""A reader narrows the debate step by step in Chromium; every step is a URL Back returns to."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from debate.models import Speaker
from debate.reading.timeline import PAGE_SIZE
from tests.factories import make_post

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def heading(page: Page):
    return page.locator("#results h1")


def test_filters_combine_chips_remove_and_history_steps_back(
    page: Page, live_server, seed, problems
):
    page.goto(live_server.url + "/debates/open-source-ai/")
    page.evaluate("window.__sameDocument = true")

    page.get_by_role("checkbox", name=re.compile("^Vinod Khosla")).check()
    expect(page).to_have_url(re.compile(r"/\?speaker=vinod-khosla$"))
    page.get_by_role("checkbox", name=re.compile("^Elon Musk")).check()
    expect(page).to_have_url(re.compile(r"/\?speaker=elon-musk&speaker=vinod-khosla$"))
    page.get_by_role("radio", name=re.compile(r"^against \(anti\)")).check()
    expect(page).to_have_url(re.compile(r"stance=anti$"))
    expect(heading(page)).to_have_text("Posts by Elon Musk and Vinod Khosla, against a proposition")
    page.get_by_label("Search posts and claims").fill("manhattan")
    expect(page).to_have_url(re.compile(r"q=manhattan$"))
    expect(page.locator("#results mark").first).to_have_text(re.compile("manhattan", re.IGNORECASE))
    expect(page.locator("#results article.card:not(.card--context)")).to_have_count(1)
    # The counts beside each choice follow the selection.
    expect(page.locator('label[for="speaker-marc-andreessen"] .count')).to_have_text(
        re.compile("^0")
    )
    assert page.evaluate("window.__sameDocument === true"), "no step reloaded the page"

    page.get_by_role("link", name="Remove filter Speaker: Elon Musk").click()
    expect(page).to_have_url(re.compile(r"/\?speaker=vinod-khosla&stance=anti&q=manhattan$"))
    expect(page.get_by_role("checkbox", name=re.compile("^Elon Musk"))).not_to_be_checked()
    page.get_by_role("link", name="Remove filter Search: “manhattan”").click()
    expect(page.get_by_label("Search posts and claims")).to_have_value("")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/\?speaker=vinod-khosla&stance=anti&q=manhattan$"))
    expect(page.get_by_label("Search posts and claims")).to_have_value("manhattan")
    page.go_back()
    expect(page).to_have_url(
        re.compile(r"speaker=elon-musk&speaker=vinod-khosla&stance=anti&q=manhattan$")
    )
    expect(page.get_by_role("checkbox", name=re.compile("^Elon Musk"))).to_be_checked()
    page.go_forward()
    expect(page.get_by_role("checkbox", name=re.compile("^Elon Musk"))).not_to_be_checked()

    page.get_by_role("link", name="Clear all").first.click()
    expect(page).to_have_url(live_server.url + "/debates/open-source-ai/")
    expect(page.locator("#results article.card")).to_have_count(7)


def test_scrolling_loads_the_next_posts(page: Page, live_server, seed, problems):
    speaker = Speaker.objects.get(slug="elon-musk")
    start = datetime.datetime(2024, 4, 1, tzinfo=datetime.UTC)
    for n in range(PAGE_SIZE):
        make_post(speaker, text=f"Later thought {n}", posted_at=start + datetime.timedelta(hours=n))
    page.goto(live_server.url + "/debates/open-source-ai/")
    cards = page.locator("#results article.card")
    expect(cards).to_have_count(PAGE_SIZE)
    page.locator("#load-more").scroll_into_view_if_needed()
    expect(cards).to_have_count(PAGE_SIZE + 7)
    expect(page.locator("#load-more")).to_have_count(0)
    expect(page).to_have_url(live_server.url + "/debates/open-source-ai/")
