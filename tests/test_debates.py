"""Many debates: each has its own hub, the same people take part in several, and the addresses
of the one-debate site lead to the debate that held them (issue 13)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from debate.models import Article, Debate, Post, Proposition

from .factories import (
    make_claim,
    make_debate,
    make_post,
    make_proposition,
    make_speaker,
    make_stance,
)
from .html import post_ids
from .test_pages import map_cell, page, text_of

pytestmark = pytest.mark.django_db

MARCH = datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC)
SUMMER = datetime.datetime(2024, 8, 1, tzinfo=datetime.UTC)


@pytest.fixture
def two_debates(db):
    """Open source (Ada, Grace) and export controls (Ada, Linus): Ada takes part in both."""
    ada = make_speaker(name="Ada Lovelace", slug="ada", handle="ada")
    grace = make_speaker(name="Grace Hopper", slug="grace", handle="grace")
    linus = make_speaker(name="Linus Torvalds", slug="linus", handle="linus")
    weights = make_debate(
        slug="open-weights",
        title="Open weights, 2024",
        question="Should model weights be published?",
        starts_on=MARCH.date(),
        ends_on=datetime.date(2024, 3, 31),
    )
    chips = make_debate(
        slug="chip-exports",
        title="Chip export controls",
        question="Should AI chips be kept from rivals?",
        starts_on=SUMMER.date(),
    )
    open_models = make_proposition(
        slug="open-models", label="Open models", pro_label="pro-open", anti_label="anti-open",
        debates=[weights],
    )  # fmt: skip
    controls = make_proposition(
        slug="controls", label="Export controls", pro_label="pro-controls",
        anti_label="anti-controls", debates=[chips],
    )  # fmt: skip
    posts = {
        "ada-open": make_post(ada, debate=weights, text="Publish the weights.", posted_at=MARCH),
        "grace-open": make_post(grace, debate=weights, text="Weights are dangerous.",
                                posted_at=MARCH + datetime.timedelta(days=1)),
        "ada-chips": make_post(ada, debate=chips, text="Chips are not secrets.", posted_at=SUMMER),
        "linus-chips": make_post(linus, debate=chips, text="Controls work.",
                                 posted_at=SUMMER + datetime.timedelta(days=1)),
    }  # fmt: skip
    make_stance(make_claim(posts["ada-open"]), open_models, value="pro")
    make_stance(make_claim(posts["grace-open"]), open_models, value="anti")
    make_stance(make_claim(posts["ada-chips"]), controls, value="anti")
    make_stance(make_claim(posts["linus-chips"]), controls, value="pro")
    return {"weights": weights, "chips": chips, "posts": posts}


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def hub(debate: Debate, rest: str = "") -> str:
    return f"/debates/{debate.slug}/{rest}"


def test_each_hub_shows_only_its_own_posts_facets_and_counts(client, two_debates):
    posts = two_debates["posts"]
    weights = page(client, hub(two_debates["weights"]))
    assert post_ids(weights) == [posts["ada-open"].pk, posts["grace-open"].pk]
    assert "<h1" in weights and "Open weights, 2024" in weights
    # The filter form lists this debate's speakers and propositions, with counts from it.
    assert 'id="speaker-ada"' in weights and 'id="speaker-grace"' in weights
    assert 'id="speaker-linus"' not in weights
    assert 'value="open-models"' in weights and 'value="controls"' not in weights
    chips = page(client, hub(two_debates["chips"], "?speaker=ada"))
    assert post_ids(chips) == [posts["ada-chips"].pk]
    assert "Publish the weights." not in chips
    assert "1 post" in text_of(chips)


def test_each_hubs_speakers_map_and_propositions_are_its_own(client, two_debates):
    weights, chips = two_debates["weights"], two_debates["chips"]
    speakers = text_of(page(client, hub(weights, "speakers/")))
    assert "Ada Lovelace" in speakers and "Grace Hopper" in speakers
    assert "Linus Torvalds" not in speakers
    stance_map = page(client, hub(chips, "map/"))
    assert text_of(map_cell(stance_map, "Ada Lovelace", "Export controls")).startswith(
        "Export controls: anti-controls"
    )
    assert "Open models" not in text_of(stance_map) and "Grace Hopper" not in stance_map
    listing = text_of(page(client, hub(chips, "propositions/")))
    assert "Export controls" in listing and "Open models" not in listing
    # A proposition of another debate is not found in this one.
    assert client.get(hub(chips, "propositions/open-models/")).status_code == 404
    assert client.get(hub(weights, "propositions/open-models/")).status_code == 200
    articles = text_of(page(client, hub(chips, "articles/")))
    assert "Posts of Chip export controls" in articles and "Open weights" not in articles


def test_a_shared_proposition_counts_each_debates_stances_on_its_page(client, two_debates):
    weights, chips = two_debates["weights"], two_debates["chips"]
    shared = Proposition.objects.get(slug="open-models")
    shared.debates.add(chips)
    make_stance(make_claim(two_debates["posts"]["linus-chips"]), shared, value="anti")
    in_weights = text_of(page(client, hub(weights, "propositions/open-models/")))
    in_chips = text_of(page(client, hub(chips, "propositions/open-models/")))
    assert "Linus Torvalds" not in in_weights and "Grace Hopper" in in_weights
    assert "Linus Torvalds" in in_chips and "Grace Hopper" not in in_chips


def test_feeds_and_exports_hold_their_debate_alone(client, two_debates):
    posts = two_debates["posts"]
    document = json.loads(body(client.get(hub(two_debates["chips"], "export.json"))))
    assert document["debate"]["title"] == "Chip export controls"
    assert {post["id"] for post in document["posts"]} == {
        posts["ada-chips"].pk,
        posts["linus-chips"].pk,
    }
    feed = client.get(hub(two_debates["weights"], "feed/")).content.decode()
    assert "<title>Threadline: Open weights, 2024</title>" in feed
    assert "Publish the weights." in feed and "Chips are not secrets." not in feed
    csv = client.get(hub(two_debates["chips"], "export.csv"))
    assert "threadline-chip-exports-posts.csv" in csv["Content-Disposition"]
    assert b"Publish the weights." not in body(csv)


def test_the_home_page_lists_every_debate_with_who_stands_where(client, two_debates):
    home = page(client, "/")
    words = text_of(home)
    # Newest period first, each with its question, period and size.
    assert words.index("Chip export controls") < words.index("Open weights, 2024")
    assert "Should AI chips be kept from rivals?" in words
    assert "Mar 2024" in words and "from 1 Aug 2024" in words
    assert "2 posts · 2 speakers · 1 article" in words
    assert "Export controls: pro-controls Linus Torvalds" in words
    assert "Export controls: anti-controls Ada Lovelace" in words
    assert 'href="/debates/chip-exports/"' in home


def test_a_debate_nobody_annotated_says_so(client, db):
    debate = make_debate(title="The pause letter", slug="pause-letter")
    make_post(debate=debate, text="Pause giant experiments.")
    assert "Not yet annotated: no stance is published in this debate yet." in text_of(
        page(client, "/")
    )


def test_a_speaker_page_has_a_section_per_debate(client, two_debates):
    html = page(client, "/speakers/ada/")
    words = text_of(html)
    assert words.index("Chip export controls") < words.index("Open weights, 2024")
    assert 'href="/debates/open-weights/?speaker=ada"' in html
    assert 'href="/debates/chip-exports/?speaker=ada"' in html
    # Each section charts that debate's propositions only.
    assert 'href="/debates/chip-exports/propositions/controls/"' in html
    assert 'href="/debates/open-weights/propositions/open-models/"' in html
    assert 'href="/debates/chip-exports/propositions/open-models/"' not in html
    grace = page(client, "/speakers/grace/")
    assert "Chip export controls" not in grace


def test_a_post_quoted_in_two_debates_is_in_both(client, two_debates):
    post = two_debates["posts"]["ada-open"]
    article = Article.objects.get(debate=two_debates["chips"])
    article.quoted_posts.create(post=post, position=99)
    assert post.pk in post_ids(page(client, hub(two_debates["chips"])))
    assert post.pk in post_ids(page(client, hub(two_debates["weights"])))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/?speaker=marc-andreessen", "/debates/open-source-ai/?speaker=marc-andreessen"),
        ("/?stance=anti&q=war", "/debates/open-source-ai/?stance=anti&q=war"),
        ("/map/", "/debates/open-source-ai/map/"),
        ("/propositions/", "/debates/open-source-ai/propositions/"),
        ("/propositions/open-source-ai/", "/debates/open-source-ai/propositions/open-source-ai/"),
        ("/feed/?speaker=elon-musk", "/debates/open-source-ai/feed/?speaker=elon-musk"),
        ("/export.json", "/debates/open-source-ai/export.json"),
        ("/export.csv?stance=pro", "/debates/open-source-ai/export.csv?stance=pro"),
        ("/export/annotations.jsonld", "/debates/open-source-ai/export/annotations.jsonld"),
        ("/export/aif.json", "/debates/open-source-ai/export/aif.json"),
    ],
)
def test_links_shared_before_there_were_many_debates_still_work(client, seed, old, new):
    make_debate(slug="later", title="A later debate")
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
    assert client.get(new).status_code == 200


def test_the_home_page_without_filters_is_the_list_of_debates(client, seed):
    response = client.get("/")
    assert response.status_code == 200
    assert "The open-source AI debate, March 2024" in text_of(response.content.decode())
    assert client.get("/debates/nothing-here/").status_code == 404


def test_the_seed_is_the_first_debate_and_loading_it_twice_changes_nothing(seed):
    debate = Debate.objects.get()
    assert debate.slug == "open-source-ai" and debate.period == "Mar 2024"
    assert set(debate.articles.values_list("slug", flat=True)) == {"musks-grok-to-go-open-source"}
    assert debate.propositions.count() == Proposition.objects.count()
    assert Post.objects.in_debate(debate).count() == Post.objects.count() == 7
    before = list(Debate.objects.values())
    call_command("loaddata", "seed_debate", verbosity=0)
    assert list(Debate.objects.values()) == before


def grow_debates(n: int) -> None:
    """``n`` more debates, each with two speakers (one shared by all), a post each, a
    proposition and stances."""
    shared = make_speaker(name=f"Everywhere {n}")
    for _ in range(n):
        debate = make_debate()
        proposition = make_proposition(debates=[debate])
        for speaker in (shared, make_speaker()):
            post = make_post(speaker, debate=debate)
            make_stance(make_claim(post), proposition)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/debates/open-weights/",
        "/debates/open-weights/?speaker=ada&stance=pro",
        "/debates/open-weights/speakers/",
        "/debates/open-weights/propositions/",
        "/debates/open-weights/propositions/open-models/",
        "/debates/open-weights/map/",
        "/debates/open-weights/articles/",
        "/speakers/ada/",
        "/speakers/",
    ],
)
def test_pages_cost_the_same_queries_however_many_debates(client, two_debates, settings, url):
    settings.THREADLINE_PAGE_CACHE_DISABLED = True
    few = count_queries(client, url)
    grow_debates(6)
    # Ada joins them all, so her page has a section per debate.
    ada = two_debates["posts"]["ada-open"].speaker
    for debate in Debate.objects.exclude(slug__in=["open-weights", "chip-exports"]):
        make_post(ada, debate=debate)
    assert count_queries(client, url) == few


def test_the_home_page_places_each_speaker_once_on_the_side_most_of_their_claims_take(
    client, two_debates
):
    posts = two_debates["posts"]
    open_models = Proposition.objects.get(slug="open-models")
    make_stance(make_claim(posts["ada-open"], summary="And yet."), open_models, value="anti")
    grace = make_post(posts["grace-open"].speaker, debate=two_debates["weights"])
    make_stance(make_claim(grace), open_models, value="anti")
    words = text_of(page(client, "/"))
    assert "Open models: mixed Ada Lovelace" in words
    assert "Open models: anti-open Grace Hopper" in words
    assert "Open models: pro-open" not in words  # Ada is mixed, not also for
