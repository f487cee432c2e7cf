"""From imported post to published stance, in a browser: an Editor opens "Annotate next" from
the admin's front page, selects words of the post for the quote and for a stance's evidence,
and saves; the next post's form opens. Without JavaScript the quote is a plain text box."""

import datetime
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from debate.models import Claim, Post, Speaker

from .test_editor_journey import PASSWORD, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FIRST = (
    "Open-sourcing frontier models is like publishing the blueprints of a weapon. The "
    "benefits to a few researchers do not outweigh the risk."
)


@pytest.fixture
def queue(monkeypatch, seed, role_groups):
    """Ed, an Editor (not a superuser), and two imported posts without a claim: a post and,
    a day later, the reply to it. Every seed post has a claim already."""
    monkeypatch.setenv("EDITOR_PASSWORD", PASSWORD)
    call_command("create_editor", "ed", "--email", "ed@example.org", "--name", "Ed", "--noinput")
    vinod, marc = (
        Speaker.objects.get(slug="vinod-khosla"),
        Speaker.objects.get(slug="marc-andreessen"),
    )
    when = datetime.datetime(2024, 3, 12, 15, tzinfo=datetime.UTC)
    first = Post.objects.create(speaker=vinod, handle_shown="vkhosla", text=FIRST,
                                display_name_shown="Vinod Khosla", posted_at=when)  # fmt: skip
    reply = Post.objects.create(
        speaker=marc, handle_shown="pmarca", display_name_shown="Marc Andreessen",
        text="Open source is how software got safe.", posted_at=when + datetime.timedelta(days=1),
        in_reply_to=first, reply_basis="explicit",
    )  # fmt: skip
    return first, reply


def select_words(page: Page, words: str) -> None:
    """Drag the mouse across ``words`` in the post, as an editor selects them."""
    source = page.locator("[data-quote-source]")
    source.scroll_into_view_if_needed()
    box = source.evaluate(
        """(element, words) => {
            const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(words);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + words.length);
                const rects = range.getClientRects();
                const first = rects[0], last = rects[rects.length - 1];
                return [first.left + 1, first.top + first.height / 2,
                        last.right - 1, last.top + last.height / 2];
            }
            return null;
        }""",
        words,
    )
    assert box, f"{words!r} is not in the post"
    x1, y1, x2, y2 = box
    page.mouse.move(x1, y1)
    page.mouse.down()
    page.mouse.move(x2, y2, steps=8)
    page.mouse.up()


def test_an_editor_selects_the_quote_and_the_evidence_in_the_post(
    page: Page, live_server, queue, problems
):
    first, reply = queue
    log_in(page, live_server.url, "ed")
    expect(page.get_by_text("2 posts", exact=True)).to_be_visible()
    page.get_by_role("link", name="Annotate next").click()
    expect(page).to_have_url(re.compile(rf"/admin/debate/claim/add/\?post={first.pk}$"))
    expect(page.locator(".tl-thread")).to_contain_text("Open source is how software got safe.")

    quote = page.get_by_label("Quote")
    select_words(page, "ublishing the blueprints of a weap")  # stops inside words: widened
    expect(quote).to_have_value("publishing the blueprints of a weapon")
    expect(page.get_by_role("status")).to_contain_text("into the quote")

    stance = page.locator(".inline-related:not(.empty-form)").first
    evidence = stance.locator("textarea[name$='-evidence']")
    evidence.click()
    expect(page.locator("[data-pick-target]")).to_have_text("the evidence of stance 1")
    select_words(page, "do not outweigh the risk")
    expect(evidence).to_have_value("do not outweigh the risk")
    expect(quote).to_have_value("publishing the blueprints of a weapon")  # left alone

    page.get_by_label("Summary").fill("Open weights are as dangerous as weapon blueprints.")
    stance.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill("Open-source")
    page.locator(".select2-results__option", has_text="Open-source AI").click()
    stance.get_by_role("radio", name="against").check()
    stance.get_by_role("radio", name="high").check()
    stance.locator("textarea[name$='-rationale']").fill("He likens open weights to weapons.")
    page.get_by_role("button", name="Save and annotate next post").click()

    expect(page).to_have_url(re.compile(rf"/admin/debate/claim/add/\?post={reply.pk}$"))
    expect(page.locator(".messagelist")).to_contain_text("Saved the claim")
    claim = Claim.objects.get(post=first)
    assert claim.quote == "publishing the blueprints of a weapon"
    stance = claim.stances.get()
    assert (stance.evidence, stance.value, stance.annotator.username) == (
        "do not outweigh the risk", "anti", "ed",
    )  # fmt: skip


def test_without_javascript_the_quote_is_typed(browser: Browser, live_server, queue):
    first, _ = queue
    page = browser.new_context(java_script_enabled=False).new_page()
    log_in(page, live_server.url, "ed")
    page.goto(f"{live_server.url}/admin/debate/claim/add/?post={first.pk}")
    expect(page.locator("[data-quote-picker]")).to_be_hidden()
    page.get_by_label("Summary").fill("Weapon blueprints.")
    page.get_by_label("Quote").fill("the blueprints of a rocket")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text("These words do not occur in the post")
    assert not Claim.objects.filter(post=first).exists()
    page.get_by_label("Quote").fill("the blueprints of a weapon")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert Claim.objects.get(post=first).quote == "the blueprints of a weapon"
