"""The reader's timeline, as a reader (or htmx) receives it."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from debate.models import Claim, Post, Proposition, Speaker, Stance
from debate.reading.cards import KEY_VERSION
from debate.reading.timeline import PAGE_SIZE
from debate.versioning import bump

from .factories import make_claim, make_post, make_speaker, make_stance
from .html import badges, post_ids, posts_shown

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def pk_of(prefix: str) -> int:
    return Post.objects.get(text__startswith=prefix).pk


def test_timeline_shows_every_post_with_speaker_date_stance_source_and_permalink(client, seed):
    response = client.get("/debates/open-source-ai/")
    assert response.status_code == 200
    html = response.content.decode()
    assert len(post_ids(html)) == 7
    assert "Marc Andreessen 🇺🇸" in html and "@pmarca" in html
    assert '<time datetime="2024-03-02">2 Mar 2024</time>' in html
    assert "pro-open-source" in html and "anti-open-source" in html
    assert 'class="badge badge--anti"' in html
    lobbying = pk_of("Vinod is lobbying")
    assert f'href="/posts/{lobbying}/"' in html
    assert f'href="/articles/musks-grok-to-go-open-source/#post-{lobbying}"' in html
    assert "Replying to" in html and "inferred by an editor" in html


def test_the_four_post_thread_reads_as_one_nested_conversation(client, seed):
    shown = posts_shown(client.get("/debates/open-source-ai/").content.decode())
    thread = [
        (pk_of("Vinod is lobbying"), 0, False),
        (pk_of("And @pmarca"), 1, False),
        (pk_of("Let's assume"), 2, False),
        (pk_of("It would certainly"), 3, False),
    ]
    assert shown[:4] == thread
    # Then the 11 March posts, each on its own, in the order the article gives them.
    assert [pk for pk, depth, _ in shown[4:]] == [
        pk_of("This week"),
        pk_of("OpenAI is a lie"),
        pk_of("Razor sharp"),
    ]
    assert "Conversation of 4 posts" in client.get("/debates/open-source-ai/").content.decode()


def test_speaker_filter_full_page_shows_their_posts_and_what_they_answered(client, seed):
    response = client.get("/debates/open-source-ai/?speaker=marc-andreessen")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    shown = posts_shown(html)
    by_pk = {pk: (depth, context) for pk, depth, context in shown}
    andreessen = set(
        Post.objects.filter(speaker__slug="marc-andreessen").values_list("pk", flat=True)
    )
    assert andreessen <= set(by_pk)
    assert not any(by_pk[pk][1] for pk in andreessen)
    # Khosla's post is shown because Andreessen answered it, marked as context, in the thread.
    assert by_pk[pk_of("And @pmarca")] == (1, True)
    assert by_pk[pk_of("Let's assume")] == (2, False)
    assert pk_of("It would certainly") not in by_pk  # Musk's reply is not his
    assert "Context: shown because a post below answers it" in html
    assert re.search(r'id="speaker-marc-andreessen"\s+checked', html)
    assert (
        "<title>Posts by Marc Andreessen · The open-source AI debate, March 2024 · Threadline"
        in html
    )


def test_htmx_request_gets_only_the_results_fragment(client, seed):
    response = client.get("/debates/open-source-ai/?speaker=vinod-khosla", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="filters"' not in html
    assert "Posts by Vinod Khosla" in html
    assert "<title>Posts by Vinod Khosla" in html  # htmx updates the tab title from it
    assert "HX-Request" in response["Vary"]
    full = client.get("/debates/open-source-ai/?speaker=vinod-khosla").content.decode()
    assert post_ids(html) == post_ids(full)


def test_htmx_history_restore_gets_the_whole_page(client, seed):
    response = client.get(
        "/debates/open-source-ai/?speaker=elon-musk",
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in response.content.decode()


def test_filter_form_works_without_javascript(client, seed):
    html = client.get("/debates/open-source-ai/").content.decode()
    form = re.search(
        r'<form id="filters"[^>]*method="get" action="/debates/open-source-ai/".*?</form>',
        html,
        re.S,
    ).group(0)
    assert (
        'hx-get="/debates/open-source-ai/"' in form
        and 'hx-push-url="true"' in form
        and 'hx-target="#results"' in form
    )
    values = re.findall(r'name="speaker" value="([^"]+)"', form)
    assert values == ["elon-musk", "marc-andreessen", "vinod-khosla"]
    assert '<button type="submit"' in form
    # What the browser submits is the same URL a reader can share.
    both = client.get(
        "/debates/open-source-ai/", {"speaker": ["elon-musk", "vinod-khosla"]}
    ).content.decode()
    speakers = set(
        Post.objects.filter(pk__in=post_ids(both)).values_list("speaker__slug", flat=True)
    )
    assert speakers >= {"elon-musk", "vinod-khosla"}
    assert "Posts by Elon Musk and Vinod Khosla" in both


def test_unknown_speaker_gets_a_clear_message_not_an_error(client, seed):
    response = client.get("/debates/open-source-ai/?speaker=nobody-at-all")
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is no speaker “nobody-at-all”, so Threadline is showing every speaker" in html
    assert '<p class="notice" role="status">' in html
    mixed = client.get(
        "/debates/open-source-ai/?speaker=nobody&speaker=vinod-khosla", **HTMX
    ).content.decode()
    assert (
        "There is no speaker “nobody”, so Threadline is showing the other speakers you chose"
        in mixed
    )
    assert "Posts by Vinod Khosla" in mixed


@pytest.mark.parametrize(
    "query",
    [
        "speaker=" + "x" * 5000,
        "speaker=%00%ff",
        "speaker=&speaker=",
        "after=garbage",
        "after=1-2-3",
    ],
)
def test_strange_query_strings_never_fail(client, seed, query):
    response = client.get(f"/debates/open-source-ai/?{query}", follow=True)
    assert response.status_code == 200


def test_damaged_page_link_says_so(client, seed):
    html = client.get(
        "/debates/open-source-ai/?after=20240302T000000.000000Z-nope"
    ).content.decode()
    assert "That page link is damaged" in html
    assert len(post_ids(html)) == 7


def test_draft_stances_stay_off_public_pages(client, seed):
    Stance.objects.filter(value="anti").update(review_state="draft")
    html = client.get("/debates/open-source-ai/").content.decode()
    assert "anti-open-source" not in html


def test_post_text_cannot_inject_markup(client, seed):
    make_post(text='<script>alert("x")</script><img src=x onerror=alert(1)>')
    html = client.get("/debates/open-source-ai/").content.decode()
    assert '<script>alert("x")' not in html
    assert "&lt;script&gt;" in html
    assert "<img src=x" not in html


def grow(posts: int) -> None:
    """Add posts by a busy speaker, with long reply chains, claims and stances."""
    speaker = Speaker.objects.filter(slug="busy-speaker").first() or make_speaker(
        name="Busy Speaker", slug="busy-speaker", handle="busy"
    )
    proposition = Proposition.objects.get(slug="open-source-ai")
    parent = None
    for n in range(posts):
        when = datetime.datetime(2024, 4, 1, tzinfo=datetime.UTC) + datetime.timedelta(hours=n)
        post = make_post(speaker, posted_at=when, in_reply_to=parent if n % 3 else None)
        make_stance(make_claim(post=post), proposition, value=("pro", "anti", "neutral")[n % 3])
        parent = post


def count_queries(client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **headers).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/debates/open-source-ai/",
        "/debates/open-source-ai/?speaker=busy-speaker",
        "/debates/open-source-ai/?speaker=marc-andreessen",
    ],
)
def test_timeline_costs_the_same_queries_however_large_the_debate(client, seed, url):
    grow(1)
    small = count_queries(client, url)
    grow(PAGE_SIZE + 30)
    assert count_queries(client, url) == small
    assert count_queries(client, url, **HTMX) <= small


def test_timeline_query_budget(client, seed, django_assert_max_num_queries):
    grow(40)
    # The edit counter, the debate, the catalogue, four facet counts, the page, its cards.
    with django_assert_max_num_queries(11):
        client.get("/debates/open-source-ai/")


def test_later_posts_continue_where_the_page_ended_without_gaps(client, seed):
    grow(PAGE_SIZE * 2 + 5)
    seen: list[int] = []
    url = "/debates/open-source-ai/?speaker=busy-speaker"
    pages = 0
    while url:
        html = client.get(url).content.decode()
        seen += [pk for pk, _, context in posts_shown(html) if not context]
        match = re.search(
            r'<a class="button" href="(/debates/open-source-ai/\?[^"]+)"[^>]*>Later posts</a>', html
        )
        url = match.group(1).replace("&amp;", "&") if match else None
        pages += 1
    assert pages == 3
    expected = list(Post.objects.filter(speaker__slug="busy-speaker").values_list("pk", flat=True))
    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen))


def test_responses_carry_a_strict_content_security_policy(client, seed):
    response = client.get("/debates/open-source-ai/")
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "script-src 'self' 'nonce-" in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert "style=" not in html
    assert '"includeIndicatorStyles": false' in html


def test_post_permalink_shows_the_whole_conversation_with_the_post_highlighted(client, seed):
    focus = pk_of("Let's assume")
    response = client.get(f"/posts/{focus}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert [pk for pk, _, _ in posts_shown(html)] == [
        pk_of("Vinod is lobbying"),
        pk_of("And @pmarca"),
        focus,
        pk_of("It would certainly"),
    ]
    assert f'class="card card--focus" id="post-{focus}"' in html
    assert '<meta property="og:title" content="Marc Andreessen (@pmarca) on 3 Mar 2024">' in html
    assert client.get("/posts/999999/").status_code == 404


def test_article_page_shows_the_body_with_each_quoted_post_in_place(client, seed):
    response = client.get("/articles/musks-grok-to-go-open-source/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h2>Breaking New Ground with Grok</h2>" in html
    assert "<h2>OpenAI: A Misnomer?</h2>" in html
    assert "Twitter’s (now 𝕏)" in html
    assert post_ids(html) == list(
        Post.objects.filter(quoted_in__article__slug="musks-grok-to-go-open-source")
        .order_by("quoted_in__position")
        .values_list("pk", flat=True)
    )
    assert "— Elon Musk (@elonmusk)" not in html  # attribution lines became cards
    assert "closed-source de facto subsidiary" in html
    assert client.get("/articles/no-such-article/").status_code == 404


def test_pages_refuse_writes(client, seed):
    assert client.post("/debates/open-source-ai/").status_code == 405


def test_permalink_previews_well_when_shared(client, seed):
    post = Post.objects.get(text__startswith="Let's assume")
    html = client.get(f"/posts/{post.pk}/").content.decode()
    nonce = re.search(
        r'<script type="application/ld\+json" nonce="([^"]+)">(.*?)</script>', html, re.S
    )
    assert nonce, "JSON-LD is present and carries the CSP nonce"
    data = json.loads(nonce.group(2))
    assert data["@type"] == "SocialMediaPosting"
    assert data["author"] == {
        "@type": "Person",
        "name": "Marc Andreessen",
        "alternateName": "@pmarca",
        "url": "https://x.com/pmarca",
    }
    assert data["datePublished"] == "2024-03-03"
    assert data["articleBody"] == post.text
    assert data["isBasedOn"].endswith(f"/posts/{post.in_reply_to_id}/")
    assert data["subjectOf"][0]["headline"].startswith("Musk’s Grok")
    assert '<meta property="og:description" content="Let&#x27;s assume, for discussion' in html


def test_json_ld_cannot_break_out_of_its_script(client, seed):
    post = make_post(text="</script><script>alert(1)</script>")
    html = client.get(f"/posts/{post.pk}/").content.decode()
    block = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    assert "\\u003C/script\\u003E" in block.group(1)
    assert json.loads(block.group(1))["articleBody"] == post.text


def test_article_marks_the_claims_of_its_prose(client, seed):
    html = client.get("/articles/musks-grok-to-go-open-source/").content.decode()
    marked = re.findall(
        r'<mark class="claim-mark">(.*?)</mark><a class="claim-ref" href="#claim-(\d+)">', html
    )
    quotes = {int(pk): quote for quote, pk in marked}
    prose = Claim.objects.from_articles()
    assert set(quotes) == {claim.pk for claim in prose}
    for claim in prose:
        assert f'id="claim-{claim.pk}"' in html
    assert any("closed-source de facto subsidiary" in quote for quote in quotes.values())


def test_cards_show_the_agreed_stance_and_say_when_annotators_disagree(client, seed):
    claim = Claim.objects.get(quote__startswith="We are in a tech economic war")
    proposition = Proposition.objects.get(slug="open-source-ai")
    make_stance(claim, proposition, value="anti")  # a second editor agrees
    html = client.get(f"/posts/{claim.post_id}/").content.decode()
    assert "all 2 annotators say anti-open-source." in html
    make_stance(claim, proposition, value="neutral")
    make_stance(claim, proposition, value="neutral")  # now 2 neutral against 2 anti: a tie
    html = client.get(f"/posts/{claim.post_id}/").content.decode()
    assert "Open-source AI: disputed" in badges(html)
    assert "Annotators disagree: 2 say anti-open-source, 2 say neutral" in html
    make_stance(claim, proposition, value="anti", review_state="draft")  # drafts do not count
    assert (
        "Annotators disagree: 2 say anti-open-source, 2 say neutral"
        in client.get(f"/posts/{claim.post_id}/").content.decode()
    )


def test_unknown_addresses_get_a_helpful_page(client, seed):
    response = client.get("/speakers/nobody/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Nothing here</h1>" in html
    assert '<a class="button" href="/">Back to the debates</a>' in html


def test_cards_are_rendered_once_and_follow_every_edit(client, seed, settings):
    from django.core.cache import cache

    settings.THREADLINE_PAGE_CACHE_DISABLED = True  # the cards' own keys are under test
    client.get("/debates/open-source-ai/")
    post = Post.objects.get(text__startswith="It would certainly")
    stance = Stance.objects.get(claim__post=post)
    # Even bulk updates, which leave updated_at alone, show on the next page load.
    Post.objects.filter(pk=post.pk).update(text_html="It would certainly be easy, edited")
    assert (
        "It would certainly be easy, edited"
        in client.get("/debates/open-source-ai/").content.decode()
    )
    Stance.objects.filter(pk=stance.pk).update(rationale_html="<p>A new reason.</p>")
    assert "A new reason." in client.get(f"/posts/{post.pk}/").content.decode()
    # Speakers come from the catalogue, cached under the edit counter with the facets: like
    # every write that sends no signals, a bulk rename must count itself as an edit.
    Speaker.objects.filter(pk=post.speaker_id).update(name="Elon R. Musk")
    bump()
    assert "Elon R. Musk" in client.get("/debates/open-source-ai/").content.decode()
    cached = [key for key in cache._cache if KEY_VERSION in key]  # locmem's own store
    assert len(cached) >= 7
