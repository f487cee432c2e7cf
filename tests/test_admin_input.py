"""Hostile or unlucky input to the admin answers clearly (issue 15): ids and parameters written
with digits int() refuses or too large for the database, and a duplicate stance from the stance
add page."""

import pytest

from debate.models import Claim, Proposition, Stance
from debate.text import MAX_ID, parse_id

from .test_annotation import ECONOMIC_WAR, loaded_form, text

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("12", 12),
        ("0", 0),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        (HUGE, None),
        ("²", None),
        ("1²", None),
        ("٣", None),  # a digit int() reads, but no id is written so
        ("-1", None),
        (" 1", None),
        ("", None),
        ("1e3", None),
        (12, 12),
    ],
)
def test_parse_id_reads_only_ascii_digits_within_range(raw, number):
    assert parse_id(raw) == number


# Ids and parameters ---------------------------------------------------------------------------


@pytest.fixture
def superuser_client(seed, admin_client):
    return admin_client


ADMIN_PAGES = ["claim", "stance", "article", "post", "speaker", "proposition", "articlepost"]
BAD_IDS = ["²", "1²", HUGE, str(MAX_ID + 1), "-1"]


def test_an_id_no_row_can_have_is_not_found_on_every_admin_page(superuser_client):
    for model in ADMIN_PAGES:
        for object_id in BAD_IDS:
            for page in ["change", "history", "delete"]:
                url = f"/admin/debate/{model}/{object_id}/{page}/"
                # The admin's "doesn't exist" answer is a redirect to the list.
                assert superuser_client.get(url).status_code in {302, 404}, url


CLAIM_QUERIES = [
    "annotate=²",
    f"annotate={HUGE}",
    "annotated=missing-²",
    f"annotated=missing-{HUGE}",
    "annotated=missing-",
    "annotate=²&queue=mine",
]


def test_unicode_digits_and_huge_numbers_in_claim_parameters_are_ignored(superuser_client):
    claim = Claim.objects.get(quote__startswith=ECONOMIC_WAR)
    for page in ["", "add/", f"{claim.pk}/change/"]:
        for query in CLAIM_QUERIES:
            url = f"/admin/debate/claim/{page}?{query}"
            assert superuser_client.get(url).status_code in {200, 302}, url


@pytest.mark.parametrize("number", [HUGE, str(MAX_ID + 1), str(MAX_ID)])
def test_an_overflowing_post_number_is_not_found(client, seed, number):
    assert client.get(f"/posts/{number}/").status_code == 404


# A duplicate stance from the stance add page ---------------------------------------------------


@pytest.fixture
def editor(seed, editor):
    return editor


def test_a_duplicate_stance_from_the_add_page_is_a_form_error(editor_client, editor):
    claim = Claim.objects.get(quote__startswith=ECONOMIC_WAR)
    proposition = Proposition.objects.get(slug="ai-political-slant")
    form = loaded_form(editor_client, "/admin/debate/stance/add/", "stance_form")
    data = {
        **form,
        "claim": [str(claim.pk)],
        "proposition": [str(proposition.pk)],
        "value": ["anti"],
        "confidence": ["low"],
        "rationale": ["Frames AI as a race."],
        "evidence": [""],
        "review_state": ["draft"],
    }
    assert editor_client.post("/admin/debate/stance/add/", data).status_code == 302
    response = editor_client.post("/admin/debate/stance/add/", {**data, "value": ["pro"]})
    assert response.status_code == 200
    assert "You already have a stance on this claim for this proposition" in text(response)
    assert (
        Stance.objects.filter(claim=claim, proposition=proposition, annotator=editor).count() == 1
    )


def test_moving_a_stance_onto_a_claim_where_its_annotator_has_one_is_a_form_error(
    editor_client, editor
):
    proposition = Proposition.objects.get(slug="ai-political-slant")
    first, second = Claim.objects.filter(post__isnull=False).order_by("pk")[:2]
    mine = [
        Stance.objects.create(
            claim=claim, proposition=proposition, value="pro", rationale="Mine.", annotator=editor
        )
        for claim in (first, second)
    ]
    url = f"/admin/debate/stance/{mine[1].pk}/change/"
    data = {
        **loaded_form(editor_client, url, "stance_form"),
        "claim": [str(first.pk)],
        "confidence": ["low"],
    }
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "You already have a stance on this claim for this proposition" in text(response)
    mine[1].refresh_from_db()
    assert mine[1].claim == second
