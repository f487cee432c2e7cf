"""Data out: JSON, CSV, W3C Web Annotation and AIF exports, parsed as their users would."""

import codecs
import csv
import datetime
import io
import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from debate.exports import selection as export_selection
from debate.exports.records import CSV_HEADER
from debate.http.pagecache import page_cache
from debate.models import Claim, Post, Proposition, Speaker, Stance
from debate.text import locate_quote as locate

from .factories import (
    make_article,
    make_claim,
    make_post,
    make_proposition,
    make_speaker,
    make_stance,
    make_user,
    quote_in,
)

pytestmark = pytest.mark.django_db

EXPORTS = [
    "/debates/open-source-ai/export.json",
    "/debates/open-source-ai/export.csv",
    "/debates/open-source-ai/export/annotations.jsonld",
    "/debates/open-source-ai/export/aif.json",
]
POST_URL = re.compile(r"^http://testserver/posts/(\d+)/$")
ARTICLE_URL = re.compile(r"^http://testserver/articles/([\w-]+)/$")
BAD_PARAMS = "?speaker=nobody&stance=maybe&from=2024-13-45&order=sideways&proposition=nope"


def read(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8")


def get_json(client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200
    return json.loads(read(response))


def get_rows(client, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200
    raw = b"".join(response.streaming_content)
    assert raw.startswith(codecs.BOM_UTF8)
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    assert reader.fieldnames == CSV_HEADER
    return list(reader)


def post_pk(url: str) -> int:
    """The post a URL is the permalink of, checked against the site's own routes."""
    match = POST_URL.match(url)
    assert match, url
    view = resolve(urlsplit(url).path)
    assert view.view_name == "debate:post"
    assert view.kwargs["pk"] == int(match.group(1))
    return int(match.group(1))


def pk_of(prefix: str) -> int:
    return Post.objects.get(text__startswith=prefix).pk


def check_types(record: dict[str, Any], types: dict[str, type | tuple[type, ...]]) -> None:
    missing = set(types) - set(record)
    assert not missing, f"missing {missing} in {record}"
    for key, expected in types.items():
        assert isinstance(record[key], expected), (key, record[key])


def add_posts(count: int = 60) -> None:
    """Grow the seed debate: posts in reply chains, quoted, with public and draft stances,
    and prose claims in a new article."""
    proposition = Proposition.objects.get(slug="open-source-ai")
    other = make_proposition()
    editor = make_user(first_name="Ada", last_name="Lovelace")
    article = make_article(body="Sentence one. " * count)
    speakers = [Speaker.objects.get(slug="elon-musk"), make_speaker(), make_speaker()]
    start = datetime.datetime(2024, 4, 1, tzinfo=datetime.UTC)
    previous: Post | None = None
    for n in range(count):
        post = make_post(
            speakers[n % 3],
            text=f"Open models, take {n}: https://example.com/{n}",
            posted_at=start + datetime.timedelta(hours=n),
            time_known=n % 2 == 0,
            in_reply_to=previous if n % 4 else None,
            quotes=previous if n % 5 == 1 else None,
            quote_basis="explicit" if n % 5 == 1 else "",
        )
        quote_in(article, post, position=n + 1)
        claim = make_claim(post, summary=f"Claim {n}")
        make_stance(claim, proposition, value=("pro", "anti", "neutral")[n % 3], annotator=editor)
        make_stance(claim, other, annotator=editor, review_state="draft")
        prose = make_claim(
            article=article, speaker=speakers[n % 3], quote="Sentence one.", summary=f"Prose {n}"
        )
        make_stance(prose, proposition, annotator=editor)
        previous = post


def draft_stances() -> None:
    """Drafts on a post's claim and on a prose claim: nothing of them may ever leave."""
    secret = make_proposition(
        slug="secret", statement="DRAFT-ONLY statement", pro_label="DRAFT-ONLY label"
    )
    on_a_post = Claim.objects.from_posts().order_by("pk").first()
    in_prose = Claim.objects.from_articles().order_by("pk").first()
    for claim in (on_a_post, in_prose):
        make_stance(
            claim, secret, value="neutral", rationale="DRAFT-ONLY rationale", review_state="draft"
        )


# --- Common to every export ---------------------------------------------------------------


@pytest.mark.parametrize("url", EXPORTS)
def test_exports_answer_get_and_head_but_refuse_writes(client, seed, url):
    assert client.get(url).status_code == 200
    head = client.head(url)
    assert head.status_code == 200
    assert read(head) == ""
    assert client.post(url).status_code == 405


@pytest.mark.parametrize("url", EXPORTS)
def test_draft_stances_never_leave_the_site(client, seed, url):
    draft_stances()
    body = read(client.get(url))
    assert "DRAFT-ONLY" not in body
    assert "manhattan project" in body  # the public data is there


@pytest.mark.parametrize("url", EXPORTS)
def test_bad_parameters_give_everything_with_notices_not_an_error(client, seed, url):
    response = client.get(url + BAD_PARAMS)
    assert response.status_code == 200
    body = read(response)
    assert "Razor sharp compliance" in body  # the whole debate, unfiltered
    if url != "/debates/open-source-ai/export.csv":  # CSV has nowhere to say it
        notices = json.loads(body)["notices"]
        assert any("no speaker “nobody”" in notice for notice in notices)
        assert any("“maybe” is not a stance" in notice for notice in notices)
        assert any("“2024-13-45” is not a date" in notice for notice in notices)
        assert any("no proposition “nope”" in notice for notice in notices)


@pytest.mark.parametrize("url", EXPORTS)
def test_search_in_relevance_order_works_in_every_export(client, seed, url):
    response = client.get(url + "?q=manhattan+project&order=relevance")
    assert response.status_code == 200
    body = read(response)
    assert "manhattan project" in body
    assert "Razor sharp" not in body


@pytest.mark.parametrize(
    "url", [*EXPORTS, "/debates/open-source-ai/export.json?speaker=elon-musk&stance=pro&q=open"]
)
def test_query_count_does_not_grow_with_the_debate(client, seed, url):
    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as context:
            size = len(read(client.get(url)))
        return len(context), size

    before, small = queries()
    add_posts(60)
    after, large = queries()
    assert large > small  # the export did grow...
    assert after == before  # ...its cost did not


# --- JSON ---------------------------------------------------------------------------------


POST_TYPES = {
    "id": int,
    "url": str,
    "speaker": dict,
    "handle_shown": str,
    "display_name_shown": str,
    "text": str,
    "posted_at": str,
    "time_known": bool,
    "permalink_url": str,
    "links": list,
    "in_reply_to": (dict, type(None)),
    "quotes": (dict, type(None)),
    "articles": list,
    "claims": list,
}
STANCE_TYPES = {
    "id": int,
    "proposition": dict,
    "value": str,
    "label": str,
    "rationale": str,
    "evidence": str,
    "annotator": str,
    "annotated_at": str,
    "review_state": str,
}


def test_json_export_has_every_post_with_claims_stances_and_permalinks(client, seed):
    response = client.get("/debates/open-source-ai/export.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(read(response))
    check_types(data, {"generated": str, "filters": dict, "notices": list, "posts": list})
    datetime.datetime.fromisoformat(data["generated"])
    assert data["filters"] == {} and data["notices"] == []
    posts = data["posts"]
    assert [post["id"] for post in posts] == list(
        Post.objects.order_by("posted_at", "pk").values_list("pk", flat=True)
    )
    for post in posts:
        check_types(post, POST_TYPES)
        assert post_pk(post["url"]) == post["id"]
        check_types(post["speaker"], {"slug": str, "name": str, "handle": str})
        for source in post["articles"]:
            assert ARTICLE_URL.match(source["url"]).group(1) == source["slug"]
        for claim in post["claims"]:
            check_types(claim, {"id": int, "summary": str, "quote": str, "stances": list})
            assert claim["quote"] in post["text"]
            for stance in claim["stances"]:
                check_types(stance, STANCE_TYPES)
                assert stance["review_state"] in ("published", "reviewed")
                datetime.datetime.fromisoformat(stance["annotated_at"])

    khosla = next(post for post in posts if post["speaker"]["slug"] == "vinod-khosla")
    assert khosla["posted_at"] == "2024-03-02" and khosla["time_known"] is False
    assert khosla["in_reply_to"]["id"] == pk_of("Vinod is lobbying")
    assert khosla["in_reply_to"]["basis"] == "explicit"
    assert khosla["links"] == ["https://t.co/AN18VmgVdk"]
    assert khosla["articles"][0]["url"] == (
        "http://testserver/articles/musks-grok-to-go-open-source/"
    )
    stance = khosla["claims"][0]["stances"][0]
    assert stance["label"] == "anti-open-source" and stance["value"] == "anti"
    assert stance["proposition"] == {
        "slug": "open-source-ai",
        "statement": "AI models should be released as open source",
    }
    assert stance["annotator"] == "Threadline editors"
    andreessen = next(post for post in posts if post["speaker"]["slug"] == "marc-andreessen")
    assert andreessen["display_name_shown"] == "Marc Andreessen 🇺🇸"
    # Claims from the article's prose, which belong to no post, come after the posts.
    assert len(data["article_claims"]) == 4
    for claim in data["article_claims"]:
        assert ARTICLE_URL.match(claim["article"]["url"])


def test_json_gives_a_full_timestamp_only_when_the_time_is_known(client, seed):
    musk = Speaker.objects.get(slug="elon-musk")
    make_post(
        musk,
        text="Timed",
        posted_at=datetime.datetime(2024, 3, 4, 15, 30, tzinfo=datetime.UTC),
        time_known=True,
    )
    posts = get_json(client, "/debates/open-source-ai/export.json?q=Timed")["posts"]
    assert [(p["posted_at"], p["time_known"]) for p in posts] == [("2024-03-04T15:30:00Z", True)]


def test_json_honours_speaker_filter_and_order(client, seed):
    data = get_json(client, "/debates/open-source-ai/export.json?speaker=vinod-khosla&order=newest")
    assert data["filters"] == {"speaker": ["vinod-khosla"], "order": "newest"}
    assert {post["speaker"]["slug"] for post in data["posts"]} == {"vinod-khosla"}
    assert [post["id"] for post in data["posts"]] == [pk_of("And @pmarca")]
    assert [claim["speaker"]["slug"] for claim in data["article_claims"]] == ["vinod-khosla"]

    newest = get_json(client, "/debates/open-source-ai/export.json?order=newest")["posts"]
    oldest = get_json(client, "/debates/open-source-ai/export.json")["posts"]
    assert [p["id"] for p in newest] == list(
        Post.objects.order_by("-posted_at", "-pk").values_list("pk", flat=True)
    )
    assert newest[0]["posted_at"] >= newest[-1]["posted_at"]
    assert oldest[0]["posted_at"] <= oldest[-1]["posted_at"]


def test_json_stance_filter_keeps_posts_whole(client, seed):
    """A post export gives each matching post as its card shows it, every public stance."""
    posts = get_json(client, "/debates/open-source-ai/export.json?stance=anti")["posts"]
    assert [post["id"] for post in posts] == [pk_of("And @pmarca")]
    musk = get_json(client, "/debates/open-source-ai/export.json?proposition=openai-mission")[
        "posts"
    ]
    labels = {s["label"] for post in musk for c in post["claims"] for s in c["stances"]}
    assert labels == {"says OpenAI strayed", "pro-open-source"}


def test_json_reads_every_chunk_in_order(client, seed, monkeypatch):
    add_posts(25)
    whole = [
        post["id"] for post in get_json(client, "/debates/open-source-ai/export.json")["posts"]
    ]
    monkeypatch.setattr(export_selection, "CHUNK_SIZE", 4)
    page_cache().clear()  # the same export again, made afresh rather than from the cache
    with CaptureQueriesContext(connection) as context:
        chunked = get_json(client, "/debates/open-source-ai/export.json")
    assert [post["id"] for post in chunked["posts"]] == whole
    assert len(whole) == 32
    # Each chunk of 4 posts costs the same prefetch queries, so many more than one chunk.
    assert len(context) > 8 * 3
    claims = [claim["id"] for post in chunked["posts"] for claim in post["claims"]]
    assert len(claims) == len(set(claims)) == Claim.objects.from_posts().count()


# --- CSV ----------------------------------------------------------------------------------


def test_csv_has_one_row_per_post_and_public_stance(client, seed):
    response = client.get("/debates/open-source-ai/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="threadline-open-source-ai-posts.csv"'
    )
    draft_stances()
    rows = get_rows(client, "/debates/open-source-ai/export.csv")
    public = Stance.objects.public().filter(claim__post__isnull=False)
    assert len(rows) == public.count() == 9
    assert sorted(int(row["claim_id"]) for row in rows) == sorted(
        public.values_list("claim_id", flat=True)
    )
    for row in rows:
        assert post_pk(row["post_url"]) == int(row["post_id"])
    khosla = [row for row in rows if row["handle"] == "vkhosla"]
    assert len(khosla) == 2
    assert khosla[0] | {"text": "", "claim_summary": "", "rationale": ""} == {
        "post_id": str(pk_of("And @pmarca")),
        "post_url": f"http://testserver/posts/{pk_of('And @pmarca')}/",
        "posted_on": "2024-03-02",
        "speaker": "Vinod Khosla",
        "handle": "vkhosla",
        "text": "",
        "in_reply_to_id": str(pk_of("Vinod is lobbying")),
        "reply_basis": "explicit",
        "claim_id": str(Claim.objects.get(summary__startswith="Open-sourcing frontier AI").pk),
        "claim_summary": "",
        "proposition": "AI models should be released as open source",
        "stance": "anti",
        "stance_label": "anti-open-source",
        "rationale": "",
        "annotator": "Threadline editors",
    }
    # Curly quotes survive the trip through UTF-8.
    assert any("creators’ ideological" in row["text"] for row in rows)


def test_csv_gives_unannotated_posts_and_claims_a_bare_row(client, seed):
    quiet = make_post(text="No claims here 🤖")
    drafted = make_post(text="Only a draft")
    claim = make_claim(drafted, summary="Draft claim")
    make_stance(claim, Proposition.objects.first(), review_state="draft")
    rows = {row["post_id"]: row for row in get_rows(client, "/debates/open-source-ai/export.csv")}
    assert rows[str(quiet.pk)]["text"] == "No claims here 🤖"
    assert rows[str(quiet.pk)]["claim_id"] == rows[str(quiet.pk)]["stance"] == ""
    assert rows[str(drafted.pk)]["claim_id"] == str(claim.pk)
    assert rows[str(drafted.pk)]["stance"] == rows[str(drafted.pk)]["rationale"] == ""


def test_csv_cells_cannot_start_a_spreadsheet_formula(client, seed):
    post = make_post(text='=HYPERLINK("https://evil.example","click")')
    claim = make_claim(post, summary="+1 for openness")
    make_stance(claim, Proposition.objects.first(), rationale="-2 points\n@SUM(A1)")
    tabbed = make_post(text="\t=1+1")
    rows = {row["post_id"]: row for row in get_rows(client, "/debates/open-source-ai/export.csv")}
    row = rows[str(post.pk)]
    assert row["text"] == '\'=HYPERLINK("https://evil.example","click")'
    assert row["claim_summary"] == "'+1 for openness"
    assert row["rationale"] == "'-2 points\n@SUM(A1)"
    assert rows[str(tabbed.pk)]["text"] == "'\t=1+1"
    # Ordinary text is left as written.
    assert rows[str(pk_of("OpenAI is a lie"))]["text"] == "OpenAI is a lie"


def test_csv_rows_follow_stance_and_speaker_filters(client, seed):
    rows = get_rows(client, "/debates/open-source-ai/export.csv?stance=anti")
    assert [(row["claim_id"], row["stance"]) for row in rows] == [("3", "anti"), ("4", "anti")]
    rows = get_rows(client, "/debates/open-source-ai/export.csv?speaker=elon-musk")
    assert {row["handle"] for row in rows} == {"elonmusk"}
    assert len(rows) == 4  # one stance on each of two posts, two on "OpenAI is a lie"


# --- W3C Web Annotation -------------------------------------------------------------------


def annotations(client, query: str = "") -> list[dict[str, Any]]:
    data = get_json(client, f"/debates/open-source-ai/export/annotations.jsonld{query}")
    assert data["type"] == "AnnotationCollection"
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert (
        data["id"] == f"http://testserver/debates/open-source-ai/export/annotations.jsonld{query}"
    )
    page = data["first"]
    assert page["type"] == "AnnotationPage"
    assert data["total"] == len(page["items"])
    return page["items"]


def test_annotations_are_w3c_web_annotations_on_the_exact_quote(client, seed):
    response = client.get("/debates/open-source-ai/export/annotations.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    items = annotations(client)
    assert len(items) == Stance.objects.public().count() == 15
    assert len({item["id"] for item in items}) == 15
    for item in items:
        check_types(
            item,
            {
                "@context": str,
                "id": str,
                "type": str,
                "created": str,
                "modified": str,
                "creator": dict,
                "body": list,
                "target": dict,
            },
        )
        assert item["@context"] == "http://www.w3.org/ns/anno.jsonld"
        assert item["type"] == "Annotation"
        assert item["creator"] == {"type": "Person", "name": "Threadline editors"}
        source = item["target"]["source"]
        page, _, fragment = item["id"].partition("#")
        assert page == source
        stance = Stance.objects.select_related("claim__post", "claim__article").get(
            pk=int(fragment.removeprefix("stance-"))
        )
        claim = stance.claim
        if claim.post_id:
            assert post_pk(source) == claim.post_id
        else:
            assert ARTICLE_URL.match(source).group(1) == claim.article.slug
        assert [body["purpose"] for body in item["body"]] == [
            "commenting",
            "tagging",
            "classifying",
        ]
        assert item["body"][0] == {
            "type": "TextualBody",
            "value": stance.rationale,
            "format": "text/markdown",
            "purpose": "commenting",
        }
        assert item["body"][1]["value"] == stance.label
        quote, position = item["target"]["selector"]
        text = claim.source_text
        assert quote["type"] == "TextQuoteSelector" and position["type"] == "TextPositionSelector"
        assert text[position["start"] : position["end"]] == quote["exact"] == claim.quote
        assert text[: position["start"]].endswith(quote["prefix"])
        assert text[position["end"] :].startswith(quote["suffix"])
        assert len(quote["prefix"]) <= 32 and len(quote["suffix"]) <= 32
    prose = [item for item in items if "/articles/" in item["id"]]
    assert len(prose) == 6


def test_annotation_finds_a_retyped_quote_or_leaves_out_the_position(client, seed):
    post = make_post(text="Intro. He said “open   weights”\nnow, and more after that.")
    retyped = make_claim(post, quote='said "open weights" now')
    missing = make_claim(post, quote="words that are nowhere")
    proposition = Proposition.objects.first()
    make_stance(retyped, proposition)
    make_stance(missing, proposition)
    items = {
        item["target"]["selector"][0]["exact"]: item
        for item in annotations(client, f"?q=weights&speaker={post.speaker.slug}")
    }
    found = items["said “open   weights”\nnow"]["target"]["selector"]
    assert found[1] == {"type": "TextPositionSelector", "start": 10, "end": 35}
    assert found[0]["prefix"] == "Intro. He "
    assert found[0]["suffix"] == ", and more after that."
    lost = items["words that are nowhere"]["target"]["selector"]
    assert lost == [{"type": "TextQuoteSelector", "exact": "words that are nowhere"}]


def test_locate_prefers_the_exact_match_then_folds_spaces_and_quote_marks():
    assert locate("b c", "a b c") == (2, 5)
    assert locate("b  c", "a b\n c") == (2, 6)
    assert locate("‘it’s’", "x 'it's' y") == (2, 8)
    assert locate(" padded ", "a padded b") == (1, 9)  # exact, spaces and all
    assert locate(" padded\n", "a\npadded b") == (2, 8)
    assert locate("absent", "a b c") is None
    assert locate("", "a b c") is None


def test_annotations_follow_speaker_stance_and_proposition_filters(client, seed):
    khosla = annotations(client, "?speaker=vinod-khosla")
    assert {item["id"].rsplit("-", 1)[1] for item in khosla} == {"3", "4", "14"}
    anti = annotations(client, "?stance=anti")
    assert {item["body"][1]["value"] for item in anti} == {"anti-open-source", "defends OpenAI"}
    assert len(anti) == 3
    mission = annotations(client, "?proposition=openai-mission")
    assert {item["body"][2]["value"] for item in mission} == {
        "OpenAI has abandoned its founding mission of openness"
    }
    assert len(mission) == 4
    article = make_article(slug="other-article")
    claim = make_claim(
        article=article, speaker=Speaker.objects.get(slug="elon-musk"), quote="Some prose."
    )
    make_stance(claim, Proposition.objects.first())
    only = annotations(client, "?article=other-article")
    assert [item["id"] for item in only] == [
        f"http://testserver/articles/other-article/#stance-{claim.stances.get().pk}"
    ]


# --- AIF ----------------------------------------------------------------------------------


def aif(client, query: str = "") -> dict[str, Any]:
    data = get_json(client, f"/debates/open-source-ai/export/aif.json{query}")
    check_types(data, {"nodes": list, "edges": list, "locutions": list, "participants": list})
    ids = [node["nodeID"] for node in data["nodes"]]
    assert len(ids) == len(set(ids))
    for node in data["nodes"]:
        check_types(node, {"nodeID": str, "text": str, "type": str})
        assert node["type"] in {"L", "I", "YA", "RA", "CA", "TA"}
    for edge in data["edges"]:
        check_types(edge, {"edgeID": str, "fromID": str, "toID": str})
        assert edge["fromID"] in ids and edge["toID"] in ids
    people = {p["participantID"] for p in data["participants"]}
    for locution in data["locutions"]:
        assert locution["nodeID"] in ids and locution["personID"] in people
    return data


def test_aif_graph_links_posts_claims_and_propositions(client, seed):
    data = aif(client)
    nodes = {node["nodeID"]: node for node in data["nodes"]}
    edges = {(edge["fromID"], edge["toID"]) for edge in data["edges"]}
    kinds = [node["type"] for node in data["nodes"]]
    assert kinds.count("L") == 7 + 4  # posts, and the article's reports of what they hold
    assert kinds.count("I") == 12 + 3  # claims and propositions
    assert kinds.count("YA") == 12
    assert kinds.count("RA") == 12 and kinds.count("CA") == 3
    assert kinds.count("TA") == 3  # three replies
    assert len(data["participants"]) == 3

    for post in Post.objects.all():
        node = nodes[f"post-{post.pk}"]
        assert node["type"] == "L" and post_pk(node["url"]) == post.pk
        assert node["text"] == f"{post.speaker.name}: {post.text}"
    for stance in Stance.objects.public():
        relation = f"stance-{stance.pk}"
        assert nodes[relation]["type"] == ("RA" if stance.value == "pro" else "CA")
        assert (f"claim-{stance.claim_id}", relation) in edges
        assert (relation, f"proposition-{stance.proposition_id}") in edges
    khosla, andreessen = pk_of("And @pmarca"), pk_of("Let's assume")
    assert (f"post-{khosla}", f"reply-{andreessen}") in edges
    assert (f"reply-{andreessen}", f"post-{andreessen}") in edges
    assert (f"post-{khosla}", "assert-3") in edges and ("assert-3", "claim-3") in edges
    starts = {loc["nodeID"]: loc["start"] for loc in data["locutions"]}
    assert starts[f"post-{khosla}"] == "2024-03-02"
    assert {p["participantID"]: (p["firstname"], p["surname"]) for p in data["participants"]}[
        f"speaker-{Speaker.objects.get(slug='vinod-khosla').pk}"
    ] == ("Vinod", "Khosla")


def test_aif_filtered_by_speaker_keeps_what_they_answered_as_context(client, seed):
    data = aif(client, "?speaker=marc-andreessen")
    nodes = {node["nodeID"] for node in data["nodes"]}
    khosla, andreessen = pk_of("And @pmarca"), pk_of("Let's assume")
    assert f"post-{khosla}" in nodes and f"reply-{andreessen}" in nodes
    assert "claim-3" not in nodes  # Khosla's own claims are not his
    assert f"post-{pk_of('It would certainly')}" not in nodes
    claims = {n for n in nodes if n.startswith("claim-")}
    assert claims == {"claim-2", "claim-5", "claim-8", "claim-12"}


def test_aif_stance_filter_keeps_only_those_relations(client, seed):
    data = aif(client, "?stance=anti")
    kinds = [node["type"] for node in data["nodes"]]
    assert kinds.count("CA") == 3 and kinds.count("RA") == 0


@pytest.mark.parametrize("url", EXPORTS)
def test_a_repeated_export_costs_no_query_and_an_edit_shows_at_once(
    client, seed, url, settings, django_capture_on_commit_callbacks
):
    settings.THREADLINE_VERSION_IN_CACHE = True  # as in production: the edit state in Redis
    first = read(client.get(url))
    with CaptureQueriesContext(connection) as context:
        again = read(client.get(url))
    assert again == first
    assert len(context) == 0, [q["sql"] for q in context.captured_queries]
    stance = Stance.objects.public().filter(claim__post__isnull=False).first()
    with django_capture_on_commit_callbacks(execute=True):  # the edit commits
        stance.rationale = "EDITED-MARK rationale"
        stance.save()
        claim = stance.claim
        claim.summary = "EDITED-MARK summary"
        claim.save()
    assert "EDITED-MARK" not in first
    assert "EDITED-MARK" in read(client.get(url))


def test_aif_nodes_and_edges_are_unique_when_replies_share_a_parent(client, seed):
    add_posts(25)
    graph = get_json(client, "/debates/open-source-ai/export/aif.json")
    for name, key in [("nodes", "nodeID"), ("edges", "edgeID"), ("participants", "participantID")]:
        ids = [item[key] for item in graph[name]]
        assert len(ids) == len(set(ids)), name
    nodes = {node["nodeID"] for node in graph["nodes"]}
    assert all(edge["fromID"] in nodes and edge["toID"] in nodes for edge in graph["edges"])
