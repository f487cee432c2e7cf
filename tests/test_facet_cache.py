"""Facet counts are cached by filter state and the edit counter; speakers come with them.

With the whole-page cache off (the "cards only" state), a later page of a selection, its
htmx fragment, or the same selection in another order must cost no facet queries, and any
edit must still show in the counts on the next load.
"""

import pickle
import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from debate.models import Debate, Post, Proposition, Speaker
from debate.reading.cards import TIMELINE_RELATED, attach_speakers
from debate.reading.facets import FacetData, catalogue_rows, facet_counts, facet_key
from debate.reading.filters import read_params
from debate.reading.timeline import PAGE_SIZE, build_timeline
from debate.versioning import bump

from .factories import make_claim, make_post, make_speaker, make_stance
from .html import posts_shown
from .test_timeline import HTMX, grow

pytestmark = pytest.mark.django_db

# The page's own work once the facets are cached: the edit counter, the page of posts (with
# the posts they answer), and the cards' claims, stances and sources.
WARM_QUERIES = 5
# Cold: the debate, the catalogue and four grouped counts besides.
COLD_QUERIES = WARM_QUERIES + 6


@pytest.fixture
def cards_only(settings) -> None:
    settings.THREADLINE_PAGE_CACHE_DISABLED = True


def queries_for(client, url: str, **headers) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return [query["sql"] for query in captured]


def facet_queries(sqls: list[str]) -> list[str]:
    # The catalogue is a UNION; each facet count is a GROUP BY with COUNT.
    return [sql for sql in sqls if "UNION" in sql or "COUNT(" in sql]


def count_shown(html: str, facet: str, value: str) -> int:
    match = re.search(
        rf'<label for="{facet}-{re.escape(value)}"[^>]*>.*?<span class="count">(\d+)<', html, re.S
    )
    assert match, f"no {facet} option {value}"
    return int(match.group(1))


def next_url(html: str) -> str:
    match = re.search(
        r'<a class="button" href="(/debates/open-source-ai/\?[^"]+)"[^>]*>Later posts</a>', html
    )
    assert match
    return match.group(1).replace("&amp;", "&")


def test_a_later_page_costs_no_facet_queries(client, seed, cards_only, django_assert_num_queries):
    grow(PAGE_SIZE + 10)
    first = queries_for(client, "/debates/open-source-ai/?speaker=busy-speaker")
    assert len(first) == COLD_QUERIES and len(facet_queries(first)) == 5
    html = client.get("/debates/open-source-ai/?speaker=busy-speaker").content.decode()
    later = next_url(html)
    with django_assert_num_queries(WARM_QUERIES):
        response = client.get(later)
    assert [context for _, _, context in posts_shown(response.content.decode())].count(False) == 10
    # Scrolling on (htmx asks for the next page only) and a filter swap cost the same.
    assert facet_queries(queries_for(client, later, HTTP_HX_TARGET="load-more", **HTMX)) == []
    assert (
        facet_queries(queries_for(client, "/debates/open-source-ai/?speaker=busy-speaker", **HTMX))
        == []
    )


def test_the_same_selection_in_another_order_reuses_the_counts(client, seed, cards_only):
    client.get("/debates/open-source-ai/?proposition=open-source-ai")
    assert (
        facet_queries(
            queries_for(client, "/debates/open-source-ai/?proposition=open-source-ai&order=newest")
        )
        == []
    )
    # Another selection has counts of its own (four: the catalogue is shared).
    assert len(facet_queries(queries_for(client, "/debates/open-source-ai/?stance=pro"))) == 4


def test_a_selection_naming_nothing_costs_no_more_queries(client, seed, cards_only):
    sqls = queries_for(
        client,
        "/debates/open-source-ai/?speaker=nobody&speaker=marc-andreessen&proposition=nothing",
    )
    assert len(sqls) == COLD_QUERIES
    html = client.get(
        "/debates/open-source-ai/?speaker=nobody&speaker=marc-andreessen&proposition=nothing"
    )
    html = html.content.decode()
    assert "There is no speaker “nobody”" in html and "There is no proposition" in html
    assert 'value="marc-andreessen" id="speaker-marc-andreessen" checked' in html
    # The resolved selection shares its counts with the same selection named cleanly.
    assert (
        facet_queries(queries_for(client, "/debates/open-source-ai/?speaker=marc-andreessen")) == []
    )


def test_facet_keys_follow_the_filters_and_the_counter_but_not_order_or_page():
    def key(query: str, version: str = "n1") -> str:
        return facet_key(read_params(QueryDict(query)), version)

    assert key("speaker=a&speaker=b") == key("speaker=b&speaker=a&order=newest&after=x")
    assert key("q=open") == key("q=open&order=relevance")
    assert key("") != key("", "n2")
    different = ["", "speaker=a", "stance=pro", "proposition=p", "article=a", "q=open",
                 "from=2024-03-01", "to=2024-03-01"]  # fmt: skip
    assert len({key(query) for query in different}) == len(different)


def test_an_edit_changes_the_counts_on_the_next_load(client, seed, cards_only):
    html = client.get("/debates/open-source-ai/").content.decode()
    pro = count_shown(html, "stance", "pro")
    pmarca = count_shown(html, "speaker", "marc-andreessen")
    html = client.get("/debates/open-source-ai/").content.decode()  # warm: the same counts
    assert (
        count_shown(html, "stance", "pro"),
        count_shown(html, "speaker", "marc-andreessen"),
    ) == (
        pro,
        pmarca,
    )

    speaker = Speaker.objects.get(slug="marc-andreessen")
    post = make_post(speaker)
    make_stance(make_claim(post=post), Proposition.objects.get(slug="open-source-ai"))
    html = client.get("/debates/open-source-ai/").content.decode()
    assert count_shown(html, "speaker", "marc-andreessen") == pmarca + 1
    assert count_shown(html, "stance", "pro") == pro + 1

    # A stance edited through the ORM's bulk update counts once it is counted as an edit,
    # as every write that sends no signals must be (see pagecache.bump).
    post.claims.get().stances.update(value="anti")
    bump()
    assert (
        count_shown(client.get("/debates/open-source-ai/").content.decode(), "stance", "pro") == pro
    )


def test_the_page_cache_and_the_facet_cache_agree_after_an_edit(client, seed):
    # With the whole-page cache on, the counts are cached under the same counter.
    client.get("/debates/open-source-ai/?speaker=marc-andreessen")
    make_post(Speaker.objects.get(slug="marc-andreessen"))
    html = client.get("/debates/open-source-ai/?speaker=marc-andreessen").content.decode()
    assert (
        count_shown(html, "speaker", "marc-andreessen")
        == Post.objects.filter(speaker__slug="marc-andreessen").count()
    )


def test_cached_facets_survive_pickling_and_make_objects_on_demand(seed):
    filters = read_params(QueryDict("speaker=marc-andreessen&proposition=open-source-ai"))
    data = FacetData(catalogue_rows(), facet_counts(filters))
    assert pickle.loads(pickle.dumps(data)) == data  # noqa: S301  (our own data)
    timeline = build_timeline(
        Debate.objects.get(slug="open-source-ai"),
        QueryDict("speaker=marc-andreessen&proposition=open-source-ai"),
    )
    speakers, stances, propositions = timeline.speakers, timeline.stances, timeline.propositions
    chosen = next(option for option in speakers if option.selected)
    assert chosen.obj.name == "Marc Andreessen" and chosen.obj.initials == "MA"
    assert chosen.obj is chosen.obj  # made once
    proposition = next(option for option in propositions if option.selected)
    assert proposition.obj.statement
    # Stances read in the words of the chosen proposition's sides.
    assert [option.label for option in stances][:2] == [
        proposition.obj.pro_label,
        proposition.obj.anti_label,
    ]


def test_cards_show_their_speakers_name_and_initials(client, seed, cards_only):
    ada = make_speaker(name="Ada Lovelace", slug="ada-lovelace", handle="ada")
    charles = make_speaker(name="Charles Babbage", slug="charles", handle="cb")
    question = make_post(ada, text="Shall the engine be open?")
    answer = make_post(charles, text="Open as a barn door.", in_reply_to=question)
    for _ in range(2):  # cold, then with the facets (and cards) cached
        html = client.get("/debates/open-source-ai/?speaker=charles").content.decode()
        for post, speaker, initials in ((answer, charles, "CB"), (question, ada, "AL")):
            card = html[html.index(f'id="post-{post.pk}"') :].split("</article>")[0]
            assert f'data-hue="{speaker.hue}">{initials}</span>' in card
            assert f'href="/speakers/{speaker.slug}/"' in card
            assert f"to {speaker.name}’s post of" in card
        assert "card card--context" in html  # Ada's question is shown as context


def test_a_speaker_missing_from_the_catalogue_is_loaded_in_one_query(
    seed, django_assert_num_queries
):
    page = list(Post.objects.select_related(*TIMELINE_RELATED).order_by("pk"))
    with django_assert_num_queries(1):
        attach_speakers(page, lambda pk: None)
    with django_assert_num_queries(0):
        for post in page:
            assert post.speaker.pk == post.speaker_id and post.speaker.name
            if post.in_reply_to_id:
                assert post.in_reply_to.speaker.pk == post.in_reply_to.speaker_id
