"""A reviewer's sign-off covers the words they reviewed (issue 15): moving a stance to another
claim, or changing the claim under it, voids the review and is recorded in the stance's
history; another annotator's stance is theirs (only they and reviewers change or delete it);
and deleting a claim keeps its stances' history."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from debate.editing.claims import delete_claims
from debate.editing.revisions import delete_stances, save_stance
from debate.models import Claim, ReviewState, Stance, StanceRevision

from .test_annotation import ECONOMIC_WAR, change_url, edit_stance, loaded_form, messages_of, text

pytestmark = pytest.mark.django_db


# The shared accounts, made after the seed debate they edit (as in test_annotation).
@pytest.fixture
def editor(seed, editor):
    return editor


@pytest.fixture
def reviewer(seed, reviewer):
    return reviewer


@pytest.fixture
def claim(seed) -> Claim:
    return Claim.objects.get(quote__startswith=ECONOMIC_WAR)


@pytest.fixture
def other_claim(claim) -> Claim:
    return Claim.objects.filter(post__isnull=False).exclude(pk=claim.pk).order_by("pk").first()


def reviewed(stance: Stance, reviewer, annotator=None) -> Stance:
    """The stance, reviewed by ``reviewer`` (and judged by ``annotator`` when given)."""
    fields = {"review_state": ReviewState.REVIEWED, "reviewed_by": reviewer}
    if annotator is not None:
        fields["annotator"] = annotator
    Stance.objects.filter(pk=stance.pk).update(**fields)
    return Stance.objects.get(pk=stance.pk)


def stance_url(stance: Stance) -> str:
    return f"/admin/debate/stance/{stance.pk}/change/"


# Moving a stance, changing its claim ---------------------------------------------------------


def test_moving_a_reviewed_stance_to_another_claim_voids_the_review_and_is_recorded(
    client, editor, reviewer, claim, other_claim
):
    stance = reviewed(claim.stances.get(), reviewer, annotator=editor)
    client.force_login(editor)
    data = {
        **loaded_form(client, stance_url(stance), "stance_form"),
        "claim": [str(other_claim.pk)],
        "evidence": [""],
        "confidence": ["medium"],  # seed stances predate it; a changed form asks for it
    }
    response = client.post(stance_url(stance), data, follow=True)
    assert response.status_code == 200
    assert "sent it back to published" in " ".join(messages_of(response))
    stance.refresh_from_db()
    assert stance.claim == other_claim
    assert (stance.review_state, stance.reviewed_by, stance.reviewed_at) == (
        "published",
        None,
        None,
    )
    revision = StanceRevision.objects.filter(stance=stance).latest("version")
    assert revision.changed_by == editor and revision.version == stance.version
    assert revision.old["claim"].endswith(claim.summary)
    assert revision.new["claim"].endswith(other_claim.summary)
    assert (revision.old["review_state"], revision.new["review_state"]) == ("reviewed", "published")
    history = text(client.get(stance_url(stance)))
    assert "claim’s quote" in history or "claim&#x27;s quote" in history


@pytest.mark.parametrize(
    ("field", "value"),
    [("summary", "A different assertion altogether."), ("quote", "tech economic war")],
)
def test_rewriting_the_claim_under_a_reviewed_stance_voids_the_review_and_is_recorded(
    client, editor, reviewer, claim, field, value
):
    stance = reviewed(claim.stances.get(), reviewer)  # the seed annotator's: the claim is no one's
    client.force_login(editor)
    data = {**loaded_form(client, change_url(claim)), field: [value]}
    response = client.post(change_url(claim), data, follow=True)
    assert response.status_code == 200, text(response)[:2000]
    assert "review of 1 stance on it was voided" in " ".join(messages_of(response))
    stance.refresh_from_db()
    assert (stance.review_state, stance.reviewed_by, stance.reviewed_at) == (
        "published",
        None,
        None,
    )
    assert stance.updated_by == editor and stance.version == 2
    revision = StanceRevision.objects.get(stance=stance)
    assert revision.action == "changed" and revision.changed_by == editor
    key = "claim" if field == "summary" else "quote"
    assert revision.new[key].endswith(value) and not revision.old[key].endswith(value)
    history = text(client.get(change_url(claim))).split("History of this claim’s stances")[1]
    assert value in history and "reviewed" in history


def test_saving_a_claim_and_its_stance_together_records_both(client, editor, claim):
    stance = Stance.objects.get(pk=claim.stances.get().pk)
    Stance.objects.filter(pk=stance.pk).update(annotator=editor)
    client.force_login(editor)
    data = edit_stance(loaded_form(client, change_url(claim)), stance, rationale="Reread.")
    data = edit_stance(data, stance, confidence="high")
    data["summary"] = ["Reworded summary."]
    assert client.post(change_url(claim), data).status_code == 302
    versions = list(
        StanceRevision.objects.filter(stance=stance).order_by("version").values_list("version")
    )
    assert versions == [(2,), (3,)]
    stance.refresh_from_db()
    assert stance.rationale == "Reread." and stance.version == 3


def test_a_claim_saved_unchanged_leaves_its_stances_alone(client, editor, reviewer, claim):
    stance = reviewed(claim.stances.get(), reviewer)
    client.force_login(editor)
    assert client.post(change_url(claim), loaded_form(client, change_url(claim))).status_code == 302
    stance.refresh_from_db()
    assert stance.review_state == "reviewed" and stance.version == 1
    assert not StanceRevision.objects.filter(stance=stance).exists()


# Another annotator's stance ------------------------------------------------------------------


def test_an_editor_cannot_rewrite_another_annotators_stance_on_the_claim_page(
    client, editor, claim
):
    stance = claim.stances.get()  # the seed annotator's
    client.force_login(editor)
    data = edit_stance(loaded_form(client, change_url(claim)), stance, rationale="Mine now.")
    data = edit_stance(data, stance, confidence="high")
    response = client.post(change_url(claim), data)
    assert response.status_code == 200
    assert "only its annotator and reviewers may change or delete it" in text(response)
    stance.refresh_from_db()
    assert stance.rationale != "Mine now." and stance.version == 1

    data = loaded_form(client, change_url(claim))
    row = next(k for k, v in data.items() if k.endswith("-id") and v == [str(stance.pk)])
    data[row.replace("-id", "-DELETE")] = ["on"]
    response = client.post(change_url(claim), data)
    assert response.status_code == 200
    assert "only its annotator and reviewers may change or delete it" in text(response)
    assert Stance.objects.filter(pk=stance.pk).exists()


def test_an_editor_sees_another_annotators_stance_read_only_and_cannot_post_to_it(
    client, editor, claim
):
    stance = claim.stances.get()
    client.force_login(editor)
    page = client.get(stance_url(stance))
    assert page.status_code == 200 and 'name="rationale"' not in text(page)
    data = {"claim": [str(claim.pk)], "rationale": ["Mine now."], "value": ["pro"]}
    assert client.post(stance_url(stance), data).status_code == 403
    delete = f"/admin/debate/stance/{stance.pk}/delete/"
    assert client.post(delete, {"post": "yes"}).status_code == 403
    stance.refresh_from_db()
    assert stance.rationale != "Mine now."


def test_the_rule_holds_below_the_admin(editor, reviewer, claim):
    stance = claim.stances.get()
    stance.rationale = "Mine now."
    with pytest.raises(PermissionDenied):
        save_stance(stance, editor)
    with pytest.raises(PermissionDenied):
        delete_stances([Stance.objects.get(pk=stance.pk)], editor)
    with pytest.raises(PermissionDenied):
        delete_claims([claim], editor)
    assert Stance.objects.filter(pk=stance.pk, version=1).exists()
    # A reviewer may; the stance stays its annotator's.
    annotator = stance.annotator
    result = save_stance(stance, reviewer)
    assert result.stance.annotator == annotator and result.stance.updated_by == reviewer


def test_a_reviewer_may_change_another_annotators_stance(client, reviewer, claim):
    stance = claim.stances.get()
    client.force_login(reviewer)
    data = edit_stance(loaded_form(client, change_url(claim)), stance, rationale="Corrected.")
    data = edit_stance(data, stance, confidence="high")
    assert client.post(change_url(claim), data).status_code == 302
    stance.refresh_from_db()
    assert stance.rationale == "Corrected." and stance.updated_by == reviewer
    assert stance.annotator.username == "threadline-seed"


# Deleting a claim keeps the history ----------------------------------------------------------


def history_kept(claim: Claim, stance_pks: list[int], by) -> None:
    assert not Claim.objects.filter(pk=claim.pk).exists()
    assert not Stance.objects.filter(pk__in=stance_pks).exists()
    for pk in stance_pks:
        revisions = StanceRevision.objects.filter(stance_number=pk)
        deleted = revisions.get(action="deleted")
        assert deleted.changed_by == by and deleted.claim_id is None
        assert deleted.old["claim"].endswith(claim.summary) and deleted.old["quote"] == claim.quote
        assert revisions.filter(action="changed").exists()  # the edits before it, too


def edited(claim: Claim, user) -> list[int]:
    pks = []
    for stance in claim.stances.all():
        stance.rationale = "Edited once, so there is history."
        save_stance(stance, user)
        pks.append(stance.pk)
    return pks


def test_deleting_a_claim_keeps_its_stances_history(client, reviewer, claim):
    pks = edited(claim, reviewer)
    client.force_login(reviewer)
    url = f"/admin/debate/claim/{claim.pk}/delete/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"post": "yes"}).status_code == 302
    history_kept(claim, pks, reviewer)


def test_deleting_claims_in_bulk_keeps_their_stances_history(client, reviewer, claim):
    pks = edited(claim, reviewer)
    client.force_login(reviewer)
    data = {"action": "delete_selected", "_selected_action": [claim.pk], "post": "yes"}
    assert client.post("/admin/debate/claim/", data).status_code == 302
    history_kept(claim, pks, reviewer)


def test_an_editor_cannot_delete_a_claim_carrying_another_annotators_stance(client, editor, claim):
    client.force_login(editor)
    assert (
        client.post(f"/admin/debate/claim/{claim.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    data = {"action": "delete_selected", "_selected_action": [claim.pk], "post": "yes"}
    assert client.post("/admin/debate/claim/", data).status_code == 403
    assert Claim.objects.filter(pk=claim.pk).exists() and claim.stances.exists()


def test_an_editor_deletes_a_claim_carrying_only_their_own_stances(client, editor, claim):
    Stance.objects.filter(claim=claim).update(annotator=editor)
    pks = edited(claim, editor)
    client.force_login(editor)
    assert (
        client.post(f"/admin/debate/claim/{claim.pk}/delete/", {"post": "yes"}).status_code == 302
    )
    history_kept(claim, pks, get_user_model().objects.get(username="ed"))
