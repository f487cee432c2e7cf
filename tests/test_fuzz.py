"""Property-based fuzzing (hypothesis): whatever query string, headers or form data arrive,
every public URL, the admin's lists and pages (with any ids, Unicode digits among them) and its
import form answer clearly, never with a server error.

A server error shows up twice here: the test client re-raises an exception from a view, and
any answer of 500 or more fails the property. Exports stream, so their bodies are read to the
end: an error half-way through a stream would reach a reader as a cut-off file.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .factories import make_user
from .public_urls import DATA, PAGES, concrete, seed_post_page

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=50,
    deadline=None,
    database=None,  # no example database in the working tree; failures print their seed
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

PUBLIC = [*PAGES, *DATA, "/healthz"]
PARAMETERS = ["speaker", "stance", "proposition", "article", "from", "to", "q", "order", "after"]
# Values that mean something somewhere, next to anything at all.
MEANINGFUL = [
    "", " ", "pro", "anti", "neutral", "newest", "oldest", "relevance", "elon-musk",
    "marc-andreessen", "vinod-khosla", "open-source-ai", "musks-grok-to-go-open-source",
    "2024-03-02", "2024-02-30", "9999-12-31", "0001-01-01", "-1", "0", "50", "1e309", "nan",
    "20240302T000000.000000Z-4", "20240302T000000.000000Z-99999999999999999999999",
    "99991231T235959.999999Z-1", "00010101T000000.000000Z-0", "Z-", "-", "manhattan",
    "open & source", '"quoted phrase"', "-excluded or", "état", "🇺🇸", "a" * 300,
]  # fmt: skip
HEADERS = ["HX-Request", "HX-Target", "HX-History-Restore-Request", "X-Threadline-Sync",
           "Accept", "If-None-Match", "HX-Current-URL", "HX-Trigger", "Accept-Language"]  # fmt: skip
HEADER_VALUES = ["true", "false", "", "load-more", "results", "filters", "all", "*",
                 '"abc"', 'W/"abc", "def"', "text/html", "application/json", "*/*;q=0"]  # fmt: skip

values = st.one_of(st.sampled_from(MEANINGFUL), st.text(max_size=80))
names = st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=12))
# What a raw query string may carry that no form would send: bytes that are not UTF-8, stray
# separators and escapes.
junk = st.one_of(
    st.binary(max_size=30).map(lambda raw: "".join(f"%{byte:02X}" for byte in raw)),
    st.sampled_from(["&", "&&", "=", "==", ";", "%", "%zz", "%u0041", "+", "?", "#", "[]"]),
)


@st.composite
def query_strings(draw) -> str:
    pairs = draw(st.lists(st.tuples(names, values), max_size=10))
    parts = [f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in pairs]
    parts += draw(st.lists(junk, max_size=3))
    return "&".join(draw(st.permutations(parts)))


header_value = st.one_of(
    st.sampled_from(HEADER_VALUES),
    # What a WSGI server can hand over: Latin-1 text without line breaks.
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=60),
)
headers = st.dictionaries(st.sampled_from(HEADERS), header_value, max_size=len(HEADERS))


def answer(client: Client, method: str, path: str, **kwargs) -> int:
    """The status of a request, after following redirects (the timeline tidies its query
    string that way) and reading a streamed body to its end."""
    response = getattr(client, method)(path, follow=method in ("get", "head"), **kwargs)
    if response.streaming:
        b"".join(response.streaming_content)
    assert response.status_code < 500, (method, path, kwargs, response.status_code)
    return response.status_code


# The timeline reads the most parameters; then the other pages; then the feed and exports.
GROUPS = {"timeline": PAGES[:1], "pages": [*PAGES[1:], "/healthz"], "exports": DATA}


@pytest.mark.parametrize("group", GROUPS)
@settings(FUZZ, max_examples=100)
@given(data=st.data(), query=query_strings(), sent=headers)
def test_any_query_string_and_headers_get_a_clear_answer(client, seed, group, data, query, sent):
    path = concrete(data.draw(st.sampled_from(GROUPS[group]), label="path"))
    # In the URL, not as QUERY_STRING: the test client would send that again on a redirect.
    status = answer(client, "get", f"{path}?{query}", headers=sent)
    assert status in {200, 301, 302, 304, 400, 404}, status
    status = answer(client, "head", f"{path}?{query}", headers=sent)
    assert status in {200, 301, 302, 304, 400, 404}, status


slugs = st.one_of(
    st.sampled_from(["elon-musk", "open-source-ai", "musks-grok-to-go-open-source", "x" * 500]),
    st.from_regex(r"[-a-zA-Z0-9_]{1,120}", fullmatch=True),
)


# Three of the seed's posts (the first, one in the thread, the last), by their first words.
SEED_POSTS = ["This week, @xAI", "Let's assume", "Razor sharp"]


@FUZZ
@given(
    number=st.one_of(st.integers(min_value=0, max_value=10**30), st.sampled_from(SEED_POSTS)),
    slug=slugs,
    kind=st.sampled_from(["articles", "speakers", "propositions"]),
)
def test_any_post_number_or_slug_is_found_or_not_found(client, seed, number, slug, kind):
    path = seed_post_page(number) if isinstance(number, str) else f"/posts/{number}/"
    assert answer(client, "get", path) in {200, 404}
    assert answer(client, "get", f"/{kind}/{slug}/") in {200, 404}


form_data = st.dictionaries(names, st.one_of(values, st.lists(values, max_size=3)), max_size=8)


@settings(FUZZ, max_examples=60)
@given(
    method=st.sampled_from(["post", "put", "patch", "delete"]),
    data=form_data,
    path=st.sampled_from(PUBLIC),
    sent=headers,
)
def test_forms_sent_to_public_pages_are_refused_as_the_wrong_method(
    client, seed, method, data, path, sent
):
    """Reading pages take no writes: 405, whatever the form holds (/healthz answers all)."""
    status = answer(client, method, concrete(path), data=data, headers=sent)
    assert status == 405 or (path == "/healthz" and status == 200), status


# --- The admin's import form -------------------------------------------------------------------

IMPORT = "/admin/debate/article/import/"
DASHES = ["—", "–", "-", "--", "―"]
MONTHS = ["March", "Mar", "march", "Marchh", "13", ""]


@st.composite
def attribution_lines(draw) -> str:
    """An attribution line as articles print them, or nearly: odd names, handles, dates."""
    dash = draw(st.sampled_from(DASHES))
    name = draw(
        st.one_of(st.sampled_from(["Elon Musk", "Marc Andreessen 🇺🇸", ""]), st.text(max_size=20))
    )
    handle = draw(st.one_of(st.sampled_from(["elonmusk", "pmarca", "vkhosla", "ELONMUSK", "x" * 16, ""]),
                            st.from_regex(r"[A-Za-z0-9_@ ]{0,18}", fullmatch=True)))  # fmt: skip
    day = draw(st.one_of(st.integers(min_value=-1, max_value=40).map(str), st.just("")))
    date = draw(st.sampled_from([f"{m} {day}, 2024" for m in MONTHS] + ["", "yesterday"]))
    link = draw(st.sampled_from(["", "https://x.com/{h}/status/{n}", "javascript:alert(1)"]))
    if link:
        date = f"[{date}]({link.format(h=handle, n=draw(st.integers(0, 10**20)))})"
    return f"{dash} {name} (@{handle}) {date}"


@st.composite
def articles(draw) -> str:
    """Text shaped like a copied article (title, prose, quoted posts), or anything at all."""
    lines = [draw(st.one_of(st.just("A title"), st.text(max_size=40)))]
    for _ in range(draw(st.integers(0, 6))):
        lines.append(draw(st.one_of(st.text(max_size=80), st.just("@pmarca would you?"))))
        if draw(st.booleans()):
            lines.append(draw(attribution_lines()))
    text = "\n".join(lines)
    return draw(st.one_of(st.just(text), st.text(max_size=200)))


uploads = st.one_of(
    st.none(),
    st.builds(
        lambda name, content: SimpleUploadedFile(name, content),
        st.one_of(
            st.sampled_from(["a.txt", "a.md", "a.TXT", "a.exe", "noext", ".txt", "a.txt.exe"]),
            st.text(min_size=1, max_size=20),
        ),
        st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)),
    ),
)


@st.composite
def import_forms(draw) -> dict:
    text = draw(articles())
    data: dict = {
        "action": draw(st.sampled_from(["preview", "confirm", "edit", "", "delete", "x" * 50])),
        "text": text,
        "source": draw(st.one_of(st.just(text), st.text(max_size=50))),
        "source_name": draw(st.text(max_size=20)),
        "outlet": draw(values),
        "url": draw(st.one_of(st.sampled_from(["https://example.org/a", "javascript:x"]), values)),
        "published_on": draw(values),
    }
    for n in draw(st.lists(st.integers(-1, 8), max_size=4)):
        choice = st.sampled_from(["confirm", "change", "drop", "", "maybe"])
        data[f"reply-{n}"] = draw(choice)
        data[f"reply-{n}-target"] = draw(st.one_of(st.integers(-5, 10).map(str), values))
        data[f"date-{n}"] = draw(values)
        data[f"dup-{n}"] = draw(st.one_of(st.sampled_from(["new", "1", "4", "99999"]), values))
    if draw(st.booleans()):
        data["replies-all"] = draw(st.sampled_from(["confirm", "", "no"]))
    upload = draw(uploads)
    if upload is not None:
        data["file"] = upload
    return {key: value for key, value in data.items() if draw(st.integers(0, 9)) or key == "action"}


@pytest.fixture
def importer_client(seed) -> Client:
    user = make_user(username="fuzzing-editor", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_article", "add_post", "view_article"])
    )
    client = Client()
    client.force_login(user)
    return client


@settings(FUZZ, max_examples=80)
@given(data=import_forms())
def test_the_import_form_answers_any_form_data(importer_client, data):
    status = answer(importer_client, "post", IMPORT, data=data)
    assert status in {200, 302}, status  # the form again with what is wrong, or saved


@settings(FUZZ, max_examples=30)
@given(query=query_strings(), sent=headers)
def test_the_import_page_answers_any_query_and_headers(importer_client, query, sent):
    assert answer(importer_client, "get", f"{IMPORT}?{query}", headers=sent) == 200


# --- The admin's lists and pages ---------------------------------------------------------------

ADMIN_MODELS = ["claim", "stance", "post", "article", "speaker", "proposition", "articlepost"]
# What the admin's lists, filters and pages read, ours and Django's.
ADMIN_PARAMETERS = [
    "annotate", "annotated", "queue", "agreement", "drafts", "quoted", "q", "o", "p", "e",
    "all", "_popup", "_to_field", "_changelist_filters", "speaker__id__exact",
    "proposition__id__exact", "stances__proposition__id__exact", "annotator__id__exact",
    "claim__speaker__id__exact", "review_state__exact", "value__exact", "confidence__exact",
    "annotated_at__year", "annotated_at__month", "annotated_at__day", "post__posted_at__year",
    "posted_at__year", "published_on__year", "quoted_in__article__id__exact", "outlet",
]  # fmt: skip
# Digits int() refuses ("²".isdigit() is true) or reads ("٣"), and numbers past 64 bits.
UNICODE_DIGITS = ["²", "³", "¹", "⁰", "①", "٣", "۳", "१", "０", "𝟘", "1²", "²1", "١٢"]
HUGE_NUMBERS = ["99999999999999999999", str(2**63), str(2**63 - 1), str(2**64), "1" * 40]
digits = st.one_of(
    st.sampled_from(UNICODE_DIGITS + HUGE_NUMBERS),
    st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=22),
    st.integers(min_value=-1, max_value=10**25).map(str),
)
admin_values = st.one_of(
    values,
    digits,
    digits.map(lambda number: f"missing-{number}"),
    st.sampled_from(["yes", "no", "disputed", "mine", "any", "1", "-1", "0", "draft"]),
)
admin_names = st.one_of(st.sampled_from(ADMIN_PARAMETERS), st.text(max_size=12))


@st.composite
def admin_query_strings(draw) -> str:
    pairs = draw(st.lists(st.tuples(admin_names, admin_values), max_size=6))
    parts = [f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in pairs]
    parts += draw(st.lists(junk, max_size=2))
    return "&".join(draw(st.permutations(parts)))


@pytest.fixture
def admin_fuzz_client(seed, admin_client) -> Client:
    """A superuser, who may open every page of the admin (made after the seed it edits)."""
    return admin_client


@settings(FUZZ, max_examples=60)
@given(model=st.sampled_from(ADMIN_MODELS), page=st.sampled_from(["", "add/"]),
       query=admin_query_strings())  # fmt: skip
def test_the_admin_lists_and_add_pages_answer_any_query(admin_fuzz_client, model, page, query):
    status = answer(admin_fuzz_client, "get", f"/admin/debate/{model}/{page}?{query}")
    assert status in {200, 302, 400, 404}, status


@settings(FUZZ, max_examples=60)
@given(
    model=st.sampled_from(ADMIN_MODELS),
    object_id=st.one_of(digits, st.integers(min_value=1, max_value=12).map(str)),
    page=st.sampled_from(["change", "history", "delete"]),
    query=st.one_of(st.just(""), admin_query_strings()),
)
def test_any_object_id_on_an_admin_page_is_found_or_not_found(
    admin_fuzz_client, model, object_id, page, query
):
    path = f"/admin/debate/{model}/{quote(object_id, safe='')}/{page}/"
    status = answer(admin_fuzz_client, "get", f"{path}?{query}" if query else path)
    assert status in {200, 302, 400, 404}, status


@settings(FUZZ, max_examples=20)
@given(query=admin_query_strings())
def test_the_agreement_page_answers_any_query(admin_fuzz_client, query):
    assert answer(admin_fuzz_client, "get", f"/admin/debate/stance/agreement/?{query}") == 200
