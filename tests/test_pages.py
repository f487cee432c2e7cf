"""Speaker, proposition and stance-map pages, as a reader sees them."""

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from debate.models import Article, Claim, Post, Proposition, Speaker, Stance
from debate.reading.tallies import Tallies, Tally, sides, verdict
from debate.reading.timeline import PAGE_SIZE

from .factories import (
    make_article,
    make_claim,
    make_post,
    make_proposition,
    make_speaker,
    make_stance,
    make_user,
)
from .html import posts_shown
from .public_urls import seed_post_page

pytestmark = pytest.mark.django_db

ARTICLE_URL = "/articles/musks-grok-to-go-open-source/"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


BLOCK_TAG = re.compile(
    r"</?(?:p|li|ul|ol|div|dl|dt|dd|td|th|tr|h\d|br|section|blockquote|header)\b[^>]*>"
)


def text_of(html: str) -> str:
    """The words a reader reads: tags dropped (blocks apart), entities decoded, spaces folded."""
    html = re.sub(r"<[^>]+>", "", BLOCK_TAG.sub(" ", html))
    return " ".join(unescape(html).split())


def section(html: str, css_class: str) -> str:
    match = re.search(rf'<section class="[^"]*\b{css_class}\b[^"]*".*?</section>', html, re.S)
    assert match, f"no section .{css_class}"
    return match.group(0)


def speakers_in(side: str) -> list[str]:
    """The speakers a column of a proposition page lists, in order."""
    headings = re.findall(r'<h3 class="side__speaker">(.*?)</h3>', side, re.S)
    return [re.search(r"<a [^>]*>(.*?)</a>", h).group(1) for h in headings]


def map_cell(html: str, speaker: str, proposition_label: str) -> str:
    """The text of one cell of the stance map, found by row and column heading."""
    headings = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html, re.S)
    column = [i for i, h in enumerate(headings) if proposition_label in text_of(h)]
    assert column, proposition_label
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        head = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if head and text_of(head.group(1)) == speaker:
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            return cells[column[0] - 1]  # the first column heading is the speaker column's
    raise AssertionError(f"no row for {speaker}")


# The speaker list


def test_speaker_list_gives_each_speakers_role_counts_and_stance_at_a_glance(client, seed):
    html = page(client, "/speakers/")
    words = text_of(html)
    assert "Founder, Khosla Ventures; early OpenAI investor" in words
    assert re.search(r"Elon Musk .*? 3 posts · 5 claims", words)
    assert re.search(r"Vinod Khosla .*? 1 post · 3 claims", words)
    assert 'href="/speakers/vinod-khosla/"' in html
    assert "anti-open-source (2 claims)" in words
    assert "pro-open-source (5 claims)" in words
    assert "defends OpenAI (1 claim)" in words


# A speaker's page


def test_speaker_page_says_who_they_are(client, seed):
    html = page(client, "/speakers/marc-andreessen/")
    words = text_of(html)
    speaker = Speaker.objects.get(slug="marc-andreessen")
    assert "<h1>Marc Andreessen</h1>" in html
    assert f'<a href="{speaker.profile_url}" rel="noopener noreferrer">@pmarca' in html
    assert speaker.role in words
    assert speaker.bio in words
    assert "<title>Marc Andreessen (@pmarca): posts, claims and stances · Threadline" in html


def test_speaker_page_charts_count_claims_per_side_and_link_to_the_filtered_timeline(client, seed):
    html = page(client, "/speakers/marc-andreessen/")
    link = '<a href="/debates/open-source-ai/?speaker=marc-andreessen&amp;stance=pro&amp;proposition=open-source-ai">'
    assert f"{link}3 claims" in html
    assert "in 2 posts and the article" in text_of(html)
    # No anti claim, so nothing to link to.
    assert "stance=anti&amp;proposition=open-source-ai" not in html
    # The SVG bar carries its widths as attributes (our CSP forbids style attributes).
    assert 'class="bar__seg bar__seg--pro" x="0" y="0" width="100"' in html
    assert "style=" not in html


def test_a_count_made_only_of_article_prose_points_at_the_prose_not_the_empty_timeline(
    client, seed
):
    html = page(client, "/speakers/vinod-khosla/")
    assert "stance=anti&amp;proposition=openai-mission" not in html
    assert re.search(r'<a href="#article-claims">1 claim', html)
    assert 'id="article-claims"' in html
    assert "in the article’s prose" in text_of(html)


def test_speaker_page_shows_their_posts_in_threads_with_what_they_answered_as_context(client, seed):
    html = page(client, "/speakers/marc-andreessen/")
    shown = {pk: (depth, context) for pk, depth, context in posts_shown(html)}
    own = set(Post.objects.filter(speaker__slug="marc-andreessen").values_list("pk", flat=True))
    assert own <= set(shown)
    assert not any(shown[pk][1] for pk in own)
    khosla = Post.objects.get(speaker__slug="vinod-khosla").pk
    assert shown[khosla] == (1, True)  # answered by Andreessen, shown as context
    assert Post.objects.get(text__startswith="It would certainly").pk not in shown


def test_speaker_page_lists_claims_from_the_articles_prose_with_their_stances(client, seed):
    html = page(client, "/speakers/marc-andreessen/")
    prose = html[html.index('id="article-claims"') :]
    claim = Claim.objects.get(speaker__slug="marc-andreessen", article__isnull=False)
    assert claim.summary in text_of(prose)
    assert claim.quote in text_of(prose)
    assert 'class="badge badge--pro"' in prose and "pro-open-source" in prose
    assert f'href="{ARTICLE_URL}"' in prose


def test_speaker_with_more_posts_than_a_page_links_to_the_rest_on_the_timeline(client, seed):
    speaker = Speaker.objects.get(slug="vinod-khosla")
    start = datetime.datetime(2024, 4, 1, tzinfo=datetime.UTC)
    for n in range(PAGE_SIZE + 5):
        make_post(speaker, posted_at=start + datetime.timedelta(hours=n))
    html = page(client, "/speakers/vinod-khosla/")
    assert len([pk for pk, _, context in posts_shown(html) if not context]) == PAGE_SIZE
    assert "These are the first posts of 56" in text_of(html)
    link = '<a href="/debates/open-source-ai/?speaker=vinod-khosla">'
    assert (
        f'{link}{PAGE_SIZE + 6} posts<span class="visually-hidden"> by Vinod Khosla</span>' in html
    )


@pytest.mark.parametrize(
    "url", ["/speakers/nobody/", "/debates/open-source-ai/propositions/nothing/"]
)
def test_unknown_slugs_are_not_found(client, seed, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/speakers/",
        "/speakers/elon-musk/",
        "/debates/open-source-ai/propositions/",
        "/debates/open-source-ai/propositions/open-source-ai/",
        "/debates/open-source-ai/map/",
    ],
)
def test_pages_refuse_writes(client, seed, url):
    assert client.post(url).status_code == 405


# Propositions


def test_proposition_list_gives_statement_and_counts_in_the_propositions_words(client, seed):
    words = text_of(page(client, "/debates/open-source-ai/propositions/"))
    assert "“AI models should be released as open source”" in words
    assert "pro-open-source 8 claims anti-open-source 2 claims neutral 0 claims" in words
    assert "Pro-open-source: Elon Musk, Marc Andreessen Anti-open-source: Vinod Khosla" in words
    assert "says OpenAI strayed 3 claims defends OpenAI 1 claim" in words


def test_proposition_page_puts_andreessen_for_and_khosla_against(client, seed):
    html = page(client, "/debates/open-source-ai/propositions/open-source-ai/")
    pro, anti = section(html, "side--pro"), section(html, "side--anti")
    assert speakers_in(pro) == ["Elon Musk", "Marc Andreessen"]  # most claims first
    assert speakers_in(anti) == ["Vinod Khosla"]
    assert "pro-open-source" in text_of(pro) and "anti-open-source" in text_of(anti)
    assert "No speaker’s claims are neutral yet." in text_of(section(html, "side--neutral"))
    assert "Whether the weights and code of AI models should be published" in html
    # Stances in the proposition's words, never the raw codes.
    assert not re.search(r">\s*(pro|anti)\s*<", html)


def test_proposition_page_shows_each_claim_with_quote_rationale_and_source(client, seed):
    anti = section(
        page(client, "/debates/open-source-ai/propositions/open-source-ai/"), "side--anti"
    )
    claim = Claim.objects.get(summary__startswith="Open-sourcing frontier AI")
    stance = claim.stances.get()
    assert claim.summary in text_of(anti)
    assert f'<blockquote class="claim__quote" cite="/posts/{claim.post_id}/">{claim.quote}' in anti
    assert stance.rationale in text_of(anti)
    assert f'href="/posts/{claim.post_id}/"' in anti
    pro = section(page(client, "/debates/open-source-ai/propositions/open-source-ai/"), "side--pro")
    prose = Claim.objects.get(speaker__slug="marc-andreessen", article__isnull=False)
    assert prose.summary in text_of(pro)
    assert f'href="{ARTICLE_URL}"' in pro


def test_each_side_shows_a_speakers_strongest_claims_and_links_to_the_rest(client, seed):
    proposition = Proposition.objects.get(slug="open-source-ai")
    musk = Speaker.objects.get(slug="elon-musk")
    # Two more annotators agree on his oldest claim: it becomes his strongest.
    oldest = Claim.objects.get(summary__startswith="A state actor")
    for _ in range(2):
        make_stance(oldest, proposition, value="pro")
    pro = section(page(client, "/debates/open-source-ai/propositions/open-source-ai/"), "side--pro")
    musk_block = pro[pro.index("Elon Musk") : pro.index("Marc Andreessen")]
    summaries = [
        unescape(t) for t in re.findall(r'<p class="claim__summary">(.*?)</p>', musk_block)
    ]
    assert len(summaries) == 3
    assert summaries[0] == oldest.summary
    assert "3 annotators agree." in text_of(musk_block)
    # Then the most recent: his 11 March posts.
    assert summaries[1:] == [
        "OpenAI does not live up to its name.",
        "xAI will release Grok as open source this week.",
    ]
    words = text_of(musk_block)
    assert "2 more pro-open-source claims by Elon Musk. All 5:" in words
    assert (
        '<a href="/debates/open-source-ai/?speaker=elon-musk&amp;stance=pro&amp;proposition=open-source-ai">'
        in (musk_block)
    )
    assert f'href="/speakers/{musk.slug}/#article-claims">2 in the article’s words' in musk_block


def test_a_speaker_with_claims_on_both_sides_appears_on_both_marked_mixed(client, seed):
    proposition = Proposition.objects.get(slug="open-source-ai")
    andreessen = Speaker.objects.get(slug="marc-andreessen")
    post = make_post(andreessen, text="Some models should stay closed.")
    make_stance(
        make_claim(post=post, summary="Some models should stay closed."), proposition, value="anti"
    )
    html = page(client, "/debates/open-source-ai/propositions/open-source-ai/")
    pro, anti = section(html, "side--pro"), section(html, "side--anti")
    assert "Marc Andreessen" in speakers_in(pro) and "Marc Andreessen" in speakers_in(anti)
    assert "mixed" in text_of(anti) and "Some models should stay closed." in text_of(anti)
    assert "mixed: Marc Andreessen also has claims on the other side" in text_of(pro)
    assert "mixed" not in text_of(pro).replace("mixed: Marc Andreessen", "")


# The stance map


def test_stance_map_gives_each_speakers_overall_stance_in_words_colour_and_link(client, seed):
    html = page(client, "/debates/open-source-ai/map/")
    khosla = map_cell(html, "Vinod Khosla", "Open-source AI")
    assert "anti-open-source (2 claims)" in text_of(khosla)
    assert 'class="badge badge--anti"' in khosla
    assert (
        'href="/debates/open-source-ai/?speaker=vinod-khosla&amp;proposition=open-source-ai"'
        in khosla
    )
    assert "pro-open-source (5 claims)" in text_of(map_cell(html, "Elon Musk", "Open-source AI"))
    assert "defends OpenAI (1 claim)" in text_of(map_cell(html, "Vinod Khosla", "OpenAI's"))
    nothing = map_cell(html, "Marc Andreessen", "OpenAI's")
    assert text_of(nothing) == "no stance recorded" and "href" not in nothing
    assert "<caption" in html and '<th scope="row">' in html and '<th scope="col"' in html


def test_stance_map_calls_a_tie_mixed(client, seed):
    proposition = Proposition.objects.get(slug="ai-political-slant")
    khosla = Speaker.objects.get(slug="vinod-khosla")
    for value in ("pro", "anti"):
        post = make_post(khosla, text=f"A {value} post.")
        make_stance(make_claim(post=post), proposition, value=value)
    cell = map_cell(page(client, "/debates/open-source-ai/map/"), "Vinod Khosla", "Political slant")
    assert text_of(cell).startswith("Political slant in AI: mixed")
    assert 'class="badge badge--mixed"' in cell


def test_draft_stances_count_nowhere(client, seed):
    proposition = Proposition.objects.get(slug="open-source-ai")
    musk = Speaker.objects.get(slug="elon-musk")
    for n in range(6):
        post = make_post(musk, text=f"Draft material {n}.")
        make_stance(
            make_claim(post=post, summary=f"Draft claim {n}."),
            proposition,
            value="anti",
            review_state="draft",
        )
    assert "pro-open-source (5 claims)" in text_of(
        map_cell(page(client, "/debates/open-source-ai/map/"), "Elon Musk", "Open-source AI")
    )
    assert "Draft claim" not in page(client, "/debates/open-source-ai/propositions/open-source-ai/")
    anti = section(
        page(client, "/debates/open-source-ai/propositions/open-source-ai/"), "side--anti"
    )
    assert speakers_in(anti) == ["Vinod Khosla"]
    assert "anti-open-source 2 claims" in text_of(
        page(client, "/debates/open-source-ai/propositions/")
    )
    speaker = page(client, "/speakers/elon-musk/")
    assert "stance=anti&amp;proposition=open-source-ai" not in speaker


# Site navigation and footer


@pytest.mark.parametrize(
    ("url", "main", "hub"),
    [
        ("/", "Debates", None),
        ("/speakers/", "Speakers", None),
        ("/debates/open-source-ai/", None, "Timeline"),
        ("/debates/open-source-ai/speakers/", None, "Speakers"),
        ("/debates/open-source-ai/propositions/", None, "Propositions"),
        ("/debates/open-source-ai/map/", None, "Stance map"),
        ("/debates/open-source-ai/articles/", None, "Articles"),
    ],
)
def test_navigation_marks_the_page_you_are_on(client, seed, url, main, hub):
    html = page(client, url)
    nav = html[html.index('<nav aria-label="Main">') :]
    nav = nav[: nav.index("</nav>")]
    assert re.findall(r'aria-current="page">([^<]+)</a>', nav) == ([main] if main else [])
    for name in ("Debates", "Speakers"):
        assert f">{name}</a>" in nav
    if hub is None:
        assert 'aria-label="This debate"' not in html
        return
    tabs = html[html.index('<nav class="hub-nav" aria-label="This debate">') :]
    tabs = tabs[: tabs.index("</nav>")]
    assert "The open-source AI debate, March 2024</a>" in tabs
    assert re.findall(r'aria-current="page">([^<]+)</a>', tabs) == [hub]
    for name in ("Timeline", "Speakers", "Propositions", "Stance map", "Articles"):
        assert f">{name}</a>" in tabs


def test_no_page_names_one_article_in_its_navigation_or_footer(client, seed):
    """The site holds many debates: the chrome of a page names none of the seed's articles."""
    html = page(client, "/")
    chrome = (
        html[: html.index('<main id="main"')] + html[html.index('<footer class="site-footer">') :]
    )
    assert ARTICLE_URL not in chrome and "Grok" not in chrome


def test_footer_says_where_the_posts_and_the_stances_come_from(client, seed):
    html = page(client, "/debates/open-source-ai/map/")
    footer = text_of(html[html.index('<footer class="site-footer">') :])
    assert "every post in The open-source AI debate, March 2024 is shown exactly as" in footer
    assert "annotations by Threadline’s editors" in footer
    assert '<a href="/debates/open-source-ai/articles/">the debate’s articles</a>' in html
    # An article's page and a post's page name their own source.
    footer = text_of(page(client, ARTICLE_URL).split('<footer class="site-footer">')[1])
    assert "every post on this page is shown exactly as it is quoted in this article" in footer
    post_page = page(client, seed_post_page("Vinod is lobbying"))
    footer = post_page[post_page.index('<footer class="site-footer">') :]
    assert f'<a href="{ARTICLE_URL}"><cite>Musk’s Grok to Go Open Source' in footer


# Query counts: a page costs the same however much there is to show


def grow(n: int) -> None:
    """More of everything: speakers, propositions, posts in reply chains, post and prose
    claims, stances by several annotators (some of them drafts)."""
    article = make_article()
    propositions = list(Proposition.objects.all()) + [make_proposition() for _ in range(2)]
    annotators = [make_user() for _ in range(3)]
    speakers = [Speaker.objects.get(slug="marc-andreessen"), make_speaker(), make_speaker()]
    start = datetime.datetime(2024, 4, 1, tzinfo=datetime.UTC)
    parent = Post.objects.get(speaker__slug="vinod-khosla")
    for i in range(n):
        speaker = speakers[i % len(speakers)]
        when = start + datetime.timedelta(hours=i)
        post = make_post(speaker, posted_at=when, in_reply_to=parent if i % 2 else None)
        parent = post
        article.body += f" {speaker.name} said thing {i}."
        article.save()
        prose = make_claim(speaker=speaker, article=article, quote=f"said thing {i}")
        for claim in (make_claim(post=post), prose):
            for j, annotator in enumerate(annotators):
                make_stance(
                    claim,
                    propositions[(i + j) % len(propositions)],
                    value=("pro", "anti", "neutral")[(i + j) % 3],
                    annotator=annotator,
                    review_state="draft" if j == 2 else "published",
                )


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/speakers/",
        "/speakers/marc-andreessen/",
        "/debates/open-source-ai/propositions/",
        "/debates/open-source-ai/propositions/open-source-ai/",
        "/debates/open-source-ai/map/",
    ],
)
def test_pages_cost_the_same_queries_however_large_the_debate(client, seed, url):
    grow(2)
    small = count_queries(client, url)
    grow(PAGE_SIZE + 10)
    assert count_queries(client, url) == small
    assert small <= 11


# The aggregation, without a database


class Labels:
    pro_label = "pro-open-source"
    anti_label = "anti-open-source"


def tally(pro: int = 0, anti: int = 0, neutral: int = 0) -> Tally:
    result = Tally()
    for value, count in (("pro", pro), ("anti", anti), ("neutral", neutral)):
        result.add(value, count)
    return result


@pytest.mark.parametrize(
    ("counts", "words", "count"),
    [
        ((3, 1, 0), "pro-open-source", 3),
        ((0, 2, 1), "anti-open-source", 2),
        ((1, 1, 2), "neutral", 2),
        ((2, 2, 0), "mixed", 0),
        ((1, 0, 1), "mixed", 0),
        ((0, 0, 0), "no stance recorded", 0),
    ],
)
def test_verdict_is_the_majority_in_words_with_ties_mixed(counts, words, count):
    result = verdict(tally(*counts), Labels())
    assert (result.words, result.count) == (words, count)


@pytest.mark.parametrize("counts", [(1, 1, 1), (2, 1, 0), (5, 0, 0), (0, 0, 0), (7, 3, 3)])
def test_bar_segments_fill_the_bar_without_gaps(counts):
    spans = tally(*counts).widths()
    assert spans["pro"][0] == 0
    ends = [x + width for x, width in spans.values()]
    assert ends[-1] == (100 if sum(counts) else 0)
    starts = [x for x, _ in spans.values()]
    assert starts[1:] == ends[:-1]


def test_sides_put_a_two_sided_speaker_on_both_marked_mixed():
    tallies = Tallies(
        [
            {"speaker": 1, "proposition": 9, "value": "pro", "claims": 2},
            {"speaker": 1, "proposition": 9, "value": "anti", "claims": 1},
            {"speaker": 2, "proposition": 9, "value": "anti", "claims": 4},
            {"speaker": 2, "proposition": 8, "value": "pro", "claims": 4},
        ]
    )
    columns = sides(tallies.speakers_on(9), {1: "Ann", 2: "Bob"})
    assert [(m.speaker, m.count, m.mixed) for m in columns["pro"]] == [("Ann", 2, True)]
    assert [(m.speaker, m.count, m.mixed) for m in columns["anti"]] == [
        ("Bob", 4, False),
        ("Ann", 1, True),
    ]
    assert columns["neutral"] == []
    assert tallies.for_proposition(9).claims == {"pro": 2, "anti": 5, "neutral": 0}


def test_stances_on_another_proposition_stay_off_this_ones_page(client, seed):
    other = make_proposition(slug="elsewhere", pro_label="pro-elsewhere")
    claim = Claim.objects.get(summary__startswith="Open-sourcing frontier AI")
    Stance.objects.create(
        claim=claim, proposition=other, value="pro", rationale="Elsewhere.", annotator=make_user()
    )
    anti = section(
        page(client, "/debates/open-source-ai/propositions/open-source-ai/"), "side--anti"
    )
    assert "Elsewhere." not in anti and "pro-elsewhere" not in anti
    assert speakers_in(
        section(page(client, "/debates/open-source-ai/propositions/elsewhere/"), "side--pro")
    ) == ["Vinod Khosla"]


def test_pages_read_sensibly_before_anything_is_annotated(client, db):
    make_post(make_speaker(name="Quiet Person", slug="quiet-person"))
    make_speaker(name="Unquoted Person", slug="unquoted-person")
    make_proposition(slug="untouched", label="Untouched", statement="Nobody argued this")
    assert "No stance recorded yet." in text_of(page(client, "/speakers/"))
    assert "No stance recorded yet." in text_of(page(client, "/debates/open-source-ai/speakers/"))
    speaker = text_of(page(client, "/speakers/quiet-person/"))
    assert "Overall: Untouched: no stance recorded" in speaker
    unquoted = text_of(page(client, "/speakers/unquoted-person/"))
    assert "Unquoted Person takes part in no debate yet: no article quotes them." in unquoted
    assert "No post by Unquoted Person is quoted yet." in unquoted
    assert "No public stance on it yet." in text_of(
        page(client, "/debates/open-source-ai/propositions/")
    )
    detail = text_of(page(client, "/debates/open-source-ai/propositions/untouched/"))
    assert "No public stance on this proposition yet." in detail
    assert "No speaker’s claims are pro-" in detail
    assert text_of(
        map_cell(page(client, "/debates/open-source-ai/map/"), "Quiet Person", "Untouched")
    ) == ("no stance recorded")


def test_a_prose_claim_whose_quote_differs_only_in_quote_marks_and_spaces_is_marked(client, seed):
    # Claim.clean accepts a quote retyped with straight quotes and other spacing: the article
    # page must then find and mark it too, as it says it does.
    article = Article.objects.get()
    words = next(line for line in article.body.split("\n") if "’" in line and len(line) > 80)
    start = words.index("’")
    retyped = "  ".join(words[max(0, start - 20) : start + 20].replace("’", "'").split(" "))
    claim = Claim(
        speaker=Speaker.objects.first(), summary="Retyped", quote=retyped, article=article
    )
    claim.full_clean()
    claim.save()
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'href="#claim-{claim.pk}"' in html
