"""The editors' admin: behind login, every model listed and searchable, stances on the claim."""

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

from debate.models import Claim, Proposition, Stance

from .factories import make_user

pytestmark = pytest.mark.django_db

MODELS = ["article", "speaker", "post", "claim", "proposition", "stance"]


@pytest.fixture
def editor(seed):
    call_command("ensure_editor", "--username", "ed", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="ed")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_admin_is_behind_login(client, seed):
    for model in MODELS:
        response = client.get(f"/admin/debate/{model}/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_logged_in_reader_without_staff_rights_is_kept_out(client, seed):
    client.force_login(make_user())
    assert client.get("/admin/debate/claim/").status_code == 302


@pytest.mark.parametrize("model", MODELS)
def test_editor_sees_every_model_listed_searchable_and_addable(editor_client, model):
    listing = editor_client.get(f"/admin/debate/{model}/")
    assert listing.status_code == 200
    assert editor_client.get(f"/admin/debate/{model}/?q=open").status_code == 200
    assert editor_client.get(f"/admin/debate/{model}/add/").status_code == 200
    assert editor_client.get(f"/admin/debate/{model}/1/change/").status_code == 200


def test_claim_list_reads_well(editor_client):
    html = editor_client.get("/admin/debate/claim/").content.decode()
    assert "Vinod Khosla" in html
    assert "anti-open-source (published)" in html
    unannotated = editor_client.get("/admin/debate/claim/?annotated=no").content.decode()
    assert "0 claims" in unannotated


def test_editor_cannot_delete_speakers(editor_client, editor):
    assert not editor.has_perm("debate.delete_speaker")
    assert editor_client.get("/admin/debate/speaker/1/delete/").status_code == 403


def stance_form(claim: Claim, proposition: Proposition, **stance) -> dict:
    data = {
        "speaker": claim.speaker_id,
        "summary": claim.summary,
        "post": claim.post_id or "",
        "article": claim.article_id or "",
        "quote": claim.quote,
        "stances-TOTAL_FORMS": "1",
        "stances-INITIAL_FORMS": "0",
        "stances-MIN_NUM_FORMS": "0",
        "stances-MAX_NUM_FORMS": "1000",
        "stances-0-proposition": proposition.pk,
        "stances-0-value": "neutral",
        "stances-0-rationale": "It takes no side.",
        "stances-0-evidence": "",
        "stances-0-review_state": "draft",
    }
    data.update({f"stances-0-{key}": value for key, value in stance.items()})
    return data


def test_editor_adds_a_stance_on_the_claim_page_and_is_recorded_as_annotator(editor_client, editor):
    claim = Claim.objects.get(quote__startswith="We are in a tech economic war")
    proposition = Proposition.objects.get(slug="ai-political-slant")
    response = editor_client.post(
        f"/admin/debate/claim/{claim.pk}/change/",
        stance_form(claim, proposition, evidence="tech economic war", annotator="1"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    stance = Stance.objects.get(claim=claim, proposition=proposition)
    assert stance.annotator == editor  # from the login, whatever the form said
    assert stance.rationale_html == "<p>It takes no side.</p>"


def test_evidence_not_in_the_source_is_refused_and_nothing_saved(editor_client):
    claim = Claim.objects.get(quote__startswith="We are in a tech economic war")
    proposition = Proposition.objects.get(slug="ai-political-slant")
    response = editor_client.post(
        f"/admin/debate/claim/{claim.pk}/change/",
        stance_form(claim, proposition, evidence="words nobody wrote"),
    )
    assert response.status_code == 200
    assert "These words do not occur in the claim" in response.content.decode()
    assert not Stance.objects.filter(claim=claim, proposition=proposition).exists()


def test_a_second_stance_by_the_same_editor_is_refused_with_a_message(editor_client):
    claim = Claim.objects.get(quote__startswith="We are in a tech economic war")
    proposition = Proposition.objects.get(slug="ai-political-slant")
    url = f"/admin/debate/claim/{claim.pk}/change/"
    assert editor_client.post(url, stance_form(claim, proposition)).status_code == 302
    response = editor_client.post(url, stance_form(claim, proposition, value="pro"))
    assert response.status_code == 200
    assert "You already have a stance on this claim" in response.content.decode()
    assert Stance.objects.filter(claim=claim, proposition=proposition).count() == 1


def test_editor_permissions_come_from_the_command(editor):
    perms = set(editor.user_permissions.values_list("codename", flat=True))
    assert {"add_stance", "change_stance", "change_claim", "view_post"} <= perms
    assert not any(codename.startswith("delete_") for codename in perms)
    assert Permission.objects.filter(codename="delete_stance").exists()
