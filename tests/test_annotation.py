"""Annotating through the admin, as an editor does it: the claim page, its stances inline,
"Save and annotate next", the evidence check, concurrent edits and the history they leave."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils.http import urlencode

from debate.models import Claim, Proposition, ReviewState, Stance, StanceConflict, StanceRevision

from .factories import make_claim, make_post, make_proposition, make_speaker
from .forms import read_form

pytestmark = pytest.mark.django_db

ECONOMIC_WAR = "We are in a tech economic war"


def form_values(html: str, form_id: str = "claim_form") -> dict[str, list[str]]:
    data = read_form(html, form_id)
    assert data, f"no form #{form_id} on the page"
    return data


def loaded_form(client, url: str, form_id: str = "claim_form") -> dict[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    return form_values(response.content.decode(), form_id)


def new_stance(data: dict, proposition: Proposition, **fields: str) -> dict:
    """Fill the blank stance row of a loaded claim form."""
    index = int(data["stances-TOTAL_FORMS"][0]) - 1
    values = {
        "proposition": str(proposition.pk),
        "value": "neutral",
        "confidence": "medium",
        "rationale": "It takes no side.",
        "evidence": "",
        "review_state": "published",
        **fields,
    }
    return {**data, **{f"stances-{index}-{key}": [value] for key, value in values.items()}}


def row_of(data: dict, stance: Stance) -> int:
    return next(
        int(name.split("-")[1])
        for name, values in data.items()
        if name.endswith("-id") and name.startswith("stances-") and values == [str(stance.pk)]
    )


def edit_stance(data: dict, stance: Stance, **fields: str) -> dict:
    index = row_of(data, stance)
    return {**data, **{f"stances-{index}-{key}": [value] for key, value in fields.items()}}


def text(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def user(username: str):
    return get_user_model().objects.get(username=username)


# The accounts are the shared ones (tests/conftest.py), made after the seed debate they edit.
@pytest.fixture
def editor(seed, editor):
    return editor


@pytest.fixture
def other_editor(seed):
    # Named as the history and conflict messages below expect to see her.
    call_command("ensure_editor", "--username", "maria", "--name", "maria", stdout=io.StringIO())
    return user("maria")


@pytest.fixture
def other_reviewer(other_editor):
    """Maria, a Reviewer too: besides its annotator, the one who may change ed's stance."""
    from django.contrib.auth.models import Group

    other_editor.groups.add(Group.objects.get(name="Reviewer"))
    return user("maria")


@pytest.fixture
def reviewer(seed, reviewer):
    return reviewer


@pytest.fixture
def eds_stance(claim, editor) -> Stance:
    """The claim's stance, as ed's own: only its annotator (and reviewers) may change it."""
    Stance.objects.filter(claim=claim).update(annotator=editor)
    return claim.stances.get()


@pytest.fixture
def claim() -> Claim:
    return Claim.objects.get(quote__startswith=ECONOMIC_WAR)


@pytest.fixture
def slant() -> Proposition:
    return Proposition.objects.get(slug="ai-political-slant")


def change_url(claim: Claim, **query: str) -> str:
    url = f"/admin/debate/claim/{claim.pk}/change/"
    return f"{url}?{urlencode(query)}" if query else url


# Adding a stance ------------------------------------------------------------------------------


def test_a_stance_added_on_the_claim_page_records_who_made_it_whatever_the_form_says(
    editor_client, editor, claim, slant
):
    data = new_stance(
        loaded_form(editor_client, change_url(claim)), slant, evidence="tech economic war"
    )
    someone_else = str(user("threadline-seed").pk)  # the seed's annotators, not this editor
    forged = {
        "stances-1-annotator": [someone_else],
        "stances-1-created_by": [someone_else],
        "stances-1-version": ["9"],
    }
    response = editor_client.post(change_url(claim), {**data, **forged})
    assert response.status_code == 302, text(response)[:3000]
    stance = Stance.objects.get(claim=claim, proposition=slant)
    assert stance.annotator == stance.created_by == stance.updated_by == editor
    assert stance.confidence == "medium"
    assert stance.version == 1
    assert stance.rationale_html == "<p>It takes no side.</p>"
    revision = StanceRevision.objects.get(stance=stance)
    assert revision.action == "created" and revision.changed_by == editor
    assert revision.new["value"] == "neutral" and revision.old is None


def test_the_claim_page_shows_each_stance_with_its_provenance(editor_client, claim):
    html = text(editor_client.get(change_url(claim)))
    assert "Threadline editors" in html  # the seed stance, by the seed annotators
    assert "annotator" in html and "version" in html
    assert 'hx-post="/admin/debate/stance/preview/"' in html  # the live preview is wired
    assert "htmx" in html and "admin-threadline/workspace.js" in html
    assert "<script>" not in html  # every script is a file with the CSP nonce


def test_evidence_that_is_not_in_the_source_is_refused_and_nothing_saved(
    editor_client, claim, slant
):
    data = new_stance(
        loaded_form(editor_client, change_url(claim)), slant, evidence="words nobody wrote"
    )
    response = editor_client.post(change_url(claim), data)
    assert response.status_code == 200
    assert "These words do not occur in the claim" in text(response)
    assert not Stance.objects.filter(claim=claim, proposition=slant).exists()
    assert not StanceRevision.objects.exists()


def test_evidence_matches_whatever_the_spacing_and_quote_marks(editor_client, claim, slant):
    data = new_stance(
        loaded_form(editor_client, change_url(claim)), slant, evidence="tech   economic\nwar"
    )
    assert editor_client.post(change_url(claim), data).status_code == 302
    assert Stance.objects.filter(claim=claim, proposition=slant).exists()


def test_a_new_stance_needs_a_confidence(editor_client, claim, slant):
    data = new_stance(loaded_form(editor_client, change_url(claim)), slant, confidence="")
    response = editor_client.post(change_url(claim), data)
    assert response.status_code == 200
    assert "Say how sure you are" in text(response)
    assert not Stance.objects.filter(claim=claim, proposition=slant).exists()


def test_a_second_stance_by_the_same_editor_is_refused_with_a_message(editor_client, claim, slant):
    assert (
        editor_client.post(
            change_url(claim), new_stance(loaded_form(editor_client, change_url(claim)), slant)
        ).status_code
        == 302
    )
    data = new_stance(loaded_form(editor_client, change_url(claim)), slant, value="pro")
    response = editor_client.post(change_url(claim), data)
    assert response.status_code == 200
    assert "You already have a stance on this claim" in text(response)
    assert Stance.objects.filter(claim=claim, proposition=slant).count() == 1


def test_two_editors_each_keep_their_own_stance_on_the_same_claim(
    client, editor, other_editor, claim, slant
):
    for person, value in [(editor, "pro"), (other_editor, "anti")]:
        client.force_login(person)
        data = new_stance(loaded_form(client, change_url(claim)), slant, value=value)
        assert client.post(change_url(claim), data).status_code == 302
    assert dict(
        Stance.objects.filter(claim=claim, proposition=slant).values_list(
            "annotator__username", "value"
        )
    ) == {"ed": "pro", "maria": "anti"}


# Save and annotate next ----------------------------------------------------------------------


def next_button(data: dict, proposition: Proposition, scope: str = "any") -> dict:
    return {
        **data,
        "_annotate_next": ["Save and annotate next"],
        "_next_proposition": [str(proposition.pk)],
        "_next_scope": [scope],
    }


@pytest.fixture
def queue():
    """Three claims by a new speaker, posted on three days, none annotated toward a new
    proposition; created newest first so that the id order is not the date order."""
    import datetime

    speaker = make_speaker(name="Queue Speaker")
    proposition = make_proposition(label="Compute caps")
    claims = {}
    for day in (20, 10, 15):
        post = make_post(speaker, posted_at=datetime.datetime(2024, 4, day, tzinfo=datetime.UTC))
        claims[day] = make_claim(post, summary=f"Said on April {day}.")
    return proposition, claims


def test_save_and_annotate_next_lands_on_the_oldest_claim_without_a_stance(
    editor_client, editor, queue
):
    proposition, claims = queue
    # Every seed claim is older than April: annotate them so that the queue is ours.
    start = claims[10]
    for claim in Claim.objects.exclude(pk__in=[c.pk for c in claims.values()]):
        Stance.objects.create(
            claim=claim, proposition=proposition, value="neutral", rationale="Seed.",
            annotator=editor,
        )  # fmt: skip
    data = new_stance(loaded_form(editor_client, change_url(start)), proposition, value="pro")
    response = editor_client.post(change_url(start), next_button(data, proposition))
    assert response.status_code == 302
    assert response["Location"] == change_url(claims[15], annotate=str(proposition.pk), queue="any")
    assert Stance.objects.filter(claim=start, proposition=proposition, value="pro").exists()

    # The next claim's page comes with the proposition already chosen for the new stance.
    page = editor_client.get(response["Location"])
    values = form_values(text(page))
    blank = int(values["stances-TOTAL_FORMS"][0]) - 1
    assert values[f"stances-{blank}-proposition"] == [str(proposition.pk)]
    assert values["_next_proposition"] == [str(proposition.pk)]
    assert "1 claim</strong> without a stance" in text(page)

    # Skipping a claim (saving it without a stance) moves on rather than bouncing back.
    response = editor_client.post(response["Location"], next_button(values, proposition))
    assert response["Location"].startswith(change_url(claims[20]))
    # From the last one the queue wraps round to the claim skipped.
    values = loaded_form(editor_client, response["Location"])
    response = editor_client.post(response["Location"], next_button(values, proposition))
    assert response["Location"].startswith(change_url(claims[15]))


def test_the_queue_can_be_the_claims_i_have_not_annotated(
    editor_client, editor, other_editor, queue
):
    proposition, claims = queue
    for claim in Claim.objects.exclude(pk__in=[c.pk for c in claims.values()]):
        Stance.objects.create(
            claim=claim, proposition=proposition, value="neutral", rationale="Seed.",
            annotator=editor,
        )  # fmt: skip
    # Maria annotated April 15 already: in "nobody" mode it is skipped, in "mine" it is not.
    Stance.objects.create(
        claim=claims[15], proposition=proposition, value="anti", rationale="No.",
        annotator=other_editor,
    )  # fmt: skip
    data = loaded_form(editor_client, change_url(claims[10]))
    response = editor_client.post(change_url(claims[10]), next_button(data, proposition, "any"))
    assert response["Location"].startswith(change_url(claims[20]))
    response = editor_client.post(change_url(claims[10]), next_button(data, proposition, "mine"))
    assert response["Location"].startswith(change_url(claims[15]))


def test_an_empty_queue_says_so(editor_client, claim):
    proposition = make_proposition(label="Everything done")
    for other in Claim.objects.exclude(pk=claim.pk):
        Stance.objects.create(
            claim=other, proposition=proposition, value="neutral", rationale="Done.",
            annotator=user("ed"),
        )  # fmt: skip
    data = new_stance(loaded_form(editor_client, change_url(claim)), proposition)
    response = editor_client.post(change_url(claim), next_button(data, proposition), follow=True)
    assert response.redirect_chain[-1][0] == "/admin/debate/claim/"
    assert "No claim is left without a stance on “Everything done”." in messages_of(response)


def test_save_and_annotate_next_with_an_invalid_form_saves_nothing(editor_client, claim, slant):
    data = new_stance(
        loaded_form(editor_client, change_url(claim)), slant, evidence="not in the post"
    )
    response = editor_client.post(change_url(claim), next_button(data, slant))
    assert response.status_code == 200
    assert "These words do not occur" in text(response)
    assert not Stance.objects.filter(claim=claim, proposition=slant).exists()


# Review state ---------------------------------------------------------------------------------


def test_an_editor_cannot_mark_a_stance_reviewed_but_a_reviewer_can(
    client, editor, reviewer, claim, slant
):
    client.force_login(editor)
    page = text(client.get(change_url(claim)))
    assert 'value="reviewed"' not in page.split('id="stances-empty"')[0].split("stances-1-")[1]
    data = new_stance(loaded_form(client, change_url(claim)), slant, review_state="reviewed")
    response = client.post(change_url(claim), data)
    assert response.status_code == 200
    assert "Only reviewers can mark a stance reviewed." in text(response)
    assert not Stance.objects.filter(claim=claim, proposition=slant).exists()

    client.force_login(reviewer)
    data = new_stance(loaded_form(client, change_url(claim)), slant, review_state="reviewed")
    assert client.post(change_url(claim), data).status_code == 302
    stance = Stance.objects.get(claim=claim, proposition=slant)
    assert stance.review_state == "reviewed" and stance.reviewed_by == reviewer
    assert stance.reviewed_at is not None


def test_an_editor_changing_a_reviewed_stance_sends_it_back_to_published(
    client, editor, reviewer, eds_stance, claim
):
    stance = eds_stance
    stance.review_state, stance.reviewed_by = ReviewState.REVIEWED, reviewer
    stance.save()
    client.force_login(editor)
    data = edit_stance(loaded_form(client, change_url(claim)), stance, rationale="Reworded.")
    data = edit_stance(data, stance, confidence="high")
    response = client.post(change_url(claim), data, follow=True)
    assert "sent it back to published" in " ".join(messages_of(response))
    stance.refresh_from_db()
    assert stance.rationale == "Reworded."
    assert stance.review_state == "published" and stance.reviewed_by is None


# Two editors at once --------------------------------------------------------------------------


def test_the_second_of_two_concurrent_saves_is_refused_showing_what_changed(
    client, editor, other_reviewer, eds_stance, claim
):
    other_editor, stance = other_reviewer, eds_stance
    original = stance.rationale
    client.force_login(editor)
    eds_form = loaded_form(client, change_url(claim))
    client.force_login(other_editor)
    marias_form = loaded_form(client, change_url(claim))

    # Maria saves first.
    data = edit_stance(marias_form, stance, value="neutral", confidence="low")
    assert client.post(change_url(claim), data).status_code == 302

    # Ed, still on the page he loaded before, saves his own change: refused.
    client.force_login(editor)
    data = edit_stance(eds_form, stance, rationale="Ed's reading.", confidence="high")
    response = client.post(change_url(claim), data)
    assert response.status_code == 200
    page = text(response)
    assert "Someone else saved this stance while you were editing it" in page
    assert "maria changed it on" in page
    assert "– stance: against → neutral" in page and "– confidence: not stated → low" in page
    assert "You both changed the confidence: the form keeps yours." in page
    stance.refresh_from_db()
    assert (stance.value, stance.rationale, stance.updated_by) == (
        "neutral",
        original,
        other_editor,
    )
    assert stance.version == 2

    # The form now holds Maria's stance (Ed left it alone), Ed's rationale and confidence,
    # and the current version: saving again is a deliberate choice, and it goes through.
    again = form_values(page)
    row = row_of(again, stance)
    assert again[f"stances-{row}-version"] == ["2"]
    assert again[f"stances-{row}-value"] == ["neutral"]
    assert again[f"stances-{row}-confidence"] == ["high"]
    assert again[f"stances-{row}-rationale"] == ["Ed's reading."]
    assert client.post(change_url(claim), again).status_code == 302
    stance.refresh_from_db()
    assert (stance.value, stance.confidence, stance.rationale) == (
        "neutral",
        "high",
        "Ed's reading.",
    )
    assert (stance.version, stance.updated_by) == (3, editor)


def test_the_history_on_the_claim_page_records_both_edits(
    client, editor, other_reviewer, eds_stance, claim
):
    other_editor, stance = other_reviewer, eds_stance
    for person, rationale in [(editor, "First edit."), (other_editor, "Second edit.")]:
        client.force_login(person)
        data = edit_stance(
            loaded_form(client, change_url(claim)), stance, rationale=rationale, confidence="high"
        )
        assert client.post(change_url(claim), data).status_code == 302
    revisions = list(StanceRevision.objects.filter(stance=stance).order_by("version"))
    assert [(r.changed_by, r.version) for r in revisions] == [(editor, 2), (other_editor, 3)]
    assert (
        revisions[0].old["rationale"] == stance.rationale
        and revisions[0].new["rationale"] == "First edit."
    )
    assert revisions[1].old["rationale"] == "First edit."

    page = text(client.get(change_url(claim)))
    history = page.split("History of this claim’s stances")[1]
    assert history.index("<strong>maria</strong>") < history.index("<strong>ed</strong>")
    assert "First edit." in history and "Second edit." in history
    assert "(version 3)" in history and "(version 2)" in history


def test_deleting_a_stance_leaves_it_in_the_history(editor_client, editor, eds_stance, claim):
    stance = eds_stance
    data = loaded_form(editor_client, change_url(claim))
    data[f"stances-{row_of(data, stance)}-DELETE"] = ["on"]
    assert editor_client.post(change_url(claim), data).status_code == 302
    assert not Stance.objects.filter(pk=stance.pk).exists()
    revision = StanceRevision.objects.get(stance_number=stance.pk)
    assert revision.action == "deleted" and revision.changed_by == editor
    page = text(editor_client.get(change_url(claim)))
    assert f"deleted stance #{stance.pk}" in page


def test_the_stance_page_refuses_a_stale_save_too(
    client, editor, other_reviewer, eds_stance, claim
):
    other_editor, stance = other_reviewer, eds_stance
    url = f"/admin/debate/stance/{stance.pk}/change/"
    client.force_login(editor)
    eds_form = loaded_form(client, url, "stance_form")
    client.force_login(other_editor)
    data = {**loaded_form(client, url, "stance_form"), "value": ["pro"], "confidence": ["low"]}
    assert client.post(url, data).status_code == 302

    client.force_login(editor)
    data = {**eds_form, "evidence": [""], "confidence": ["high"]}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Someone else saved this stance" in text(response)
    assert "– stance: against → for" in text(response)
    assert "The form now shows their stance, which you had not changed." in text(response)
    stance.refresh_from_db()
    assert stance.value == "pro" and stance.evidence and stance.confidence == "low"
    assert "History of this stance" in text(response)


def test_a_stale_object_cannot_overwrite_a_newer_save():
    claim = make_claim(make_post())
    proposition = make_proposition()
    from .factories import make_stance

    first = make_stance(claim, proposition)
    second = Stance.objects.get(pk=first.pk)
    first.value = "anti"
    first.save()
    second.value = "neutral"
    with pytest.raises(StanceConflict):
        second.save()
    first.refresh_from_db()
    assert (first.value, first.version) == ("anti", 2)


# Readers -------------------------------------------------------------------------------------


def test_a_public_page_hides_draft_stances(editor_client, client, claim, slant):
    data = new_stance(
        loaded_form(editor_client, change_url(claim)), slant, rationale="A draft nobody should read yet.",
        review_state="draft",
    )  # fmt: skip
    assert editor_client.post(change_url(claim), data).status_code == 302
    client.logout()
    post_page = text(client.get(f"/posts/{claim.post_id}/"))
    timeline = text(client.get("/debates/open-source-ai/"))
    assert "tech economic war" in post_page.lower()  # the post itself is there
    assert "A draft nobody should read yet." not in post_page + timeline

    stance = Stance.objects.get(claim=claim, proposition=slant)
    stance.review_state = ReviewState.PUBLISHED
    stance.save()
    assert "A draft nobody should read yet." in text(client.get(f"/posts/{claim.post_id}/"))


def test_a_stance_added_on_its_own_page_records_its_author_and_checks_the_evidence(
    editor_client, editor, claim, slant
):
    form = loaded_form(editor_client, "/admin/debate/stance/add/", "stance_form")
    data = {
        **form,
        "claim": [str(claim.pk)],
        "proposition": [str(slant.pk)],
        "value": ["anti"],
        "confidence": ["low"],
        "rationale": ["Frames AI as a *race*."],
        "evidence": ["nobody wrote this"],
        "review_state": ["draft"],
        "version": ["7"],
    }
    response = editor_client.post("/admin/debate/stance/add/", data)
    assert response.status_code == 200
    assert "These words do not occur in the claim" in text(response)
    assert not Stance.objects.filter(claim=claim, proposition=slant).exists()

    response = editor_client.post(
        "/admin/debate/stance/add/", {**data, "evidence": ["tech  economic war"]}
    )
    assert response.status_code == 302
    stance = Stance.objects.get(claim=claim, proposition=slant)
    assert (stance.annotator, stance.created_by, stance.version) == (editor, editor, 1)
    assert stance.rationale_html == "<p>Frames AI as a <em>race</em>.</p>"
    assert StanceRevision.objects.get(stance=stance).action == "created"


def test_the_claim_page_costs_the_same_however_long_its_history(
    editor_client, editor, eds_stance, claim
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    stance = eds_stance
    with CaptureQueriesContext(connection) as before:
        editor_client.get(change_url(claim))
    from debate.editing.revisions import save_stance

    for n in range(60):
        stance.rationale = f"Rewording number {n}."
        save_stance(stance, editor)
    with CaptureQueriesContext(connection) as after:
        page = text(editor_client.get(change_url(claim)))
    assert len(after) <= len(before)
    assert "Rewording number 59." in page and "Only the latest 50 changes are shown." in page


def test_the_history_fetches_only_the_revisions_it_shows(editor_client, editor, eds_stance, claim):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from debate.editing.history import HISTORY_LIMIT
    from debate.editing.revisions import save_stance

    stance = eds_stance
    for n in range(HISTORY_LIMIT + 10):
        stance.rationale = f"Rewording number {n}."
        save_stance(stance, editor)
    for url in [change_url(claim), f"/admin/debate/stance/{stance.pk}/change/"]:
        with CaptureQueriesContext(connection) as queries:
            page = text(editor_client.get(url))
        history = [q["sql"] for q in queries if 'FROM "debate_stancerevision"' in q["sql"]]
        # One more than it shows, to know there are older ones; never the whole history.
        assert history and all(f"LIMIT {HISTORY_LIMIT + 1}" in sql for sql in history), url
        assert f"Rewording number {HISTORY_LIMIT + 9}." in page
        assert f"Only the latest {HISTORY_LIMIT} changes are shown." in page
