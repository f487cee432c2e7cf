"""A reader moves through every page by links, with JavaScript and without, and by keyboard."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from debate.models import Post

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def walk(page: Page, base: str) -> None:
    """From the list of debates to a hub; permalink up and down the thread, speaker page and
    its debate, the debate's articles, map cell to its timeline."""
    reply = Post.objects.get(text__startswith="Let's assume")
    page.goto(base + "/")
    page.get_by_role("heading", name="The open-source AI debate, March 2024").get_by_role(
        "link"
    ).click()
    expect(page).to_have_url(base + "/debates/open-source-ai/")
    page.locator(f"#post-{reply.pk}").get_by_role("link", name=re.compile("^Permalink")).click()
    expect(page).to_have_url(re.compile(rf"/posts/{reply.pk}/$"))
    expect(page.locator(".card--focus")).to_contain_text("Let's assume")
    # Up the thread: the post it answers; down: the post that answers it.
    page.locator(f"#post-{reply.pk}").get_by_role("link", name="@vkhosla").click()
    expect(page).to_have_url(re.compile(rf"/posts/{reply.in_reply_to_id}/$"))
    answer = Post.objects.get(in_reply_to=reply)
    page.locator(f"#post-{answer.pk}").get_by_role("link", name=re.compile("^Permalink")).click()
    expect(page.locator(".card--focus")).to_contain_text("state actor")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Speakers").click()
    page.get_by_role("link", name="Vinod Khosla").first.click()
    expect(page).to_have_url(re.compile(r"/speakers/vinod-khosla/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Vinod Khosla")

    page.get_by_role("heading", name="The open-source AI debate, March 2024").get_by_role(
        "link"
    ).click()
    expect(page).to_have_url(base + "/debates/open-source-ai/")
    hub = page.get_by_role("navigation", name="This debate")
    hub.get_by_role("link", name="Articles").click()
    page.get_by_role("link", name=re.compile("Grok to Go Open Source")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Grok to Go Open Source")

    hub.get_by_role("link", name="Stance map").click()
    cell = page.locator("table a", has_text="anti-open-source").first
    cell.click()
    expect(page).to_have_url(re.compile(r"/\?speaker=vinod-khosla&proposition=open-source-ai$"))
    expect(page.locator("#results")).to_contain_text("manhattan project")


def test_every_page_is_reached_by_links(page: Page, live_server, seed, problems):
    walk(page, live_server.url)


def test_every_page_is_reached_by_links_without_javascript(browser: Browser, live_server, seed):
    context = browser.new_context(java_script_enabled=False)
    walk(context.new_page(), live_server.url)
    # Chips are plain links too.
    page = context.new_page()
    page.goto(live_server.url + "/debates/open-source-ai/?speaker=vinod-khosla&q=war")
    page.get_by_role("link", name="Remove filter Search: “war”").click()
    expect(page).to_have_url(re.compile(r"/\?speaker=vinod-khosla$"))
    context.close()


def test_filters_chips_and_load_more_work_from_the_keyboard(
    page: Page, live_server, seed, problems
):
    page.goto(live_server.url + "/debates/open-source-ai/")
    box = page.get_by_role("checkbox", name=re.compile("^Vinod Khosla"))
    box.focus()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"/\?speaker=vinod-khosla$"))
    expect(page.locator("#results h1")).to_have_text("Posts by Vinod Khosla")
    expect(box).to_be_focused()  # the swap keeps the reader's place
    outline = box.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none", "a visible focus ring"
    chip = page.get_by_role("link", name="Remove filter Speaker: Vinod Khosla")
    chip.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/debates/open-source-ai/")
    expect(page.locator("#results article.card")).to_have_count(7)
