"""Every timeline filter, alone and combined, as a reader (or htmx) would use it."""

import datetime
import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from debate.models import Post, Proposition, Speaker
from debate.reading.filters import read_params
from debate.reading.timeline import PAGE_SIZE

from .factories import make_claim, make_post, make_stance
from .html import post_ids, posts_shown

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}


def pk_of(prefix: str) -> int:
    return Post.objects.get(text__startswith=prefix).pk


def matches(client, query: str) -> list[int]:
    """The posts a filter selects (cards shown only as context left out)."""
    response = client.get(f"/debates/open-source-ai/?{query}")
    assert response.status_code == 200, response.status_code
    return [pk for pk, _, context in posts_shown(response.content.decode()) if not context]


def counts(html: str, facet: str) -> dict[str, int]:
    """The count shown beside each choice of a facet, by the choice's value."""
    found = {}
    for item in html.split("<li>"):
        choice = re.search(rf'id="{facet}-([\w-]+)"', item)
        count = re.search(r'<span class="count">(\d+)<', item)
        if choice and count:
            found[choice.group(1)] = int(count.group(1))
    return found


def test_stance_toward_a_proposition(client, seed):
    assert matches(client, "stance=anti&proposition=open-source-ai") == [pk_of("And @pmarca")]
    pro = matches(client, "stance=pro&proposition=open-source-ai")
    assert pk_of("And @pmarca") not in pro
    assert pk_of("This week") in pro
    assert matches(client, "proposition=ai-political-slant") == [pk_of("Razor sharp")]


def test_stance_alone_means_toward_any_proposition(client, seed):
    assert matches(client, "stance=anti") == [pk_of("And @pmarca")]


def test_article_and_dates(client, seed):
    assert len(matches(client, "article=musks-grok-to-go-open-source")) == 7
    assert matches(client, "from=2024-03-03&to=2024-03-03") == [
        pk_of("Let's assume"),
        pk_of("It would certainly"),
    ]
    assert len(matches(client, "from=2024-03-11")) == 3
    assert len(matches(client, "to=2024-03-02")) == 2


def test_search_finds_words_in_posts_and_in_claims(client, seed):
    assert matches(client, "q=manhattan") == [pk_of("And @pmarca"), pk_of("Let's assume")]
    # "intellectual property" is in the claim's summary; the post only says "IP".
    assert matches(client, "q=intellectual+property") == [pk_of("It would certainly")]
    assert matches(client, "q=zeppelin") == []


def test_search_marks_what_it_matched(client, seed):
    html = client.get("/debates/open-source-ai/?q=lobby").content.decode()
    if connection.vendor == "postgresql":  # stemming: "lobby" finds and marks "lobbying"
        assert "<mark>lobbying</mark>" in html
    else:  # the portable search matches the letters typed
        assert "<mark>lobby</mark>ing" in html
    assert post_ids(html) == [pk_of("Vinod is lobbying")]


def test_postgres_ranks_by_relevance(client, seed):
    html = client.get(
        "/debates/open-source-ai/?q=manhattan+project&order=relevance"
    ).content.decode()
    if connection.vendor == "postgresql":
        assert "best match first" in html
    else:
        assert "Ranking by relevance needs PostgreSQL" in html
    assert set(post_ids(html)) >= {pk_of("And @pmarca"), pk_of("Let's assume")}


def test_the_combined_example_from_the_issue(client, seed):
    query = "speaker=elon-musk&speaker=vinod-khosla&stance=anti&q=manhattan"
    assert matches(client, query) == [pk_of("And @pmarca")]
    html = client.get(f"/debates/open-source-ai/?{query}").content.decode()
    assert (
        "Posts by Elon Musk and Vinod Khosla, against a proposition, matching “manhattan”" in html
    )


def test_newest_first(client, seed):
    shown = matches(client, "order=newest")
    assert Post.objects.get(pk=shown[0]).posted_on == datetime.date(2024, 3, 11)
    # The conversation still reads oldest first inside.
    assert shown.index(pk_of("Vinod is lobbying")) < shown.index(pk_of("It would certainly"))


def test_each_choice_shows_how_many_posts_it_would_give(client, seed):
    html = client.get("/debates/open-source-ai/?stance=anti").content.decode()
    assert counts(html, "speaker") == {"elon-musk": 0, "marc-andreessen": 0, "vinod-khosla": 1}
    assert counts(html, "stance") == {"pro": 6, "anti": 1, "neutral": 0}
    assert counts(html, "proposition")["open-source-ai"] == 1
    html = client.get("/debates/open-source-ai/?speaker=elon-musk").content.decode()
    assert counts(html, "speaker") == {"elon-musk": 3, "marc-andreessen": 3, "vinod-khosla": 1}
    assert counts(html, "article") == {"musks-grok-to-go-open-source": 3}


def test_active_filters_are_removable_chips(client, seed):
    html = client.get(
        "/debates/open-source-ai/?speaker=elon-musk&speaker=vinod-khosla&q=state"
    ).content.decode()
    chips = re.findall(r'<li class="chip">(.*?)\s*<a class="chip__remove" href="([^"]+)"', html)
    assert (
        "Speaker: Elon Musk",
        "/debates/open-source-ai/?speaker=vinod-khosla&amp;q=state",
    ) in chips
    assert (
        "Search: “state”",
        "/debates/open-source-ai/?speaker=elon-musk&amp;speaker=vinod-khosla",
    ) in chips
    assert 'class="chips__clear" href="/debates/open-source-ai/"' in html


def test_htmx_swap_updates_the_counts_out_of_band(client, seed):
    html = client.get("/debates/open-source-ai/?speaker=vinod-khosla", **HTMX).content.decode()
    assert '<div id="facet-fields" hx-swap-oob="innerHTML">' in html
    assert 'id="search-field"' not in html  # what the reader is typing is left alone
    synced = client.get(
        "/debates/open-source-ai/?speaker=vinod-khosla", HTTP_X_THREADLINE_SYNC="all", **HTMX
    )
    assert '<div id="search-field" hx-swap-oob="innerHTML">' in synced.content.decode()


def test_form_submissions_land_on_the_short_url(client, seed):
    response = client.get(
        "/debates/open-source-ai/?q=&from=&to=&order=oldest&speaker=vinod-khosla&stance="
    )
    assert response.status_code == 302
    assert response["Location"] == "/debates/open-source-ai/?speaker=vinod-khosla"
    swapped = client.get("/debates/open-source-ai/?q=&order=oldest&speaker=vinod-khosla", **HTMX)
    assert swapped.status_code == 200
    assert swapped["HX-Push-Url"] == "/debates/open-source-ai/?speaker=vinod-khosla"


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("proposition=world-peace", "There is no proposition “world-peace”"),
        ("article=nope", "There is no article “nope”"),
        ("from=2024-13-45", "“2024-13-45” is not a date"),
        ("from=2024-03-11&to=2024-03-02", "The start date was after the end date"),
        ("stance=maybe", "“maybe” is not a stance"),
        ("order=sideways", "“sideways” is not an order"),
        ("q=" + "manhattan+" * 40, "The search was cut"),
        ("q=%21%21%21", "The search has no words"),
    ],
)
def test_bad_values_get_a_notice_and_the_nearest_sensible_results(client, seed, query, notice):
    response = client.get(f"/debates/open-source-ai/?{query}")
    html = response.content.decode()
    assert response.status_code == 200
    assert notice in html
    assert post_ids(html), "results are still shown"


def test_read_params_never_touches_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        filters = read_params(QueryDict("speaker=a&speaker=a&stance=pro&from=2024-03-01&q=x"))
    assert filters.speakers == ("a",)
    assert filters.params() == [
        ("speaker", "a"),
        ("stance", "pro"),
        ("from", "2024-03-01"),
        ("q", "x"),
    ]


def add_posts(count: int, start: datetime.datetime) -> list[Post]:
    speaker = Speaker.objects.get(slug="vinod-khosla")
    proposition = Proposition.objects.get(slug="open-source-ai")
    posts = []
    for n in range(count):
        post = make_post(speaker, posted_at=start + datetime.timedelta(minutes=n))
        make_stance(make_claim(post=post), proposition, value="anti")
        posts.append(post)
    return posts


def test_every_filter_costs_the_same_few_queries_at_any_size(client, seed):
    query = "/debates/open-source-ai/?speaker=vinod-khosla&stance=anti&proposition=open-source-ai&article=musks-grok-to-go-open-source&from=2024-01-01&q=war"

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(query).status_code == 200
        return len(queries)

    small = cost()
    add_posts(PAGE_SIZE + 20, datetime.datetime(2024, 4, 1, tzinfo=datetime.UTC))
    assert cost() == small <= 11  # the debate, the version, the facets, the page's cards


def test_load_more_returns_just_the_next_page(client, seed):
    add_posts(PAGE_SIZE + 5, datetime.datetime(2024, 4, 1, tzinfo=datetime.UTC))
    first = client.get("/debates/open-source-ai/?speaker=vinod-khosla").content.decode()
    href = re.search(
        r'<div id="load-more" class="pager">\s*<a class="button" href="([^"]+)"', first
    )
    more = client.get(
        href.group(1).replace("&amp;", "&"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="load-more"
    )
    html = more.content.decode()
    assert "<title>" not in html
    assert "hx-swap-oob" not in html
    assert 'id="load-more"' not in html  # the last page offers no more
    assert len(post_ids(html)) == 6  # the rest of his posts
    assert not set(post_ids(html)) & set(post_ids(first))


def test_keyset_pages_stay_correct_while_posts_are_added(client, seed):
    start = datetime.datetime(2024, 4, 1, tzinfo=datetime.UTC)
    existing = add_posts(PAGE_SIZE + 10, start)
    first = client.get("/debates/open-source-ai/?speaker=vinod-khosla").content.decode()
    next_url = re.search(
        r'href="(/debates/open-source-ai/\?speaker=vinod-khosla&amp;after=[^"]+)"', first
    ).group(1)
    # Meanwhile an editor adds one post before the page boundary and one after it.
    early = add_posts(1, start - datetime.timedelta(days=30))[0]
    late = add_posts(1, start + datetime.timedelta(days=30))[0]
    second = client.get(next_url.replace("&amp;", "&")).content.decode()
    seen = post_ids(first) + post_ids(second)
    assert len(seen) == len(set(seen)), "no post shown twice"
    assert {p.pk for p in existing} <= set(seen), "no post skipped"
    assert late.pk in post_ids(second)
    assert early.pk not in seen  # it belongs to the first page, which the reader already left


def test_a_large_debate_lists_its_busiest_speakers_and_links_to_the_rest(client, seed):
    from debate.models import Article, Claim

    from .factories import make_speaker

    quiet = [make_speaker(name=f"Quiet {n}") for n in range(20)]
    # Quiet: in the debate through the article's prose only, with no post of their own.
    article = Article.objects.get(slug="musks-grok-to-go-open-source")
    for speaker in quiet:
        Claim.objects.create(speaker=speaker, article=article, summary="S.", quote="Grok")
    busy = make_speaker(name="Busy One")
    for _ in range(3):
        make_post(busy)
    html = client.get(f"/debates/open-source-ai/?speaker={quiet[0].slug}").content.decode()
    assert 'id="speaker-' + busy.slug + '"' in html
    assert 'id="speaker-' + quiet[0].slug + '"' in html  # chosen, so listed though quiet
    assert 'id="speaker-' + quiet[1].slug + '"' not in html
    assert "more speakers</a>" in html


def test_a_search_of_many_words_is_cut_to_stay_cheap(client, seed):
    html = client.get("/debates/open-source-ai/?q=" + "+".join(["manhattan"] * 40)).content.decode()
    assert "The search was cut to its first 12 words." in html
    assert pk_of("And @pmarca") in post_ids(html)
