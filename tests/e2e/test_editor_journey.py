"""Editors annotate in the admin; a reviewer reviews; a clashing save is refused."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from debate.models import Claim, Proposition, Stance

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long editor passphrase"  # noqa: S105  (a test account's)


@pytest.fixture
def accounts(monkeypatch, seed, role_groups):
    # role_groups (tests/conftest.py): earlier transactional tests' flushes removed them.
    monkeypatch.setenv("EDITOR_PASSWORD", PASSWORD)
    for name, extra in (("ed", []), ("eve", []), ("rev", ["--reviewer"])):
        call_command(
            "create_editor", name, "--email", f"{name}@example.org", "--name", name.title(),
            "--noinput", *extra,
        )  # fmt: skip


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def new_stance_form(page: Page):
    return (
        page.locator(".inline-related:not(.empty-form)")
        .filter(has=page.locator("textarea[name$='-rationale']:not([name*='__prefix__'])"))
        .last
    )


def test_annotate_with_preview_then_save_and_land_on_the_next_claim(
    page: Page, live_server, accounts, problems
):
    slant = Proposition.objects.get(slug="ai-political-slant")
    queue = list(
        Claim.objects.exclude(stances__proposition=slant)
        .order_by("post__posted_at", "pk")
        .values_list("pk", flat=True)
    )
    log_in(page, live_server.url, "ed")
    page.goto(f"{live_server.url}/admin/debate/claim/?annotated=missing-{slant.pk}")
    expect(page.locator("#result_list")).to_be_visible()
    page.goto(f"{live_server.url}/admin/debate/claim/{queue[0]}/change/")
    page.get_by_label("Proposition", exact=True).last.select_option(str(slant.pk))
    page.get_by_role("button", name="Save and annotate next").click()
    expect(page).to_have_url(re.compile(r"/admin/debate/claim/\d+/change/"))
    first = int(re.search(r"/claim/(\d+)/", page.url).group(1))
    assert first in queue

    form = new_stance_form(page)
    form.get_by_role("radio", name="neutral").check()
    form.get_by_role("radio", name="medium").check()
    form.locator("textarea[name$='-rationale']").fill("It says nothing about **political** slant.")
    expect(form.locator(".tl-preview__body strong")).to_have_text("political")
    page.get_by_role("button", name="Save and annotate next").click()

    expect(page).to_have_url(re.compile(r"/admin/debate/claim/\d+/change/"))
    assert int(re.search(r"/claim/(\d+)/", page.url).group(1)) != first
    stance = Stance.objects.get(claim_id=first, proposition=slant)
    assert stance.annotator.username == "ed"
    assert stance.value == "neutral"
    assert stance.rationale_html == "<p>It says nothing about <strong>political</strong> slant.</p>"


def test_reviewer_marks_reviewed_and_readers_see_it(browser: Browser, live_server, accounts):
    stance = Stance.objects.get(claim__quote__startswith="would you open source the manhattan")
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server.url, "rev")
    page.goto(f"{live_server.url}/admin/debate/stance/")
    page.locator(f"input[name='_selected_action'][value='{stance.pk}']").check()
    page.locator("select[name='action']").select_option("mark_reviewed")
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".messagelist")).to_contain_text("review")
    context.close()

    reader = browser.new_context().new_page()
    reader.goto(f"{live_server.url}/posts/{stance.claim.post_id}/")
    reader.locator(f"#post-{stance.claim.post_id} details.claims summary").click()
    expect(reader.locator(f"#stance-{stance.pk}")).to_contain_text("reviewed")


def test_the_second_of_two_clashing_saves_is_refused(browser: Browser, live_server, accounts):
    stance = Stance.objects.get(claim__quote__startswith="would you open source the manhattan")
    # Ed's own stance, and a reviewer: the only two kinds of account that may change it.
    Stance.objects.filter(pk=stance.pk).update(
        annotator=get_user_model().objects.get(username="ed")
    )
    url = f"{live_server.url}/admin/debate/stance/{stance.pk}/change/"
    pages = []
    for name in ("ed", "rev"):
        page = browser.new_context().new_page()
        log_in(page, live_server.url, name)
        page.goto(url)
        pages.append(page)
    first, second = pages
    for page in pages:  # old stances carry no confidence; an edit must give one
        page.get_by_role("radio", name="high").check()
    first.locator("textarea[name='rationale']").fill("First editor's reason.")
    first.get_by_role("button", name="Save", exact=True).click()
    expect(first.locator(".messagelist")).to_contain_text("changed successfully")

    second.locator("textarea[name='rationale']").fill("Second editor's reason.")
    second.get_by_role("button", name="Save", exact=True).click()
    expect(second.locator(".errornote, .errorlist").first).to_be_visible()
    expect(
        second.get_by_text("Someone else saved this stance while you were editing it")
    ).to_be_visible()
    stance.refresh_from_db()
    assert stance.rationale == "First editor's reason."
