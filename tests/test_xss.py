"""Cross-site scripting: every payload of tests/xss_payloads.txt, written into every field a
person can write, comes out of every public page as text, never as something a browser runs.

Each page is parsed (html.parser, as a browser tokenises) and refused if it holds a script
without the page's CSP nonce, an inline event handler, a style attribute or element, a
javascript:/data:/vbscript: URL, an element that embeds or redirects (iframe, object, base,
meta refresh…), or SVG animation that can set a link. The Atom feed and the JSON export are
checked as what they are: well-formed XML whose HTML parts pass the same check, and JSON
served as JSON.
"""

from __future__ import annotations

import datetime
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import markdown
import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client

from debate.imports.decisions import Decisions
from debate.imports.lines import ParseError
from debate.imports.parse import parse
from debate.imports.plan import plan_import
from debate.imports.save import save_import
from debate.models import Article, ArticlePost, Claim, Post, Proposition, Speaker, Stance

from .factories import default_debate, quote_in, quoting_article
from .test_annotation import loaded_form, new_stance
from .test_import_admin import confirm

pytestmark = pytest.mark.django_db

PAYLOAD_FILE = Path(__file__).with_name("xss_payloads.txt")


def load_payloads() -> list[str]:
    lines = PAYLOAD_FILE.read_text(encoding="utf-8").splitlines()
    return [line.replace("\\n", "\n") for line in lines if line and not line.startswith("## ")]


PAYLOADS = load_payloads()
BASE_TIME = datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC)
VALUES = ["pro", "anti", "neutral"]


# --- The check --------------------------------------------------------------------------------

# Elements that load or run something, or change where the page's links and forms go.
FORBIDDEN_TAGS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "template",
    "foreignobject", "animate", "set", "animatetransform", "animatemotion", "handler",
    "listener", "isindex", "noscript", "math",
}  # fmt: skip
# Attributes a browser follows as a URL (SVG animation's "to"/debates/open-source-ai/"values" set one too).
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
    "cite", "srcset", "ping", "codebase", "dynsrc", "lowsrc", "longdesc", "profile", "usemap",
    "manifest", "icon", "to", "from", "values", "by", "hx-get", "hx-post", "hx-put",
    "hx-patch", "hx-delete", "data-hx-get", "data-hx-post",
}  # fmt: skip
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
# Browsers drop these from a URL before reading its scheme.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_NONCE = re.compile(r"'nonce-([^']+)'")


def scheme_of(url: str) -> str:
    return _URL_NOISE.sub("", url).lower()


class ExecutableFinder(HTMLParser):
    """Everything in a page that a browser could run, load or be redirected by."""

    def __init__(self, nonce: str | None, allow_static_scripts: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.allow_static_scripts = allow_static_scripts
        self.found: list[str] = []
        self.script: dict[str, str | None] | None = None
        self.script_text: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)
        if tag == "script":
            self.handle_endtag("script")

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        shown = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in attrs)}>"
        if tag in FORBIDDEN_TAGS:
            self.found.append(f"forbidden element {shown}")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or "hx-on" in name:
                self.found.append(f"event handler {name} in {shown}")
            elif name in {"style", "srcdoc"}:
                self.found.append(f"{name} attribute in {shown}")
            elif name in URL_ATTRIBUTES and scheme_of(value).startswith(BAD_SCHEMES):
                self.found.append(f"scripted URL in {shown}")
            elif name.endswith("hx-trigger") and re.search(r"\b(load|every)\b", value):
                # htmx requests that fire by themselves: none of ours does.
                self.found.append(f"self-firing htmx request in {shown}")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            self.found.append(f"meta refresh {shown}")
        if tag == "link" and (attributes.get("rel") or "").lower() not in {
            "icon", "stylesheet", "alternate", "canonical",
        }:  # fmt: skip
            self.found.append(f"unexpected link {shown}")
        if tag == "script":
            self.script, self.script_text = attributes, []
            src = attributes.get("src") or ""
            static = self.allow_static_scripts and src.startswith("/static/")
            if not static and (self.nonce is None or attributes.get("nonce") != self.nonce):
                self.found.append(f"script without the page's nonce {shown}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self.script is not None:
            content = "".join(self.script_text)
            if self.script.get("type") == "application/ld+json":
                try:
                    json.loads(content)
                except ValueError:
                    self.found.append(f"JSON-LD broken open: {content[:200]!r}")
            self.script = None

    def handle_data(self, data: str) -> None:
        (self.script_text if self.script is not None else self.text).append(data)


def executable_parts(html: str, nonce: str | None, *, admin: bool = False) -> list[str]:
    finder = ExecutableFinder(nonce, allow_static_scripts=admin)
    finder.feed(html)
    finder.close()
    return finder.found


def page_text(html: str) -> str:
    finder = ExecutableFinder(None)
    finder.feed(html)
    return "".join(finder.text)


@dataclass
class Checked:
    url: str
    html: str
    text: str


def check_page(client: Client, url: str, *, admin: bool = False, **headers: str) -> Checked:
    """Fetch an HTML page, fail on anything executable in it, and return it."""
    response = client.get(url, follow=True, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"].startswith("text/html"), url
    html = response.content.decode()
    match = _NONCE.search(response.get("Content-Security-Policy", ""))
    problems = executable_parts(html, match.group(1) if match else None, admin=admin)
    assert problems == [], f"{url}:\n" + "\n".join(problems)
    return Checked(url, html, page_text(html))


def check_timeline(client: Client, url: str = "/debates/open-source-ai/") -> str:
    """Every page of the timeline, as "Later posts" (and, through htmx, scrolling) loads
    them; returns their text."""
    pages = [check_page(client, url)]
    while match := re.search(
        r'<a class="button" href="(/debates/open-source-ai/\?[^"]*after=[^"]*)"', pages[-1].html
    ):
        following = match.group(1).replace("&amp;", "&")
        pages.append(check_page(client, following))
        check_page(client, following, HX_Request="true", HX_Target="load-more")
    return "".join(page.text for page in pages)


def check_feed(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml"), url
    root = ET.fromstring(response.content)  # noqa: S314  (our own output, parsed to check it)
    problems: list[str] = []
    texts: list[str] = []
    for element in root.iter():
        href = element.get("href") or ""
        if scheme_of(href).startswith(BAD_SCHEMES):
            problems.append(f"scripted link {href!r}")
        if element.get("type") == "html" or element.tag.endswith("summary"):
            problems += executable_parts(element.text or "", None)
            texts.append(page_text(element.text or ""))
        elif element.text:
            texts.append(element.text)
    assert problems == [], f"{url}:\n" + "\n".join(problems)
    return "\n".join(texts)


def check_json(client: Client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/json"), url
    assert response["X-Content-Type-Options"] == "nosniff", url
    return json.loads(b"".join(response.streaming_content))


# --- A debate made of payloads ----------------------------------------------------------------


def fit(model: type, field: str, text: str) -> str:
    """The payload cut to what the column holds (a cut payload is a payload too)."""
    limit = model._meta.get_field(field).max_length
    return text[:limit] if limit else text


@dataclass
class PayloadDebate:
    posts: list[Post]
    speakers: list[Speaker]
    articles: list[Article]
    propositions: list[Proposition]


def build_payload_debate(payloads: list[str] = PAYLOADS) -> PayloadDebate:
    """For each payload: an annotator, a speaker, a post (every other one replying to and
    quoting the one before), its claim with stances, and an article that quotes the post and
    makes a prose claim; the payload in every field a person writes. (Propositions, which
    every speaker page charts, get their own test: see ``build_payload_propositions``.)"""
    users = get_user_model()
    second = users.objects.create_user(username="xss-second", first_name=payloads[0][:150])
    propositions = [
        Proposition.objects.create(
            slug=f"xss-shared-{n}",
            label=f"Shared {n}",
            statement=f"Shared proposition {n}",
            pro_label=f"for {n}",
            anti_label=f"against {n}",
        )
        for n in range(3)
    ]
    made = PayloadDebate([], [], [], propositions)
    debate = default_debate()  # the hub check_timeline reads
    debate.propositions.add(*propositions)
    previous: Post | None = None
    for i, p in enumerate(payloads):
        user = users.objects.create_user(username=f"xss-{i}", first_name=p[:150], last_name=p[:150])
        speaker = Speaker.objects.create(
            name=fit(Speaker, "name", p),
            slug=f"xss-speaker-{i}",
            handle=f"xss{i}",
            role=fit(Speaker, "role", p),
            bio=p,
        )
        reply = previous if i % 2 else None
        post = Post.objects.create(
            speaker=speaker,
            handle_shown=f"xss{i}",
            display_name_shown=fit(Post, "display_name_shown", p),
            text=p,
            posted_at=BASE_TIME + datetime.timedelta(hours=i),
            time_known=True,
            in_reply_to=reply,
            reply_basis="inferred" if reply else "",
            quotes=reply,
            quote_basis="explicit" if reply else "",
        )
        previous = post
        claim = Claim.objects.create(
            speaker=speaker, post=post, summary=fit(Claim, "summary", p), quote=p
        )
        proposition = propositions[i % 3]
        for annotator, value in ((user, VALUES[i % 3]), (second, VALUES[(i + 1) % 3])):
            # Two annotators who disagree: the card shows both, and the dispute.
            Stance.objects.create(
                claim=claim, proposition=proposition, value=value, rationale=p, evidence=p,
                annotator=annotator,
            )  # fmt: skip
        article = Article.objects.create(
            debate=debate,
            title=fit(Article, "title", p),
            slug=f"xss-article-{i}",
            outlet=fit(Article, "outlet", p),
            published_on=datetime.date(2024, 3, 2),
            body=f"{p}\nThey wrote: {p} and more.\n{p}\n— {speaker.name} (@xss{i}) March 2, 2024\n"
            "Closing words.",
        )
        ArticlePost.objects.create(article=article, post=post, position=1)
        prose = Claim.objects.create(
            speaker=speaker, article=article, summary=fit(Claim, "summary", p), quote=p
        )
        Stance.objects.create(
            claim=prose, proposition=proposition, value=VALUES[(i + 2) % 3], rationale=p,
            evidence=p, annotator=user,
        )  # fmt: skip
        made.posts.append(post)
        made.speakers.append(speaker)
        made.articles.append(article)
    return made


def build_payload_propositions(payloads: list[str] = PAYLOADS) -> tuple[Post, list[Proposition]]:
    """A proposition per payload (label, statement, description, side labels), and one
    post whose claim takes a side on each, so the side labels show on cards and charts."""
    speaker = Speaker.objects.create(name="Proposition Tester", slug="xss-tester", handle="xsst")
    post = Post.objects.create(
        speaker=speaker,
        handle_shown="xsst",
        display_name_shown="Proposition Tester",
        text="A post with a stance on every proposition.",
        posted_at=BASE_TIME,
    )
    debate = default_debate()
    quote_in(quoting_article(debate), post, 1)
    claim = Claim.objects.create(speaker=speaker, post=post, summary="Every side", quote=post.text)
    annotator = get_user_model().objects.create_user(username="xss-propositions")
    propositions = []
    for i, p in enumerate(payloads):
        proposition = Proposition.objects.create(
            slug=f"xss-proposition-{i}",
            **{
                f: fit(Proposition, f, p) for f in ("label", "statement", "pro_label", "anti_label")
            },
            description=p,
        )
        proposition.debates.add(debate)
        Stance.objects.create(
            claim=claim, proposition=proposition, value=VALUES[i % 3], rationale="Why.",
            annotator=annotator,
        )  # fmt: skip
        propositions.append(proposition)
    return post, propositions


@pytest.fixture(scope="module")
def payload_debate(django_db_setup, django_db_blocker) -> Iterator[PayloadDebate]:
    """Built once for the module, inside a transaction rolled back at its end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_payload_debate()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def shown(payload: str, text: str) -> bool:
    return " ".join(payload.split()) in " ".join(text.split())


# --- Tests ------------------------------------------------------------------------------------


def test_the_corpus_has_at_least_sixty_distinct_payloads():
    assert len(PAYLOADS) >= 60
    assert len(set(PAYLOADS)) == len(PAYLOADS)


def raw_contexts(payload: str) -> list[str]:
    """Where a payload would land if nothing escaped it: text, attribute values, Markdown."""
    return [
        f"<p>{payload}</p>",
        f'<a title="{payload}">x</a>',
        f"<a title='{payload}'>x</a>",
        f"<a title={payload}>x</a>",
        markdown.markdown(payload),
    ]


# Inert even unescaped: already encoded, or not markup at all.
INERT = {
    "javascript:xss()",
    "&lt;script&gt;xss()&lt;/script&gt;",
    "&#60;script&#62;xss()&#60;/script&#62;",
    "&#x3C;img src=x onerror=xss()&#x3E;",
    "%3Cscript%3Exss()%3C/script%3E",
    "\\u003cscript\\u003exss()\\u003c/script\\u003e",
    "\\x3cscript\\x3exss()\\x3c/script\\x3e",
    "＜script＞xss()＜/script＞",
    "{{ 7|add:7 }}{% debug %}${xss()}",
    "<!--<script>xss()</script>-->",  # a comment, where HTML is parsed
    "<javascript:xss()>",  # an element with an odd name
    "<img src=`x`onerror=xss()>",  # backticks quoted attributes only in old Internet Explorer
    "`onmouseover=xss()",
}


def test_the_check_catches_every_live_payload_when_nothing_escapes_it():
    """The check is not blind: each payload, put in a page raw, is caught; escaped, none is."""
    missed = [
        p
        for p in PAYLOADS
        if p not in INERT and not any(executable_parts(html, "n0nce") for html in raw_contexts(p))
    ]
    assert missed == []
    assert [p for p in PAYLOADS if executable_parts(f"<p>{escape(p)}</p>", "n0nce")] == []


PARAMETERS = ["stance", "proposition", "article", "from", "to", "order", "after"]


def hostile_queries() -> Iterator[list[tuple[str, str]]]:
    """Query strings carrying every payload in the search and in speaker names, and in turn
    in each other parameter: three payloads a request, so that the test stays quick (every
    word searched for costs the timeline a query condition)."""
    n = len(PAYLOADS)
    for k in range(0, n, 3):
        query = [("speaker", PAYLOADS[(k + j) % n]) for j in range(5)]
        query += [(name, PAYLOADS[(k + j) % n]) for j, name in enumerate(PARAMETERS)]
        query.insert(-2, ("q", " ".join(PAYLOADS[k : k + 3])))  # the order the timeline keeps
        yield query


@pytest.mark.parametrize(
    "page",
    [
        "/debates/open-source-ai/",
        "/debates/open-source-ai/feed/",
        "/debates/open-source-ai/export.json",
    ],
)
def test_payloads_in_the_query_string_are_not_reflected_as_markup(client, seed, page):
    for n, query in enumerate(hostile_queries()):
        url = f"{page}?{urlencode(query)}"
        if page == "/debates/open-source-ai/feed/":
            check_feed(client, url)
        elif page == "/debates/open-source-ai/export.json":
            check_json(client, url)
        else:
            check_page(client, url)
            if n % 3 == 0:  # the same partials, swapped in by htmx
                check_page(client, url, HX_Request="true", X_Threadline_Sync="all")


# --- Through the editors' forms and the import -----------------------------------------------


@pytest.fixture
def superuser_client(db):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("xss-chief", "c@example.org"))
    return client


def test_speakers_written_in_the_admin_show_their_payloads_as_text(superuser_client, client):
    for i, p in enumerate(PAYLOADS):
        response = superuser_client.post(
            "/admin/debate/speaker/add/",
            {"name": fit(Speaker, "name", p), "slug": f"admin-xss-{i}", "handle": f"adm{i}",
             "role": fit(Speaker, "role", p), "bio": p, "profile_url": ""},
        )  # fmt: skip
        assert response.status_code == 302, (p, response.content[:2000])
        speaker = Speaker.objects.get(slug=f"admin-xss-{i}")
        assert speaker.bio.replace("\r\n", "\n") == p  # stored verbatim
        page = check_page(client, f"/speakers/{speaker.slug}/")
        assert shown(p, page.text)


def test_claims_and_stances_written_in_the_admin_show_their_payloads_as_text(
    superuser_client, client
):
    """Through the claim form, as an editor annotates: summary and quote, and a stance with
    its Markdown rationale and evidence; the editor's own page and preview are checked too."""
    proposition = Proposition.objects.create(
        slug="p", label="P", statement="S", pro_label="pro-p", anti_label="anti-p"
    )
    proposition.debates.add(default_debate())
    speaker = Speaker.objects.create(name="Writer", slug="writer", handle="writer")
    blank = loaded_form(superuser_client, "/admin/debate/claim/add/")
    for i, p in enumerate(PAYLOADS):
        post = Post.objects.create(
            speaker=speaker, handle_shown="writer", display_name_shown="Writer", text=p,
            posted_at=BASE_TIME + datetime.timedelta(hours=i),
        )  # fmt: skip
        quote_in(quoting_article(default_debate()), post, i + 1)
        data = blank | {"speaker": [str(speaker.pk)], "post": [str(post.pk)], "article": [""],
                 "summary": [fit(Claim, "summary", p)], "quote": [p]}  # fmt: skip
        data = new_stance(data, proposition, rationale=p, evidence=p, value=VALUES[i % 3])
        response = superuser_client.post("/admin/debate/claim/add/", data)
        assert response.status_code == 302, (p, response.content.decode()[:3000])
        claim = Claim.objects.get(post=post)
        stance = claim.stances.get()
        assert stance.rationale.replace("\r\n", "\n") == p
        if i % 8 == 0:  # the editor's page renders the rationale through the same sanitizer
            check_page(superuser_client, f"/admin/debate/claim/{claim.pk}/change/", admin=True)
        preview = superuser_client.post(
            "/admin/debate/stance/preview/",
            {"stances-0-rationale": p},
            headers={"HX-Request": "true", "HX-Trigger-Name": "stances-0-rationale"},
        )
        assert preview.status_code == 200
        assert executable_parts(preview.content.decode(), None) == [], p
    text = check_timeline(client)
    assert [p for p in PAYLOADS if not shown(p, text)] == []
    check_page(superuser_client, "/admin/debate/claim/", admin=True)
    check_page(superuser_client, "/admin/debate/stance/", admin=True)


@pytest.mark.parametrize(
    "url", ["javascript:xss()", "JAVASCRIPT:xss()", " javascript:xss()", "data:text/html,x",
            "vbscript:msgbox(1)", "java\tscript:xss()"],
)  # fmt: skip
def test_link_fields_refuse_scripted_urls(superuser_client, url):
    response = superuser_client.post(
        "/admin/debate/speaker/add/",
        {"name": "Someone", "slug": "someone", "handle": "someone", "profile_url": url},
    )
    assert response.status_code == 200 and not Speaker.objects.filter(slug="someone").exists()
    assert "Enter a valid URL" in response.content.decode()
    response = superuser_client.post(
        "/admin/debate/article/add/",
        {"title": "T", "slug": "t", "body": "B", "url": url, "quoted_posts-TOTAL_FORMS": "0",
         "quoted_posts-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 200 and not Article.objects.filter(slug="t").exists()
    assert "Enter a valid URL" in response.content.decode()


def import_text(i: int, p: str) -> str:
    """A small article for the importer: the payload as title, prose, post and author."""
    one_line = " ".join(p.split())
    return (
        f"{one_line}\nThe prose quotes {one_line} here.\n{p}\n"
        f"— {one_line} (@imp{i}) March 2, 2024\nAnd a reply @imp{i} {one_line}\n"
        f"— Someone {i} (@imq{i}) March 3, 2024\n"
    )


def test_imported_articles_show_their_payloads_as_text(client):
    # Into an empty Threadline, an import makes a debate named after the article.
    first = save_import(parse(import_text(len(PAYLOADS), "<script>xss()</script> opens it")))
    named = first.article.debate
    assert named.title == "<script>xss()</script> opens it"
    check_page(client, "/")
    check_page(client, named.get_absolute_url())
    hub = default_debate()
    imported: list[Article] = []
    for i, p in enumerate(PAYLOADS):
        try:
            parsed = parse(import_text(i, p))
        except ParseError:
            continue  # refused with a message: nothing to render
        plan_import(parsed)
        imported.append(save_import(parsed, Decisions(debate=hub.slug)).article)
    assert len(imported) >= 0.9 * len(PAYLOADS)
    for article in imported:
        check_page(client, f"/articles/{article.slug}/")
    # Their posts and the speakers the import made, named after the attribution lines.
    text = check_timeline(client)
    assert sum(shown(" ".join(p.split()), text) for p in PAYLOADS) >= 0.9 * len(PAYLOADS)
    check_page(client, "/speakers/")
    check_feed(client, "/debates/open-source-ai/feed/")


def test_the_import_page_shows_pasted_payloads_as_text(superuser_client, client):
    text = "A pasted article\n" + "".join(
        import_text(i, p).split("\n", 1)[1] for i, p in enumerate(PAYLOADS)
    )
    debate_title = "<img src=x onerror=xss()> debate"
    response = superuser_client.post(
        "/admin/debate/article/import/",
        {"action": "preview", "text": text, "new_debate": debate_title},
    )
    assert response.status_code == 200
    html = response.content.decode()
    match = _NONCE.search(response.get("Content-Security-Policy", ""))
    problems = executable_parts(html, match.group(1) if match else None, admin=True)
    assert problems == [], "\n".join(problems)
    assert shown("<script>xss()</script>", page_text(html))
    done = confirm(superuser_client, response)
    assert done.status_code == 302, done.content.decode()[:3000]
    article = Article.objects.get(title="A pasted article")
    assert article.quoted_posts.count() >= 0.9 * len(PAYLOADS)
    assert article.debate.title == debate_title
    check_page(client, f"/articles/{article.slug}/")
    check_page(client, article.debate.get_absolute_url())


def test_propositions_show_their_payloads_as_text_wherever_they_appear(client):
    post, propositions = build_payload_propositions()
    listing = check_page(client, "/debates/open-source-ai/propositions/")
    check_page(client, "/debates/open-source-ai/map/")
    check_page(client, "/debates/open-source-ai/")
    check_page(client, f"/posts/{post.pk}/")
    check_page(client, f"/speakers/{post.speaker.slug}/")
    check_feed(client, "/debates/open-source-ai/feed/")
    for proposition in propositions:
        assert shown(proposition.label, listing.text)
        page = check_page(client, f"/debates/open-source-ai/propositions/{proposition.slug}/")
        assert shown(proposition.statement, page.text), page.url


# --- The payload debate's pages --------------------------------------------------------------


def test_the_timeline_shows_every_payload_as_text(client, payload_debate):
    text = check_timeline(client)
    missing = [p for p in PAYLOADS if not shown(p, text)]
    assert missing == [], "payloads the timeline does not show as text"
    # A filter change swaps the results (and the facets, out of band) through htmx.
    check_page(
        client, "/debates/open-source-ai/?proposition=xss-shared&stance=anti", HX_Request="true"
    )
    check_page(
        client,
        "/debates/open-source-ai/?q=script&order=newest",
        HX_Request="true",
        X_Threadline_Sync="all",
    )


def test_every_post_page_shows_its_payload_as_text(client, payload_debate):
    for post, p in zip(payload_debate.posts, PAYLOADS, strict=True):
        page = check_page(client, f"/posts/{post.pk}/")
        assert shown(p, page.text), page.url


def test_every_article_page_shows_its_payload_as_text(client, payload_debate):
    for article, p in zip(payload_debate.articles, PAYLOADS, strict=True):
        page = check_page(client, f"/articles/{article.slug}/")
        assert shown(p[:300], page.text), page.url


def test_the_speaker_pages_show_names_roles_and_bios_as_text(client, payload_debate):
    listing = check_page(client, "/speakers/")
    for speaker, p in zip(payload_debate.speakers, PAYLOADS, strict=True):
        assert shown(speaker.name, listing.text)
        page = check_page(client, f"/speakers/{speaker.slug}/")
        assert shown(p, page.text), page.url  # the bio, whole


def test_the_feed_and_the_json_export_carry_payloads_as_data(client, payload_debate):
    text = check_feed(client, "/debates/open-source-ai/feed/")
    assert sum(shown(p, text) for p in PAYLOADS) >= 50  # the feed's 50 newest posts
    data = check_json(client, "/debates/open-source-ai/export.json")
    assert [post["text"] for post in data["posts"]][: len(PAYLOADS)] == PAYLOADS
