"""In Chromium, with every payload of tests/xss_payloads.txt in place, no script of theirs runs.

The payloads call xss(), alert(), confirm() or set document.title. Before any page script,
a trap replaces those functions with ones that only record the call; a dialog would be
recorded too. Each page is loaded twice: as served (any payload that reached the page as
markup would also show as a CSP violation, which the ``problems`` listener reports), and
with the CSP switched off in the browser, so that only escaping and sanitizing stand
between the payloads and the page.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from playwright.sync_api import Browser, BrowserContext, Page, expect

from debate.models import Article, ArticlePost, Claim, Post, Proposition, Speaker, Stance

from ..factories import default_debate
from ..test_xss import (
    PAYLOADS,
    build_payload_debate,
    build_payload_propositions,
    fit,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TRAP = """
window.__xss = [];
const record = (how) => function (...args) { window.__xss.push(how + "(" + args.join(",") + ")"); };
window.xss = record("xss");
window.alert = record("alert");
window.confirm = record("confirm");
window.prompt = record("prompt");
"""
TITLE = "XSS"


def build_omnibus() -> list[str]:
    """One speaker, post, claim, stance, proposition and article holding every payload at
    once, so a handful of pages shows them all; returns those pages' paths."""
    every_line = "\n".join(PAYLOADS)
    every_paragraph = "\n\n".join(PAYLOADS)
    speaker = Speaker.objects.create(
        name="Omnibus", slug="omnibus", handle="omnibus", role=fit(Speaker, "role", every_line),
        bio=every_line,
    )  # fmt: skip
    post = Post.objects.create(
        speaker=speaker, handle_shown="omnibus", display_name_shown="Omnibus", text=every_line,
        posted_at=datetime.datetime(2024, 2, 1, tzinfo=datetime.UTC),
    )  # fmt: skip
    proposition = Proposition.objects.create(
        slug="omnibus", label="Omnibus", statement=fit(Proposition, "statement", every_line),
        description=every_paragraph, pro_label="for omnibus", anti_label="against omnibus",
    )  # fmt: skip
    proposition.debates.add(default_debate())
    annotator = get_user_model().objects.create_user(username="omnibus", first_name=PAYLOADS[1])
    claim = Claim.objects.create(
        speaker=speaker, post=post, summary=fit(Claim, "summary", every_line), quote=every_line
    )
    Stance.objects.create(
        claim=claim, proposition=proposition, value="pro", rationale=every_paragraph,
        evidence=every_line, annotator=annotator,
    )  # fmt: skip
    article = Article.objects.create(
        debate=default_debate(),
        title="Omnibus",
        slug="omnibus",
        body=f"{every_line}\n{every_line}\n— Omnibus (@omnibus)",
    )
    ArticlePost.objects.create(article=article, post=post, position=1)
    for p in PAYLOADS:  # each payload also a prose claim of its own, marked in the body
        prose = Claim.objects.create(
            speaker=speaker, article=article, summary=fit(Claim, "summary", p), quote=p
        )
        Stance.objects.create(
            claim=prose, proposition=proposition, value="anti", rationale=p, evidence=p,
            annotator=annotator,
        )  # fmt: skip
    return [
        f"/posts/{post.pk}/",
        "/articles/omnibus/",
        "/speakers/omnibus/",
        "/debates/open-source-ai/propositions/omnibus/",
    ]


@pytest.fixture
def payload_pages(live_server) -> list[str]:
    with transaction.atomic():  # committed once, not row by row: the live server sees it all
        build_payload_debate()
        build_payload_propositions()
        omnibus = build_omnibus()
    debate_pages = [
        "/speakers/",
        "/speakers/xss-speaker-0/",
        "/debates/open-source-ai/propositions/",
        "/debates/open-source-ai/propositions/xss-shared-0/",
        "/debates/open-source-ai/propositions/xss-proposition-1/",
        "/debates/open-source-ai/map/",
        "/articles/xss-article-2/",
        f"/posts/{Post.objects.get(handle_shown='xss3').pk}/",
        "/debates/open-source-ai/feed/",
        "/debates/open-source-ai/export.json",
    ]
    return omnibus + debate_pages


def arm(context: BrowserContext) -> list[str]:
    """Trap every way a payload could announce itself; returns the list of what fired."""
    fired: list[str] = []
    context.add_init_script(TRAP)
    context.on(
        "dialog", lambda dialog: (fired.append(f"dialog: {dialog.message}"), dialog.dismiss())
    )
    return fired


def sprung(page: Page) -> list[str]:
    found = page.evaluate("window.__xss || []")
    title = page.evaluate("document.title")
    return [*found, *([f"title set to {title!r}"] if title == TITLE else [])]


def read_everything(page: Page, base: str, paths: list[str]) -> dict[str, list[str]]:
    """Load the timeline to its end (scrolling loads the later pages through htmx), filter it,
    then open every other page with its claims unfolded; return what fired where."""
    found: dict[str, list[str]] = {}
    page.goto(base + "/debates/open-source-ai/")
    expect(page.locator("#results article.card").first).to_be_visible()
    cards = page.locator("#results article.card")
    for _ in range(10):  # each scroll to the bottom swaps in the next page of posts
        if page.locator("#load-more").count() == 0:
            break
        shown = cards.count()
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        expect(cards).not_to_have_count(shown, timeout=30_000)
        page.wait_for_load_state("networkidle")
    expect(page.locator("#load-more")).to_have_count(0)
    assert cards.count() >= len(PAYLOADS)
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true })")
    found["/debates/open-source-ai/"] = sprung(page)
    page.get_by_role("radio", name="Shared 0").check()  # the results swap in through htmx
    # A page of a hundred payload-laden posts and their facets: give a busy machine time.
    expect(page).to_have_url(
        base + "/debates/open-source-ai/?proposition=xss-shared-0", timeout=30_000
    )
    page.wait_for_load_state("networkidle")
    found["/debates/open-source-ai/?proposition=xss-shared-0"] = sprung(page)
    for path in paths:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true })")
        found[path] = sprung(page)
    return {path: hits for path, hits in found.items() if hits}


def test_no_payload_runs_in_the_browser_as_served(page: Page, live_server, payload_pages, problems):
    fired = arm(page.context)
    # The trap must work: a script of ours calling it is seen.
    page.goto(live_server.url + "/speakers/")
    page.evaluate("xss('check')")
    assert sprung(page) == ["xss(check)"]

    assert read_everything(page, live_server.url, payload_pages) == {}
    assert fired == []
    # `problems` then asserts that no CSP violation, error or failed request was seen.


def test_no_payload_runs_even_with_the_browsers_csp_switched_off(
    browser: Browser, live_server, payload_pages
):
    context = browser.new_context(bypass_csp=True)
    fired = arm(context)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda r: r.url.startswith(live_server.url) or errors.append(r.url))

    hits = read_everything(page, live_server.url, payload_pages)

    context.close()
    assert hits == {}
    assert fired == []
    assert errors == [], "requests away from the site, or script errors"
