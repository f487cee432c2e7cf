"""A reader filters the timeline in Chromium: only the results change, the URL follows, Back works."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def speaker_box(page: Page, name: str):
    return page.get_by_role("checkbox", name=re.compile(f"^{name}"))


def cards(page: Page):
    return page.locator("#results article.card")


def test_speaker_filter_swaps_results_pushes_url_and_back_restores(
    page: Page, live_server, seed, problems
):
    page.goto(live_server.url + "/debates/open-source-ai/")
    expect(cards(page)).to_have_count(7)
    expect(page.locator("#results h1")).to_have_text("The open-source AI debate, March 2024")
    # Marks that survive only if the page is not reloaded and the filters are not replaced.
    page.evaluate("window.__sameDocument = true")
    page.evaluate("document.getElementById('filters').dataset.kept = 'yes'")

    speaker_box(page, "Marc Andreessen").check()

    expect(page).to_have_url(re.compile(r"/\?speaker=marc-andreessen$"))
    expect(page.locator("#results h1")).to_have_text("Posts by Marc Andreessen")
    expect(cards(page)).to_have_count(4)  # his three posts and Khosla's, as context
    expect(page.locator("#results article.card--context")).to_have_count(1)
    expect(page.locator("#results")).not_to_contain_text("state actor")
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    assert page.evaluate("document.getElementById('filters').dataset.kept") == "yes"
    expect(page).to_have_title(re.compile("^Posts by Marc Andreessen"))
    expect(page.locator("#results")).to_have_attribute("aria-live", "polite")

    page.go_back()

    expect(page).to_have_url(live_server.url + "/debates/open-source-ai/")
    expect(page.locator("#results h1")).to_have_text("The open-source AI debate, March 2024")
    expect(cards(page)).to_have_count(7)
    expect(speaker_box(page, "Marc Andreessen")).not_to_be_checked()

    page.go_forward()
    expect(page).to_have_url(re.compile(r"/\?speaker=marc-andreessen$"))
    expect(cards(page)).to_have_count(4)
    expect(speaker_box(page, "Marc Andreessen")).to_be_checked()


def test_the_filter_works_without_javascript(browser: Browser, live_server, seed):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/debates/open-source-ai/")
    speaker_box(page, "Vinod Khosla").check()
    page.get_by_role("button", name="Show posts").click()
    expect(page).to_have_url(re.compile(r"/\?speaker=vinod-khosla$"))
    expect(page.locator("#results h1")).to_have_text("Posts by Vinod Khosla")
    expect(cards(page)).to_have_count(2)  # his reply and the post it answers
    context.close()
