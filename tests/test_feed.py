"""The Atom feed, read as a feed reader reads it."""

import datetime
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from debate.exports.feed import FEED_SIZE
from debate.models import Post, Proposition, Speaker

from .factories import make_claim, make_post, make_stance
from .test_exports import add_posts, draft_stances, pk_of, post_pk

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(html: str) -> tuple[str, list[str]]:
    """What a feed reader shows of an entry's HTML, and the tags it would render."""
    reader = _Text()
    reader.feed(html)
    return "".join(reader.parts), reader.tags


def feed(client, query: str = "") -> ET.Element:
    response = client.get(f"/debates/open-source-ai/feed/{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)  # noqa: S314 (our own output, under test)


def entries(root: ET.Element) -> list[dict]:
    found = []
    for entry in root.findall(f"{ATOM}entry"):
        summary, tags = html_text(entry.findtext(f"{ATOM}summary"))
        found.append(
            {
                "title": entry.findtext(f"{ATOM}title"),
                "id": entry.findtext(f"{ATOM}id"),
                "link": entry.find(f"{ATOM}link").get("href"),
                "author": entry.findtext(f"{ATOM}author/{ATOM}name"),
                "published": datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}published")),
                "updated": datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated")),
                "summary": summary,
                "tags": tags,
                "categories": [c.get("term") for c in entry.findall(f"{ATOM}category")],
            }
        )
    return found


def test_feed_lists_the_debate_newest_first_with_permalinks_and_stances(client, seed):
    root = feed(client)
    assert root.findtext(f"{ATOM}title") == "Threadline: The open-source AI debate, March 2024"
    assert (
        root.find(f"{ATOM}link[@rel='self']").get("href")
        == "http://testserver/debates/open-source-ai/feed/"
    )
    items = entries(root)
    assert len(items) == 7
    assert [post_pk(item["id"]) for item in items] == list(
        Post.objects.order_by("-posted_at", "-pk").values_list("pk", flat=True)
    )
    for item in items:
        assert item["link"] == item["id"]
        post = Post.objects.select_related("speaker").get(pk=post_pk(item["id"]))
        assert item["published"] == item["updated"] == post.posted_at
        assert item["author"] == post.speaker.name
        assert post.text in item["summary"]

    khosla = next(item for item in items if item["author"] == "Vinod Khosla")
    assert khosla["title"] == "Vinod Khosla (@vkhosla), 2 Mar 2024"
    assert (
        "anti-open-source: He likens publishing AI models to publishing the atomic bomb's design."
        in khosla["summary"]
    )
    assert "Replying to @pmarca (explicit in the post)" in khosla["summary"]
    assert khosla["categories"] == ["anti-open-source"]


def test_feed_follows_the_filters_and_says_so_in_its_title(client, seed):
    root = feed(client, "?speaker=vinod-khosla")
    assert (
        root.findtext(f"{ATOM}title")
        == "Threadline: posts by Vinod Khosla (The open-source AI debate, March 2024)"
    )
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href") == (
        "http://testserver/debates/open-source-ai/?speaker=vinod-khosla"
    )
    assert [item["id"] for item in entries(root)] == [
        f"http://testserver/posts/{pk_of('And @pmarca')}/"
    ]

    root = feed(client, "?speaker=marc-andreessen&speaker=elon-musk&stance=pro")
    assert root.findtext(f"{ATOM}title") == (
        "Threadline: posts by Marc Andreessen and Elon Musk, for a proposition"
        " (The open-source AI debate, March 2024)"
    )
    assert {item["author"] for item in entries(root)} == {"Marc Andreessen", "Elon Musk"}

    root = feed(client, "?proposition=open-source-ai&stance=anti&from=2024-03-02&to=2024-03-02")
    assert root.findtext(f"{ATOM}title") == (
        "Threadline: posts marked anti-open-source, on 2 Mar 2024 (The open-source AI debate, March 2024)"
    )
    assert len(entries(root)) == 1


def test_feed_stops_at_fifty_newest(client, seed):
    add_posts(60)
    items = entries(feed(client))
    assert len(items) == FEED_SIZE == 50
    newest = Post.objects.order_by("-posted_at", "-pk").values_list("pk", flat=True)[:50]
    assert [post_pk(item["id"]) for item in items] == list(newest)


def test_feed_leaves_out_draft_stances(client, seed):
    draft_stances()
    body = client.get("/debates/open-source-ai/feed/").content.decode()
    assert "DRAFT-ONLY" not in body
    assert "pro-open-source" in body
    # A draft is no stance at all: filtering on its side finds nothing.
    assert entries(feed(client, "?stance=neutral")) == []


def test_feed_escapes_post_text(client, seed):
    speaker = Speaker.objects.get(slug="elon-musk")
    post = make_post(speaker, text="<script>alert(1)</script> & <b>bold</b>\nnext line")
    claim = make_claim(post)
    make_stance(claim, Proposition.objects.first(), rationale="<img src=x onerror=alert(1)>")
    item = next(i for i in entries(feed(client)) if post_pk(i["id"]) == post.pk)
    assert "<script>alert(1)</script> & <b>bold</b>" in item["summary"]
    assert "<img src=x onerror=alert(1)>" in item["summary"]
    assert not {"script", "b", "img"} & set(item["tags"])
    assert "br" in item["tags"]  # line breaks kept for readers without our CSS


def test_feed_drops_characters_xml_cannot_carry(client, seed):
    post = make_post(Speaker.objects.get(slug="elon-musk"), text="Vertical\x0btab")
    item = next(i for i in entries(feed(client)) if post_pk(i["id"]) == post.pk)
    assert "Verticaltab" in item["summary"]


def test_feed_with_bad_parameters_says_what_it_left_out(client, seed):
    root = feed(client, "?speaker=nobody&stance=maybe&from=yesterday")
    subtitle = root.findtext(f"{ATOM}subtitle")
    assert "There is no speaker “nobody”" in subtitle
    assert "“maybe” is not a stance" in subtitle
    assert "“yesterday” is not a date" in subtitle
    assert root.findtext(f"{ATOM}title") == "Threadline: The open-source AI debate, March 2024"
    assert len(entries(root)) == 7


def test_feed_answers_only_reads(client, seed):
    assert client.head("/debates/open-source-ai/feed/").status_code == 200
    assert client.post("/debates/open-source-ai/feed/").status_code == 405


@pytest.mark.parametrize("query", ["", "?speaker=elon-musk&proposition=open-source-ai&q=open"])
def test_feed_query_count_does_not_grow_with_the_debate(client, seed, query):
    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as context:
            count = len(entries(feed(client, query)))
        return len(context), count

    before, few = queries()
    add_posts(60)
    after, many = queries()
    assert many > few
    assert after == before


def test_feed_entry_title_shows_the_date_without_a_leading_zero(client, seed):
    titles = [item["title"] for item in entries(feed(client))]
    assert "Elon Musk (@elonmusk), 11 Mar 2024" in titles
    assert "Marc Andreessen (@pmarca), 3 Mar 2024" in titles
    assert all(re.fullmatch(r".+ \(@\w+\), [1-9]\d? [A-Z][a-z]{2} \d{4}", t) for t in titles)
