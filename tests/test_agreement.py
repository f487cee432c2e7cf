"""Agreement between annotators: the figures on small examples worked out by hand, the stance
readers see when annotators agree or not, and the admin page that lists disagreements."""

from fractions import Fraction

import pytest

from debate.editing.agreement import (
    Rating,
    agreement,
    cohen_kappa,
    find_disagreements,
    fleiss_kappa,
    interpret_kappa,
    pairwise_agreement,
)
from debate.models import Claim, Proposition, Stance
from debate.reading.agreed import DISAGREE_LABEL, agreed_stances

from .factories import make_claim, make_post, make_proposition, make_stance, make_user

# Four claims, three annotators (worked by hand):
#   claim 1: pro pro pro        P1 = (9 - 3) / 6         = 1
#   claim 2: pro pro anti       P2 = (4 + 1 - 3) / 6     = 1/3
#   claim 3: anti anti anti     P3 = 1
#   claim 4: neutral anti pro   P4 = (1 + 1 + 1 - 3) / 6 = 0
#   mean P = 7/12; shares: pro 6/12, anti 5/12, neutral 1/12; Pe = 62/144 = 31/72
#   kappa = (7/12 - 31/72) / (1 - 31/72) = 11/41
HAND = {
    1: ["pro", "pro", "pro"],
    2: ["pro", "pro", "anti"],
    3: ["anti", "anti", "anti"],
    4: ["neutral", "anti", "pro"],
}
HAND_KAPPA = 11 / 41


def hand_ratings() -> list[Rating]:
    return [
        Rating(item, rater, category)
        for item, categories in HAND.items()
        for rater, category in zip(["ann", "bob", "cy"], categories, strict=True)
    ]


def test_fleiss_kappa_on_the_hand_worked_example():
    assert fleiss_kappa(list(HAND.values())) == pytest.approx(HAND_KAPPA)
    assert Fraction(HAND_KAPPA).limit_denominator(100) == Fraction(11, 41)


def test_fleiss_kappa_on_the_textbook_example():
    # Fleiss (1971) as reproduced on Wikipedia: 10 subjects, 14 raters, 5 categories, 0.210.
    table = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]  # fmt: skip
    items = [[str(c) for c, n in enumerate(row) for _ in range(n)] for row in table]
    assert fleiss_kappa(items) == pytest.approx(0.210, abs=0.0005)


def test_fleiss_kappa_leaves_out_single_ratings_and_is_undefined_without_variety():
    assert fleiss_kappa([*HAND.values(), ["pro"]]) == pytest.approx(HAND_KAPPA)
    assert fleiss_kappa([["pro", "pro"], ["pro", "pro"]]) is None
    assert fleiss_kappa([["pro"]]) is None
    assert fleiss_kappa([]) is None


def test_cohen_kappa_on_a_hand_worked_example():
    # 50 claims: both "pro" 20, A pro/B anti 5, A anti/B pro 10, both "anti" 15.
    # po = 35/50 = 0.7; A says pro 25/50, B 30/50; pe = .5*.6 + .5*.4 = 0.5; kappa = 0.4.
    pairs = [("pro", "pro")] * 20 + [("pro", "anti")] * 5 + [("anti", "pro")] * 10
    pairs += [("anti", "anti")] * 15
    assert cohen_kappa(pairs) == pytest.approx(0.4)


def test_cohen_kappa_extremes():
    assert cohen_kappa([("pro", "pro"), ("anti", "anti")]) == 1.0
    assert cohen_kappa([("pro", "anti"), ("anti", "pro")]) == -1.0
    assert cohen_kappa([("pro", "pro"), ("pro", "pro")]) is None  # chance explains it all
    assert cohen_kappa([]) is None


def test_pairs_disagreements_and_summary_for_one_proposition():
    pairs = {(p.rater_a, p.rater_b): p for p in pairwise_agreement(hand_ratings())}
    assert set(pairs) == {("ann", "bob"), ("ann", "cy"), ("bob", "cy")}
    # ann/bob: pro,pro,anti,neutral vs pro,pro,anti,anti: po = 3/4;
    # ann 2 pro, 1 anti, 1 neutral; bob 2 pro, 2 anti: pe = (2*2 + 1*2) / 16 = 3/8; k = 0.6
    assert (pairs["ann", "bob"].items, pairs["ann", "bob"].agreed) == (4, 3)
    assert pairs["ann", "bob"].kappa == pytest.approx(0.6)
    # ann/cy: pro,pro,anti,neutral vs pro,anti,anti,pro: po = 1/2;
    # cy 2 pro, 2 anti: pe = 3/8 again; k = (1/2 - 3/8) / (5/8) = 0.2
    assert pairs["ann", "cy"].kappa == pytest.approx(0.2)

    assert [d.item for d in find_disagreements(hand_ratings())] == [2, 4]
    figure = agreement([*hand_ratings(), Rating(5, "ann", "pro")])
    assert (figure.items, figure.single_items, figure.raters) == (4, 1, 3)
    assert figure.fleiss == pytest.approx(HAND_KAPPA)
    assert figure.observed == pytest.approx(7 / 12)
    assert figure.interpretation == "fair"


def test_kappa_in_words():
    assert [interpret_kappa(k) for k in (None, -0.1, 0.1, 0.3, 0.5, 0.7, 0.9)] == [
        "not defined", "poor", "slight", "fair", "moderate", "substantial", "almost perfect",
    ]  # fmt: skip


# What readers see --------------------------------------------------------------------------


def stance(proposition: Proposition, value: str, annotator: int) -> Stance:
    # Unsaved: agreed_stances works on whatever the caller already loaded.
    return Stance(proposition=proposition, value=value, annotator_id=annotator)


def test_the_agreed_stance_when_annotators_agree_or_not():
    open_ai = Proposition(
        pk=1, label="Open-source AI", pro_label="pro-open", anti_label="anti-open"
    )
    slant = Proposition(pk=2, label="Slant", pro_label="pro-slant", anti_label="anti-slant")
    agreed = agreed_stances(
        [
            stance(open_ai, "pro", 1),
            stance(open_ai, "pro", 2),
            stance(open_ai, "anti", 3),
            stance(slant, "neutral", 1),
        ]
    )
    first, second = agreed
    assert (first.proposition, first.value, first.label) == (open_ai, "pro", "pro-open")
    assert first.disputed and first.annotators == 3
    assert first.summary == "Annotators disagree: 2 say pro-open, 1 says anti-open"
    assert (second.value, second.disputed, second.summary) == (
        "neutral", False, "1 annotator says neutral",
    )  # fmt: skip

    unanimous = agreed_stances([stance(slant, "anti", 1), stance(slant, "anti", 2)])[0]
    assert (unanimous.label, unanimous.disputed) == ("anti-slant", False)
    assert unanimous.summary == "all 2 annotators say anti-slant"

    tie = agreed_stances([stance(slant, "pro", 1), stance(slant, "anti", 2)])[0]
    assert (tie.value, tie.label, tie.disputed) == (None, DISAGREE_LABEL, True)
    assert (tie.badge_value, unanimous.badge_value) == ("disputed", "anti")
    assert agreed_stances([]) == []


# The admin page --------------------------------------------------------------------------


@pytest.fixture
def hand_example(db):
    """The hand-worked example, stored: three annotators, four claims, one proposition."""
    proposition = make_proposition(
        label="Hand example", pro_label="pro-hand", anti_label="anti-hand"
    )
    people = [make_user(username=name) for name in ("ann", "bob", "cy")]
    claims = {item: make_claim(make_post(), summary=f"Claim {item}.") for item in HAND}
    for item, categories in HAND.items():
        for person, value in zip(people, categories, strict=True):
            make_stance(claims[item], proposition, value=value, annotator=person)
    return proposition, claims


def test_the_agreement_page_shows_kappa_and_lists_the_disagreements(editor_client, hand_example):
    proposition, claims = hand_example
    html = editor_client.get("/admin/debate/stance/agreement/").content.decode()
    section = html.split(f"Hand example: “{proposition.statement}”")[1]
    assert f"{HAND_KAPPA:.2f}" in section  # 0.27
    assert "fair" in section
    assert "ann and cy" in section and "0.20" in section
    listed = section.split("Claims where annotators disagree")[1]
    assert "Claim 2." in listed and "Claim 4." in listed
    assert "Claim 1." not in listed and "Claim 3." not in listed
    assert f"/admin/debate/claim/{claims[2].pk}/change/" in listed
    assert 'cy: <span class="tl-badge tl-badge--anti">anti-hand</span>' in listed


def test_drafts_count_only_when_asked(editor_client, hand_example):
    _, claims = hand_example
    Stance.objects.filter(claim=claims[4]).update(review_state="draft")
    html = editor_client.get("/admin/debate/stance/agreement/").content.decode()
    assert "Claim 4." not in html.split("Hand example")[1]
    with_drafts = editor_client.get("/admin/debate/stance/agreement/?drafts=1").content.decode()
    assert "Claim 4." in with_drafts.split("Hand example")[1]


def test_the_agreement_page_costs_the_same_queries_however_many_stances(
    editor_client, hand_example, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        editor_client.get("/admin/debate/stance/agreement/")
    proposition, _ = hand_example
    extra = [make_user() for _ in range(3)]
    for n in range(6):
        claim = make_claim(make_post(), summary=f"More {n}.")
        for person, value in zip(extra, ["pro", "anti", "neutral"], strict=True):
            make_stance(claim, proposition, value=value, annotator=person)
    with django_assert_max_num_queries(len(before)):
        editor_client.get("/admin/debate/stance/agreement/")


def test_the_claim_list_flags_disputed_claims(editor_client, hand_example):
    html = editor_client.get("/admin/debate/claim/?annotated=disputed").content.decode()
    assert "Claim 2." in html and "Claim 4." in html and "Claim 1." not in html
    assert "2 claims" in html
    assert "tl-badge--disputed" in html
    assert Claim.objects.count() > 2
