"""How a reader tells things apart: which proposition a badge is about, a post nobody has
annotated yet from one that takes no side, and one speaker from another (colour, handle)."""

import collections
import json
import os
import re
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from debate.models import Post, Proposition, Speaker
from debate.models.sources import SPEAKER_HUES
from debate.reading.names import alike, folded
from debate.versioning import bump

from .factories import make_claim, make_post, make_proposition, make_speaker, make_stance
from .html import badges
from .public_urls import PAGES, concrete

ROOT = Path(__file__).resolve().parent.parent
STYLESHEET = ROOT / "static" / "css" / "threadline.css"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def card(html: str, post: Post) -> str:
    start = html.index(f'id="post-{post.pk}"')
    return html[start : html.index("</article>", start)]


def without_filter_form(html: str) -> str:
    """The page without the timeline's filter form, whose stance choices are choices (for,
    against, neutral, under a legend naming the proposition), not any post's stance."""
    return re.sub(r'<form id="filters".*?</form>', "", html, flags=re.S)


# Stance badges name their proposition


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_every_stance_badge_on_public_pages_names_its_proposition_in_visible_text(
    client, seed, url
):
    labels = list(Proposition.objects.values_list("label", flat=True))
    shown = badges(without_filter_form(page(client, concrete(url))), visible=True)
    # The propositions' list counts claims, in a list; the articles' list shows no stance.
    listed = ("/debates/open-source-ai/propositions/", "/debates/open-source-ai/articles/")
    assert shown or url in listed, url
    for text in shown:
        assert any(text.startswith(f"{label}: ") for label in labels), (url, text)


@pytest.mark.django_db
def test_a_neutral_stance_reads_neutral_on_its_proposition_everywhere(client, seed):
    proposition = Proposition.objects.get(slug="ai-political-slant")
    speaker = Speaker.objects.get(slug="vinod-khosla")
    post = make_post(speaker, text="Chatbots lean whichever way their makers lean, or not.")
    make_stance(make_claim(post=post), proposition, value="neutral")
    expected = "Political slant in AI: neutral"
    assert expected in badges(card(page(client, "/debates/open-source-ai/"), post), visible=True)
    assert expected in badges(page(client, f"/posts/{post.pk}/"), visible=True)
    assert f"{expected} (1 claim)" in badges(page(client, "/debates/open-source-ai/map/"))
    assert f"{expected} (1 claim)" in badges(page(client, "/speakers/"))
    assert expected in badges(
        page(client, "/debates/open-source-ai/propositions/ai-political-slant/")
    )
    # Never a bare "neutral" whose subject is only in a tooltip.
    for url in (
        "/debates/open-source-ai/",
        f"/posts/{post.pk}/",
        "/debates/open-source-ai/map/",
        "/speakers/vinod-khosla/",
    ):
        assert "neutral" not in badges(without_filter_form(page(client, url)), visible=True)


@pytest.mark.django_db
def test_a_cards_badge_says_for_against_in_the_propositions_words(client, seed):
    html = page(client, "/debates/open-source-ai/")
    shown = badges(without_filter_form(html), visible=True)
    assert "Open-source AI: anti-open-source" in shown
    assert "Open-source AI: pro-open-source" in shown
    assert "OpenAI's founding mission: says OpenAI strayed" in shown
    # The statement is there for a pointer too, never instead of the words.
    assert 'title="1 annotator says anti-open-source, on “AI models should be released' in html


# Not yet annotated


@pytest.mark.django_db
def test_a_post_without_a_public_stance_says_not_yet_annotated_and_a_neutral_one_does_not(
    client, seed
):
    proposition = Proposition.objects.get(slug="open-source-ai")
    speaker = Speaker.objects.get(slug="elon-musk")
    bare = make_post(speaker, text="Nobody has annotated this yet.")
    unjudged = make_post(speaker, text="A claim without a stance.")
    make_claim(post=unjudged, summary="Has a claim, no stance.")
    drafted = make_post(speaker, text="Only a draft stance so far.")
    make_stance(make_claim(post=drafted), proposition, value="pro", review_state="draft")
    neutral = make_post(speaker, text="Takes no side on it.")
    make_stance(make_claim(post=neutral), proposition, value="neutral")
    timeline = page(client, "/debates/open-source-ai/")
    for post in (bare, unjudged, drafted):
        assert "Not yet annotated" in card(timeline, post), post.text
        permalink = page(client, f"/posts/{post.pk}/")
        assert "Not yet annotated" in card(permalink, post)
        head = permalink.split('<header class="page-head">')[1].split("</header>")[0]
        assert "<strong>Not yet annotated:</strong> no editor has published a stance" in head
    assert "Not yet annotated" not in card(timeline, neutral)
    assert "Not yet annotated" not in page(client, f"/posts/{neutral.pk}/")
    assert "Open-source AI: neutral" in badges(card(timeline, neutral), visible=True)
    # Every seed post is annotated.
    seed_posts = Post.objects.exclude(pk__in=[bare.pk, unjudged.pk, drafted.pk, neutral.pk])
    assert all("Not yet annotated" not in card(timeline, post) for post in seed_posts)


# Speakers' colours


def test_a_speakers_hue_is_the_crc32_of_the_slug_modulo_the_palette():
    for slug in ("ada-lovelace", "charles-babbage", "grace-hopper", "synthetic-17"):
        assert Speaker(slug=slug).hue == zlib.crc32(slug.encode("utf-8")) % SPEAKER_HUES
    assert SPEAKER_HUES == 24


def test_a_speakers_hue_is_the_same_in_every_process_whatever_the_hash_seed():
    slugs = ["ada-lovelace", "charles-babbage", "élodie-martin"]
    script = (
        "import django, json, sys; django.setup();"
        "from debate.models import Speaker;"
        "print(json.dumps([Speaker(slug=s).hue for s in sys.argv[1:]]))"
    )
    expected = [zlib.crc32(slug.encode("utf-8")) % SPEAKER_HUES for slug in slugs]
    for seed in ("1", "2"):
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
        }
        done = subprocess.run(  # noqa: S603  (our own interpreter and script)
            [sys.executable, "-c", script, *slugs],
            cwd=ROOT, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert json.loads(done.stdout) == expected


def test_sixty_speakers_spread_over_many_hues():
    # As generate_debate names them, and as people's names slugify.
    for slugs in (
        [f"synthetic-{n}" for n in range(1, 61)],
        [f"speaker-{first}-{last}" for first in "abcdefghij" for last in "uvwxyz"],
    ):
        hues = collections.Counter(Speaker(slug=slug).hue for slug in slugs)
        assert set(hues) <= set(range(SPEAKER_HUES))
        assert len(hues) >= 18, hues  # of 24
        assert max(hues.values()) <= 6, hues


def palette() -> dict[int, str]:
    css = STYLESHEET.read_text()
    rules = re.findall(r'\[data-hue="(\d+)"\]\s*\{\s*--speaker:\s*(#[0-9a-f]{6});\s*\}', css)
    return {int(n): colour for n, colour in rules}


def contrast(one: str, other: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted([luminance(one), luminance(other)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_stylesheet_defines_every_hue_with_white_text_readable_on_it():
    colours = palette()
    assert sorted(colours) == list(range(SPEAKER_HUES))
    assert len(set(colours.values())) == SPEAKER_HUES
    for n, colour in colours.items():
        assert contrast(colour, "#ffffff") >= 4.5, (n, colour)  # WCAG AA, the initials
        for page_colour in ("#ffffff", "#f6f4ef"):  # cards and the page: an avatar stands out
            assert contrast(colour, page_colour) >= 3, (n, colour, page_colour)
    assert re.search(r"\.avatar \{[^}]*background: var\(--speaker", STYLESHEET.read_text())


@pytest.mark.django_db
def test_avatars_carry_their_speakers_hue_on_every_page(client, seed):
    for slug in ("elon-musk", "marc-andreessen", "vinod-khosla"):
        hue = zlib.crc32(slug.encode()) % SPEAKER_HUES
        initials = Speaker.objects.get(slug=slug).initials
        avatar = f'data-hue="{hue}">{initials}</span>'
        for url in ("/debates/open-source-ai/", "/speakers/", f"/speakers/{slug}/"):
            assert avatar in page(client, url), (slug, url)
    assert "data-speaker" not in page(client, "/debates/open-source-ai/") + page(
        client, "/speakers/"
    )


def test_no_seed_speaker_is_named_in_the_stylesheets_templates_or_code():
    fixture = json.loads((ROOT / "fixtures" / "seed_debate.json").read_text())
    speakers = [row["fields"] for row in fixture if row["model"] == "debate.speaker"]
    assert len(speakers) == 3
    slugs = [s["slug"] for s in speakers]
    names = [s["name"] for s in speakers]
    handles = [s["handle"] for s in speakers]
    markup = [*(ROOT / "static").rglob("*.*"), *(ROOT / "templates").rglob("*.*")]
    code = [p for p in (ROOT / "debate").rglob("*.py") if "migrations" not in p.parts]
    found = []
    for path in markup + code:
        text = path.read_text(errors="replace").casefold()
        words = slugs + names + (handles if path in markup else [])
        found += [(str(path.relative_to(ROOT)), w) for w in words if w.casefold() in text]
    assert found == []


# Names that read alike


def test_names_read_alike_ignoring_case_accents_and_spacing_or_by_their_initials():
    assert folded("  José   DÍAZ-Ruiz ") == "jose diaz ruiz"
    named = [
        (1, "José Díaz"),
        (2, "jose  diaz"),  # the same name
        (3, "Ada Lovelace"),
        (4, "Alan Lee"),  # the same initials: both avatars read "AL"
        (5, "Grace Hopper"),
        (5, "Grace Hopper"),  # one speaker listed twice is not two speakers
        (6, "Émile Zola"),
        (7, "Eva Zhou"),  # initials alike once accents are set aside
    ]
    assert alike(named) == {1, 2, 3, 4, 6, 7}


@pytest.fixture
def namesakes(db):
    proposition = make_proposition(slug="open-weights", label="Open weights", statement="Open")
    people = {
        "jane": make_speaker(name="Jane Doe", slug="jane-doe", handle="janedoe"),
        "jané": make_speaker(name="Jané  doe", slug="jane-doe-2", handle="jane_d"),
        "ada": make_speaker(name="Ada Lovelace", slug="ada-lovelace", handle="ada"),
        "alan": make_speaker(name="Alan Lee", slug="alan-lee", handle="alanlee"),
        "grace": make_speaker(name="Grace Hopper", slug="grace-hopper", handle="grace"),
    }
    posts = {}
    for key, speaker in people.items():
        posts[key] = make_post(speaker, text=f"{speaker.name} on open weights.")
        make_stance(make_claim(post=posts[key]), proposition, value="pro")
    return people, posts


def handles_beside_names(html: str) -> set[str]:
    return set(re.findall(r'<span class="name-handle">@(\w+)</span>', html))


ALIKE = {"janedoe", "jane_d", "ada", "alanlee"}


@pytest.mark.parametrize("url", ["/debates/open-source-ai/", "/speakers/", "/debates/open-source-ai/map/", "/debates/open-source-ai/propositions/", "/debates/open-source-ai/propositions/open-weights/"])  # fmt: skip
def test_lists_show_the_handles_of_speakers_whose_names_read_alike(client, namesakes, url):
    assert handles_beside_names(page(client, url)) == ALIKE


def test_cards_always_show_the_handle_and_chips_name_namesakes_by_it(client, namesakes):
    people, posts = namesakes
    html = page(client, "/debates/open-source-ai/")
    for key in ("jane", "jané", "grace"):
        assert f'<span class="card__handle">@{people[key].handle}</span>' in card(html, posts[key])
    chosen = page(client, "/debates/open-source-ai/?speaker=jane-doe&speaker=grace-hopper")
    chips = re.findall(r'<li class="chip">([^<]*?)\s*<', chosen)
    assert sorted(chips) == ["Speaker: Grace Hopper", "Speaker: Jane Doe (@janedoe)"]
    assert "Posts by Jane Doe (@janedoe) and Grace Hopper</h1>" in chosen


def test_names_that_read_alike_cost_no_query(client, namesakes, settings):
    settings.THREADLINE_PAGE_CACHE_DISABLED = True
    urls = [
        "/debates/open-source-ai/",
        "/speakers/",
        "/debates/open-source-ai/map/",
        "/debates/open-source-ai/propositions/",
        "/debates/open-source-ai/propositions/open-weights/",
    ]
    alike_cost = [cold_queries(client, url) for url in urls]
    Speaker.objects.filter(slug="jane-doe-2").update(name="Someone Else")
    Speaker.objects.filter(slug="alan-lee").update(name="Barbara Liskov")
    assert [cold_queries(client, url) for url in urls] == alike_cost
    assert all(handles_beside_names(page(client, url)) == set() for url in urls)


def cold_queries(client, url: str) -> int:
    """Queries for a page, with nothing cached (the facets, the cards, the page)."""
    bump()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)
