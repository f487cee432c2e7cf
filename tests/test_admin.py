"""The editors' admin: who gets in and what each role may do, the lists editors work from, the
live preview, the bulk actions and the commands that make accounts."""

import io

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from debate.models import (
    Article,
    ArticlePost,
    Claim,
    Proposition,
    ReviewState,
    Speaker,
    Stance,
    StanceRevision,
)

from .factories import (
    make_article,
    make_claim,
    make_post,
    make_proposition,
    make_speaker,
    make_stance,
    make_user,
    quote_in,
)
from .forms import read_form

pytestmark = pytest.mark.django_db

MODELS = ["article", "speaker", "post", "claim", "proposition", "stance"]
OWN_PAGES = ["/admin/debate/stance/agreement/"]
PREVIEW = "/admin/debate/stance/preview/"


def users(name: str):
    return get_user_model().objects.get(username=name)


# The accounts are the shared ones (tests/conftest.py), made after the seed debate they edit.
@pytest.fixture
def editor(seed, editor):
    return editor


@pytest.fixture
def reviewer(seed, reviewer):
    return reviewer


def text(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# Who gets in ---------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page_and_change_nothing(client, seed):
    for url in [f"/admin/debate/{model}/" for model in MODELS] + OWN_PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/")
    stance = Stance.objects.first()
    for url, data in [
        (PREVIEW, {"rationale": "**x**"}),
        (f"/admin/debate/stance/{stance.pk}/change/", {"value": "neutral"}),
        ("/admin/debate/stance/", {"action": "mark_reviewed", "_selected_action": [stance.pk]}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    stance.refresh_from_db()
    assert (stance.value, stance.review_state, stance.version) == ("pro", "published", 1)


def test_logged_in_readers_without_staff_rights_are_kept_out(client, seed):
    client.force_login(make_user())
    for url in ["/admin/debate/claim/", *OWN_PAGES]:
        assert client.get(url).status_code == 302
    claim = Claim.objects.first()
    response = client.post(f"/admin/debate/claim/{claim.pk}/change/", {"summary": "Changed"})
    assert response.status_code == 302
    assert (
        client.post(PREVIEW, {"rationale": "x"}, HTTP_HX_TRIGGER_NAME="rationale").status_code
        == 302
    )
    claim.refresh_from_db()
    assert claim.summary != "Changed"


def test_staff_without_a_role_see_nothing_of_the_debate(client, seed):
    client.force_login(make_user(is_staff=True))
    assert client.get("/admin/debate/claim/").status_code == 403
    assert client.get("/admin/debate/stance/agreement/").status_code == 403
    response = client.post(PREVIEW, {"rationale": "x"}, HTTP_HX_TRIGGER_NAME="rationale")
    assert response.status_code == 403


@pytest.mark.parametrize("model", ["article", "speaker", "post", "claim", "stance"])
def test_editor_lists_searches_adds_and_changes_the_debate(editor_client, model):
    first = apps.get_model("debate", model)._default_manager.order_by("pk").first()
    assert editor_client.get(f"/admin/debate/{model}/").status_code == 200
    assert editor_client.get(f"/admin/debate/{model}/?q=open").status_code == 200
    assert editor_client.get(f"/admin/debate/{model}/add/").status_code == 200
    assert editor_client.get(f"/admin/debate/{model}/{first.pk}/change/").status_code == 200


PROPOSITION = {
    "label": "Compute caps",
    "slug": "compute-caps",
    "statement": "Training runs above a compute threshold should need a licence",
    "description": "",
    "pro_label": "pro-caps",
    "anti_label": "anti-caps",
}


def test_an_editor_adds_and_changes_propositions(editor_client, editor):
    assert not editor.is_superuser and not editor.has_perm("debate.delete_proposition")
    page = editor_client.get("/admin/debate/proposition/add/")
    assert page.status_code == 200  # it was a bare 403
    for field in ["label", "statement", "pro_label", "anti_label"]:
        assert f'name="{field}"' in text(page)
    response = editor_client.post("/admin/debate/proposition/add/", PROPOSITION)
    assert response.status_code == 302
    made = Proposition.objects.get(slug="compute-caps")
    assert (made.label, made.statement, made.pro_label, made.anti_label) == (
        "Compute caps", PROPOSITION["statement"], "pro-caps", "anti-caps",
    )  # fmt: skip

    url = f"/admin/debate/proposition/{made.pk}/change/"
    data = read_form(text(editor_client.get(url)), "proposition_form")
    assert data["label"] == ["Compute caps"]
    response = editor_client.post(url, {**data, "anti_label": ["against caps"]})
    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.anti_label, made.statement) == ("against caps", PROPOSITION["statement"])


def test_a_proposition_needs_its_statement_label_and_the_words_for_its_sides(editor_client):
    for field in ["label", "statement", "pro_label", "anti_label"]:
        response = editor_client.post("/admin/debate/proposition/add/", {**PROPOSITION, field: ""})
        assert response.status_code == 200 and "This field is required." in text(response)
    assert not Proposition.objects.filter(slug="compute-caps").exists()


@pytest.mark.parametrize(
    ("model", "field", "term", "found"),
    [
        ("stance", "proposition", "open", "Open-source AI"),
        ("claim", "speaker", "vinod", "Vinod Khosla"),
    ],
)
def test_the_autocompletes_answer_in_order(editor_client, model, field, term, found):
    # Their admins count something per row (GROUP BY), which drops the model's ordering: the
    # autocomplete then warned of unordered pages (a 500 under the test settings).
    query = {"app_label": "debate", "model_name": model, "field_name": field, "term": term}
    response = editor_client.get("/admin/autocomplete/", query)
    assert response.status_code == 200
    assert found in [row["text"] for row in response.json()["results"]]


def test_an_editor_cannot_delete_a_proposition_by_any_page(editor_client):
    proposition = make_proposition()
    url = f"/admin/debate/proposition/{proposition.pk}/delete/"
    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    listed = text(editor_client.get("/admin/debate/proposition/"))
    assert "delete_selected" not in listed  # not offered, and refused when asked for anyway
    response = changelist_action(
        editor_client, "proposition", "delete_selected", [proposition.pk], post="yes"
    )
    assert response.status_code == 200
    assert Proposition.objects.filter(pk=proposition.pk).exists()


def test_a_reviewer_deletes_a_proposition_no_stance_takes_a_side_on(reviewer_client, reviewer):
    assert not reviewer.is_superuser
    unused = make_proposition()
    url = f"/admin/debate/proposition/{unused.pk}/delete/"
    assert reviewer_client.get(url).status_code == 200
    assert reviewer_client.post(url, {"post": "yes"}).status_code == 302
    assert not Proposition.objects.filter(pk=unused.pk).exists()
    # One that stances take a side on stays: deleting it would take their judgements away.
    used = Proposition.objects.get(slug="open-source-ai")
    page = reviewer_client.post(f"/admin/debate/proposition/{used.pk}/delete/", {"post": "yes"})
    assert page.status_code == 200 and "protected" in text(page)
    assert Proposition.objects.filter(pk=used.pk).exists()


def test_editors_never_delete_speakers_or_articles_but_may_delete_a_stance(editor_client, editor):
    assert not editor.has_perm("debate.delete_speaker")
    assert not editor.has_perm("debate.delete_article")
    speaker = Speaker.objects.get(slug="elon-musk")
    article = Article.objects.get(slug="musks-grok-to-go-open-source")
    assert editor_client.get(f"/admin/debate/speaker/{speaker.pk}/delete/").status_code == 403
    assert editor_client.get(f"/admin/debate/article/{article.pk}/delete/").status_code == 403
    stance = Stance.objects.first()
    Stance.objects.filter(pk=stance.pk).update(annotator=editor)  # their own: they may
    assert editor_client.get(f"/admin/debate/stance/{stance.pk}/delete/").status_code == 200
    response = editor_client.post(f"/admin/debate/stance/{stance.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert StanceRevision.objects.get(stance_number=stance.pk).action == "deleted"


def test_the_roles_come_from_groups_made_by_a_migration():
    editor, reviewer = Group.objects.get(name="Editor"), Group.objects.get(name="Reviewer")
    editor_perms = set(editor.permissions.values_list("codename", flat=True))
    reviewer_perms = set(reviewer.permissions.values_list("codename", flat=True))
    for model in ["debate", "article", "speaker", "post", "claim", "stance", "proposition"]:
        assert {f"add_{model}", f"change_{model}", f"view_{model}"} <= editor_perms
    assert not {"delete_speaker", "delete_article", "delete_proposition", "delete_debate"} & (
        editor_perms
    )
    assert "review_stance" not in editor_perms
    # Reviewers may also sign stances off and delete propositions and debates (issue 13).
    assert reviewer_perms == editor_perms | {"review_stance", "delete_proposition", "delete_debate"}


def test_ensure_editor_puts_the_account_in_the_editor_group_and_keeps_a_reviewer_one(reviewer):
    call_command("ensure_editor", "--username", "ed", stdout=io.StringIO())
    ed = users("ed")
    assert list(ed.groups.values_list("name", flat=True)) == ["Editor"]
    assert not ed.user_permissions.exists()  # the rights come from the group alone
    assert ed.has_perm("debate.change_stance") and not ed.has_perm("debate.review_stance")
    call_command("ensure_editor", "--username", "rita", stdout=io.StringIO())
    assert users("rita").has_perm("debate.review_stance")


# create_editor ------------------------------------------------------------------------------


def create_editor(*args: str) -> str:
    out = io.StringIO()
    call_command("create_editor", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_create_editor_without_prompt_reads_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("EDITOR_PASSWORD", "correct horse battery staple")
    output = create_editor(
        "maria", "--email", "maria@example.org", "--name", "Maria Rossi", "--noinput"
    )
    assert "Created 'maria': Editor (not a Reviewer)." in output
    assert "correct horse" not in output
    maria = authenticate(
        RequestFactory().post("/admin/login/"),
        username="maria",
        password="correct horse battery staple",
    )
    assert maria is not None and maria.is_staff and not maria.is_superuser
    assert maria.email == "maria@example.org"
    assert maria.has_perm("debate.add_stance") and not maria.has_perm("debate.review_stance")

    # Run again with --reviewer: same account, now a Reviewer; without it, an Editor again.
    monkeypatch.delenv("EDITOR_PASSWORD")
    assert "Updated 'maria': Editor and Reviewer; password unchanged." in create_editor(
        "maria", "--reviewer", "--noinput"
    )
    assert users("maria").has_perm("debate.review_stance")
    create_editor("maria", "--noinput")
    assert not users("maria").has_perm("debate.review_stance")
    assert (
        authenticate(
            RequestFactory().post("/admin/login/"),
            username="maria",
            password="correct horse battery staple",
        )
        is not None
    )


def test_create_editor_asks_for_the_password_twice(monkeypatch):
    answers = iter(
        ["first try passphrase", "a typo", "the chosen passphrase", "the chosen passphrase"]
    )
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    err = io.StringIO()
    call_command(
        "create_editor", "lena", "--email", "lena@example.org", "--name", "Lena Berg",
        stdout=io.StringIO(), stderr=err,
    )  # fmt: skip
    assert "The two passwords differ" in err.getvalue()
    assert (
        authenticate(
            RequestFactory().post("/admin/login/"),
            username="lena",
            password="the chosen passphrase",
        )
        is not None
    )


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["newbie", "--noinput"], "long enough passphrase", "needs an address"),
        (["newbie", "--email", "x@example.org", "--noinput"], "", "set $EDITOR_PASSWORD"),
        (
            ["newbie", "--email", "not-an-address", "--noinput"],
            "long enough passphrase",
            "not an email",
        ),
        (["newbie", "--email", "x@example.org", "--noinput"], "123", "Password refused"),
        (
            ["bad name!", "--email", "x@example.org", "--noinput"],
            "long enough passphrase",
            "Username",
        ),
        (
            ["newbie", "--email", "x@example.org", "--noinput"],
            "long enough passphrase",
            "needs a display name",
        ),
        (
            ["newbie", "--email", "x@example.org", "--name", "  ", "--noinput"],
            "long enough passphrase",
            "needs a display name",
        ),
    ],
)
def test_create_editor_refuses_bad_input_and_creates_nothing(monkeypatch, args, env, message):
    monkeypatch.setenv("EDITOR_PASSWORD", env)
    with pytest.raises(CommandError, match=message.replace("$", r"\$")):
        create_editor(*args)
    assert not get_user_model().objects.exists()


# The lists editors work from ------------------------------------------------------------------


def test_claim_list_shows_speaker_date_excerpt_stance_and_review_state(editor_client):
    html = text(editor_client.get("/admin/debate/claim/"))
    assert "Vinod Khosla" in html
    assert '<td class="field-claim_date nowrap">2 Mar 2024</td>' in html or ">2 Mar 2024<" in html
    assert (
        '<span class="tl-badge tl-badge--anti" title="Open-source AI: 1 annotator says anti-open-source">anti-open-source</span>'
        in html
    )
    assert '<span class="tl-state tl-state--published">1 published</span>' in html
    assert "not yet annotated" not in html.split("<tbody>")[1]
    assert "Agreement and disagreements" in html


def test_claim_list_filters(editor_client):
    def count(query: str) -> str:
        html = text(editor_client.get(f"/admin/debate/claim/?{query}"))
        assert 'class="errornote"' not in html
        return html

    assert "0 claims" in count("annotated=no")
    open_ai = Proposition.objects.get(slug="open-source-ai")
    missing = Claim.objects.exclude(stances__proposition=open_ai).count()
    assert f"{missing} claim" in count(f"annotated=missing-{open_ai.pk}")
    assert "no stance on “Open-source AI”" in count("")
    anti = Claim.objects.filter(stances__value="anti").distinct().count()
    assert f"{anti} claim" in count("stances__value__exact=anti")
    assert "0 claims" in count("stances__review_state__exact=draft")
    # The date drill-down: 2 March 2024.
    on_the_second = Claim.objects.filter(post__posted_at__day=2).count()
    html = count("post__posted_at__year=2024&post__posted_at__month=3&post__posted_at__day=2")
    assert f"{on_the_second} claim" in html and on_the_second > 0
    # Search reaches the post's text, not only the claim's words.
    assert "Vinod Khosla" in count("q=manhattan+project")


def test_claim_list_costs_the_same_queries_however_many_claims(editor_client):
    with CaptureQueriesContext(connection) as before:
        editor_client.get("/admin/debate/claim/")
    proposition = Proposition.objects.first()
    for n in range(8):
        claim = make_claim(make_post(), summary=f"Extra claim {n}.")
        make_stance(claim, proposition, value="pro")
        make_stance(claim, proposition, value="anti")
    with CaptureQueriesContext(connection) as after:
        html = text(editor_client.get("/admin/debate/claim/"))
    assert "Extra claim 7." in html
    assert len(after) <= len(before)


def test_stance_list_costs_the_same_queries_however_many_stances(editor_client):
    with CaptureQueriesContext(connection) as before:
        editor_client.get("/admin/debate/stance/")
    proposition = Proposition.objects.first()
    for n in range(8):
        make_stance(make_claim(make_post(), summary=f"Extra claim {n}."), proposition)
    with CaptureQueriesContext(connection) as after:
        html = text(editor_client.get("/admin/debate/stance/"))
    assert "23 stances" in html
    assert len(after) <= len(before)


def test_the_front_page_leads_to_the_queues(editor_client, client, reviewer):
    html = text(editor_client.get("/admin/"))
    assert "Annotation workspace" in html
    assert "?annotated=no" in html and "/admin/debate/stance/agreement/" in html
    assert "Stances awaiting review" not in html  # an editor cannot act on them
    client.force_login(reviewer)
    assert "Stances awaiting review" in text(client.get("/admin/"))


def test_stance_list_and_its_filters(editor_client):
    html = text(editor_client.get("/admin/debate/stance/"))
    assert (
        '<span class="tl-badge tl-badge--pro">pro-open-source</span> <small class="tl-muted">Open-source AI</small>'
        in html
    )
    assert "Elon Musk: xAI will release Grok" in html
    assert "15 stances" in html
    assert "0 stances" in text(editor_client.get("/admin/debate/stance/?agreement=disputed"))
    assert "annotated_at__year" in html  # the date drill-down


# Live preview --------------------------------------------------------------------------------


def test_the_rationale_preview_renders_markdown_through_the_sanitizer(editor_client):
    response = editor_client.post(
        PREVIEW,
        {"stances-0-rationale": "**Bold** <script>alert(1)</script> [x](javascript:alert(1))"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER_NAME="stances-0-rationale",
    )
    assert response.status_code == 200
    html = text(response)
    assert "<strong>Bold</strong>" in html
    assert "<script" not in html and "javascript:" not in html
    empty = editor_client.post(PREVIEW, {"rationale": ""}, HTTP_HX_TRIGGER_NAME="rationale")
    assert "Nothing to preview yet." in text(empty)


def test_the_preview_refuses_what_it_cannot_use(editor_client):
    assert editor_client.get(PREVIEW).status_code == 405
    assert (
        editor_client.post(PREVIEW, {"summary": "x"}, HTTP_HX_TRIGGER_NAME="summary").status_code
        == 400
    )
    huge = editor_client.post(
        PREVIEW, {"rationale": "x" * 30_000}, HTTP_HX_TRIGGER_NAME="rationale"
    )
    assert "Too long to preview" in text(huge)


# Bulk actions ---------------------------------------------------------------------------------


def changelist_action(client, model: str, action: str, pks: list[int], **extra):
    data = {"action": action, "_selected_action": pks, "index": 0, "select_across": 0, **extra}
    return client.post(f"/admin/debate/{model}/", data, follow=True)


def test_only_reviewers_may_mark_stances_reviewed(editor_client, editor):
    stances = list(Stance.objects.order_by("pk")[:2])
    html = text(editor_client.get("/admin/debate/stance/"))
    assert "mark_reviewed" not in html  # not offered to an editor...
    response = changelist_action(editor_client, "stance", "mark_reviewed", [s.pk for s in stances])
    assert response.status_code == 200  # ...and refused when asked for anyway
    assert not Stance.objects.filter(review_state="reviewed").exists()
    assert not StanceRevision.objects.exists()


def test_the_mark_reviewed_action_refuses_even_when_called_directly(rf, editor):
    from django.contrib.admin.sites import site
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = rf.post("/admin/debate/stance/")
    request.user = editor
    request.session = {}
    request._messages = FallbackStorage(request)
    site.get_model_admin(Stance).mark_reviewed(request, Stance.objects.all())
    assert [str(m) for m in request._messages] == ["Only reviewers can mark stances reviewed."]
    assert not Stance.objects.filter(review_state="reviewed").exists()


def test_a_reviewer_marks_stances_reviewed_and_it_is_recorded(reviewer_client, reviewer):
    stances = list(Stance.objects.order_by("pk")[:3])
    response = changelist_action(
        reviewer_client, "stance", "mark_reviewed", [s.pk for s in stances]
    )
    assert "Marked 3 stances reviewed." in messages_of(response)
    for stance in stances:
        stance.refresh_from_db()
        assert (stance.review_state, stance.reviewed_by, stance.updated_by) == (
            "reviewed", reviewer, reviewer,
        )  # fmt: skip
        assert stance.version == 2
    revision = StanceRevision.objects.get(stance=stances[0])
    assert (revision.old["review_state"], revision.new["review_state"]) == ("published", "reviewed")
    again = changelist_action(reviewer_client, "stance", "mark_reviewed", [stances[0].pk])
    assert "Marked 0 stances reviewed. 1 already were." in messages_of(again)


def test_publishing_drafts_in_bulk(editor_client):
    stances = list(Stance.objects.order_by("pk")[:2])
    Stance.objects.filter(pk=stances[0].pk).update(review_state=ReviewState.DRAFT)
    response = changelist_action(editor_client, "stance", "publish_drafts", [s.pk for s in stances])
    assert "Published 1 draft. Left 1 that were not drafts as they were." in messages_of(response)
    assert not Stance.objects.filter(review_state="draft").exists()


def test_setting_a_stance_on_many_claims_goes_through_a_form(editor_client, editor):
    proposition = make_proposition(
        label="Compute caps", pro_label="pro-caps", anti_label="anti-caps"
    )
    claims = list(Claim.objects.order_by("pk")[:3])
    make_stance(claims[0], proposition, value="anti", annotator=editor)  # already annotated
    pks = [c.pk for c in claims]

    page = changelist_action(editor_client, "claim", "set_stance", pks)
    html = text(page)
    assert "Set a stance on 3 claims" in html
    assert claims[1].summary in html
    assert 'name="rationale"' in html and "hx-post" in html

    incomplete = {"proposition": proposition.pk, "value": "pro", "apply": "1"}
    response = editor_client.post(
        "/admin/debate/claim/", {"action": "set_stance", "_selected_action": pks, **incomplete}
    )
    assert response.status_code == 200 and "This field is required." in text(response)
    assert Stance.objects.filter(proposition=proposition).count() == 1

    data = {
        **incomplete,
        "confidence": "low",
        "rationale": "All *three* argue for caps.",
        "review_state": "draft",
    }
    response = editor_client.post(
        "/admin/debate/claim/",
        {"action": "set_stance", "_selected_action": pks, **data},
        follow=True,
    )
    assert "Added your stance “pro-caps” to 2 claims." in messages_of(response)
    assert any("Left 1 claim alone" in m for m in messages_of(response))
    made = Stance.objects.filter(proposition=proposition, annotator=editor, value="pro")
    assert sorted(made.values_list("claim_id", flat=True)) == pks[1:]
    first = made.first()
    assert (first.review_state, first.confidence, first.created_by) == ("draft", "low", editor)
    assert first.rationale_html == "<p>All <em>three</em> argue for caps.</p>"
    assert StanceRevision.objects.filter(stance__in=made, action="created").count() == 2
    assert Stance.objects.get(claim=claims[0], proposition=proposition).value == "anti"


def test_the_bulk_stance_is_refused_to_those_who_may_not_add_stances(client, seed):
    viewer = make_user(is_staff=True)
    viewer.user_permissions.add(
        *Group.objects.get(name="Editor").permissions.exclude(codename="add_stance")
    )
    client.force_login(viewer)
    claim = Claim.objects.first()
    data = {"proposition": Proposition.objects.first().pk, "value": "pro", "confidence": "low",
            "rationale": "x", "review_state": "published", "apply": "1"}  # fmt: skip
    response = client.post(
        "/admin/debate/claim/", {"action": "set_stance", "_selected_action": [claim.pk], **data}
    )
    assert response.status_code in {200, 302}
    assert Stance.objects.count() == 15


# The article page ----------------------------------------------------------------------------


def article_quoting(count: int) -> Article:
    article = make_article(title=f"An article quoting {count} posts")
    speaker = make_speaker()
    for position in range(1, count + 1):
        quote_in(article, make_post(speaker, text=f"Quoted post {position}."), position)
    return article


def test_the_article_page_costs_the_same_queries_however_many_posts_it_quotes(editor_client):
    # One inline row per quoted post cost 27 queries at 10 posts and 206 at 100.
    captions = {10: "The 10 posts this article quotes", 100: "Posts 1–50 of the 100 this"}
    queries = {}
    for count, caption in captions.items():
        url = f"/admin/debate/article/{article_quoting(count).pk}/change/"
        with CaptureQueriesContext(connection) as captured:
            html = text(editor_client.get(url))
        queries[count] = len(captured)
        assert "Quoted post 1." in html and caption in html
    assert queries[10] == queries[100]
    # The rest a page at a time, each post linking to its own page.
    later = text(editor_client.get(f"{url}?quoted=2"))
    assert "Quoted post 100." in later and "Quoted post 1." not in later
    last = ArticlePost.objects.get(article__title="An article quoting 100 posts", position=100)
    assert f'href="/admin/debate/articlepost/{last.pk}/change/"' in later
    assert f'href="/admin/debate/post/{last.post_id}/change/"' in later


def test_an_article_quoting_250_posts_can_be_saved(editor_client):
    # As an inline, its 250 rows sent more fields than Django accepts: a 400, nothing saved.
    article = article_quoting(250)
    url = f"/admin/debate/article/{article.pk}/change/"
    data = read_form(text(editor_client.get(url)), "article_form")
    data["title"] = ["Renamed"]
    response = editor_client.post(url, data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Renamed"
    assert article.quoted_posts.count() == 250


def test_a_quoted_post_is_moved_on_its_own_page(editor_client):
    article = article_quoting(3)
    quoted = article.quoted_posts.get(position=3)
    url = f"/admin/debate/articlepost/{quoted.pk}/change/"
    data = read_form(text(editor_client.get(url)), "articlepost_form")
    response = editor_client.post(url, {**data, "position": ["2"]})
    assert response.status_code == 200 and "already exists" in text(response)  # taken
    response = editor_client.post(url, {**data, "position": ["7"]})
    assert response.status_code == 302
    quoted.refresh_from_db()
    assert quoted.position == 7
    listed = text(editor_client.get(f"/admin/debate/articlepost/?article__id__exact={article.pk}"))
    assert "3 quoted posts" in listed
