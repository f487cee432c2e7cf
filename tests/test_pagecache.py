"""Whole pages cached by filter state: ETags, 304s, fresh nonces, and never a stale page."""

import re

import pytest

from debate.models import Article, Claim, Post, Proposition, Speaker, Stance
from debate.versioning import bump

from .public_urls import concrete

pytestmark = pytest.mark.django_db

PAGES = ["/debates/open-source-ai/", "/debates/open-source-ai/?speaker=vinod-khosla", "/posts/<And @pmarca>/", "/articles/musks-grok-to-go-open-source/",
         "/speakers/vinod-khosla/", "/debates/open-source-ai/propositions/open-source-ai/", "/debates/open-source-ai/map/", "/speakers/"]  # fmt: skip


def test_repeat_readers_get_304_until_something_changes(client, seed):
    first = client.get("/debates/open-source-ai/")
    etag = first["ETag"]
    assert first["Cache-Control"] == "no-cache"
    assert "Last-Modified" in first
    assert client.get("/debates/open-source-ai/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert (
        client.get(
            "/debates/open-source-ai/?speaker=elon-musk", HTTP_IF_NONE_MATCH=etag
        ).status_code
        == 200
    )
    stance = Stance.objects.first()
    stance.rationale = "A reason written just now."
    stance.save()
    again = client.get("/debates/open-source-ai/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    assert again["ETag"] != etag


def test_a_cached_page_carries_a_fresh_nonce_matching_its_policy(client, seed):
    client.get("/debates/open-source-ai/")  # fills the cache
    for _ in range(2):
        response = client.get("/debates/open-source-ai/")
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        html = response.content.decode()
        assert f'nonce="{nonce}"' in html
        assert "__threadline_csp_nonce__" not in html


def test_the_htmx_fragment_and_the_full_page_are_cached_apart(client, seed):
    full = client.get("/debates/open-source-ai/?speaker=vinod-khosla").content.decode()
    fragment = client.get(
        "/debates/open-source-ai/?speaker=vinod-khosla",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    )
    assert "<html" in full
    assert "<html" not in fragment.content.decode()
    assert "HX-Request" in fragment["Vary"]


def edits():
    def post():
        p = Post.objects.get(text__startswith="Vinod is lobbying")
        p.text = "Vinod is lobbying hard to ban open source."
        p.save()
        return "lobbying hard to ban"

    def claim():
        c = Claim.objects.get(quote__startswith="We are in a tech economic war")
        c.summary = "AI is a must-win race."
        c.save()
        return "AI is a must-win race."

    def stance():
        s = Stance.objects.filter(proposition__slug="open-source-ai", value="anti").first()
        s.value = "neutral"
        s.save()
        return "neutral"

    def speaker():
        s = Speaker.objects.get(slug="vinod-khosla")
        s.name = "Vinod K. Khosla"
        s.save()
        return "Vinod K. Khosla"

    def article():
        a = Article.objects.get()
        a.title = "Grok goes open source"
        a.save()
        return "Grok goes open source"

    def proposition():
        p = Proposition.objects.get(slug="open-source-ai")
        p.anti_label = "closed-model camp"
        p.save()
        return "closed-model camp"

    return [post, claim, stance, speaker, article, proposition]


@pytest.mark.parametrize("edit", edits(), ids=lambda f: f.__name__)
def test_every_kind_of_edit_shows_on_the_next_page_load(client, seed, edit):
    pages = [concrete(url) for url in PAGES]
    before = {url: client.get(url).content for url in pages}
    shown = edit()
    after = {url: client.get(url).content.decode() for url in pages}
    assert any(shown in html for html in after.values()), f"{shown!r} appears nowhere"
    for url in pages:
        if shown in after[url]:
            assert shown not in before[url].decode() or edit.__name__ == "stance"


def test_bulk_writes_count_as_edits_when_they_say_so(client, seed):
    client.get("/debates/open-source-ai/")
    Post.objects.filter(text__startswith="OpenAI is a lie").update(text_html="OpenAI, a lie")
    assert (
        "OpenAI, a lie" not in client.get("/debates/open-source-ai/").content.decode()
    )  # update() sends no signal
    bump()
    assert "OpenAI, a lie" in client.get("/debates/open-source-ai/").content.decode()


def test_editors_with_a_session_always_get_a_fresh_page(client, seed, admin_user):
    client.get("/debates/open-source-ai/")
    client.force_login(admin_user)
    response = client.get("/debates/open-source-ai/")
    assert "ETag" not in response
    assert "Annotate" in response.content.decode()


def test_bulk_review_in_the_admin_shows_on_the_next_load(client, seed):
    from debate.editing.revisions import set_review_state
    from debate.editing.roles import assign_role

    from .factories import make_user

    reviewer = make_user()
    assign_role(reviewer, reviewer=True)
    stance = Stance.objects.get(claim__quote__startswith="would you open source the manhattan")
    url = f"/posts/{stance.claim.post_id}/"
    assert "; reviewed" not in client.get(url).content.decode()
    set_review_state(Stance.objects.filter(pk=stance.pk), "reviewed", reviewer)
    assert "; reviewed" in client.get(url).content.decode()


def test_a_page_cached_for_one_host_is_not_served_to_another(client, seed, settings):
    # A permalink names its own absolute URL (canonical link, og:url, JSON-LD ids).
    settings.ALLOWED_HOSTS = ["localhost", "threadline.example"]
    url = Post.objects.order_by("pk").first().get_absolute_url()
    first = client.get(url, HTTP_HOST="localhost").content.decode()
    assert "http://localhost" in first
    public = client.get(url, HTTP_HOST="threadline.example", secure=True).content.decode()
    assert "https://threadline.example" in public
    assert "http://localhost" not in public


def test_bulk_edit_counts_once_and_nothing_when_it_fails(seed):
    from django.db.models import F

    from debate.models import SiteVersion
    from debate.versioning import bulk_edit

    before = SiteVersion.objects.get().number
    with bulk_edit():
        Post.objects.update(time_known=True)  # no signals
        Stance.objects.update(version=F("version") + 1)
    assert SiteVersion.objects.get().number == before + 1

    def fails_halfway() -> None:
        with bulk_edit():
            Post.objects.update(time_known=False)
            raise RuntimeError("halfway")

    with pytest.raises(RuntimeError):
        fails_halfway()
    assert SiteVersion.objects.get().number == before + 1
    assert Post.objects.filter(time_known=False).count() == 0


# Flood, bypass and poisoning (issue 15) ------------------------------------------------------


def page_entries() -> int:
    from debate.http.pagecache import page_cache

    return len(page_cache()._cache)  # local memory under tests


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("/debates/open-source-ai/?utm_source=x", "/debates/open-source-ai/"),
        (
            "/debates/open-source-ai/?speaker=vinod-khosla&utm=1",
            "/debates/open-source-ai/?speaker=vinod-khosla",
        ),
        ("/debates/open-source-ai/?fbclid=1&q=open&q=", "/debates/open-source-ai/?q=open"),
        ("/speakers/?utm=1", "/speakers/"),
        ("/debates/open-source-ai/map/?x=", "/debates/open-source-ai/map/"),
        (
            "/debates/open-source-ai/propositions/open-source-ai/?ref=feed",
            "/debates/open-source-ai/propositions/open-source-ai/",
        ),
    ],
)
def test_unknown_query_parameters_redirect_to_the_canonical_url(client, seed, url, canonical):
    before = page_entries()
    response = client.get(url)
    assert response.status_code in (301, 302)
    assert response["Location"] == canonical
    assert page_entries() == before  # nothing stored for the variant


def test_an_htmx_swap_with_unknown_parameters_is_cached_once_as_its_tidy_query(client, seed):
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}
    first = client.get("/debates/open-source-ai/?speaker=vinod-khosla&utm=0", **htmx)
    assert first.status_code == 200
    assert first["HX-Push-Url"] == "/debates/open-source-ai/?speaker=vinod-khosla"
    entries = page_entries()
    for n in range(1, 6):
        again = client.get(f"/debates/open-source-ai/?speaker=vinod-khosla&utm={n}", **htmx)
        assert again["HX-Push-Url"] == "/debates/open-source-ai/?speaker=vinod-khosla"
    assert page_entries() == entries


def test_only_known_htmx_header_values_vary_the_page_key(client, seed):
    client.get("/debates/open-source-ai/")
    client.get("/debates/open-source-ai/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    client.get(
        "/debates/open-source-ai/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="nowhere"
    )  # any other target: one key
    entries = page_entries()
    for n in range(5):
        # Not "true": django-htmx sees no htmx request, so the whole page is what they get.
        page = client.get(
            "/debates/open-source-ai/", HTTP_HX_REQUEST=f"yes{n}", HTTP_HX_TARGET=f"nowhere{n}"
        )
        assert "<html" in page.content.decode()
        fragment = client.get(
            "/debates/open-source-ai/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET=f"nowhere{n}"
        )
        assert "<html" not in fragment.content.decode()
        client.get("/debates/open-source-ai/", HTTP_X_THREADLINE_SYNC=f"some{n}")
    assert page_entries() == entries


def test_an_encoded_htmx_target_is_keyed_as_the_view_reads_it(client, seed):
    # django-htmx decodes HX-Target when HX-Target-URI-AutoEncoded is "true"; a key built from
    # the raw header would store the "load more" fragment under an unknown target's key.
    results = client.get(
        "/debates/open-source-ai/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    ).content
    more = client.get(
        "/debates/open-source-ai/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="%6Coad-more",
        HTTP_HX_TARGET_URI_AUTOENCODED="true",
    ).content
    assert more != results
    assert (
        client.get(
            "/debates/open-source-ai/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="load-more"
        ).content
        == more
    )
    unknown = client.get(
        "/debates/open-source-ai/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="%6Coad-mor"
    ).content
    assert unknown != more


def test_every_htmx_target_in_the_templates_is_a_known_variant():
    from pathlib import Path

    from debate.http.pagecache import HTMX_TARGETS
    from debate.views.fragments import LOAD_MORE_TARGET

    templates = Path(__file__).resolve().parent.parent / "templates" / "debate"
    used = set()
    for template in templates.rglob("*.html"):
        used |= set(re.findall(r'hx-target="#([^"]+)"', template.read_text(encoding="utf-8")))
    assert used
    assert used <= set(HTMX_TARGETS)
    assert LOAD_MORE_TARGET in HTMX_TARGETS


def test_a_made_up_session_cookie_does_not_skip_the_page_cache(client, seed, settings):
    client.cookies[settings.SESSION_COOKIE_NAME] = "notasessionatall0123456789abcdef"
    before = page_entries()
    response = client.get("/speakers/")
    assert response.status_code == 200
    assert "ETag" in response
    assert page_entries() == before + 1  # rendered into the cache, not around it
    # And Django's session middleware tells the browser to forget it.
    assert response.cookies[settings.SESSION_COOKIE_NAME].value == ""


def test_a_real_session_still_skips_the_page_cache(client, seed, admin_user):
    client.force_login(admin_user)
    before = page_entries()
    response = client.get("/speakers/")
    assert response.status_code == 200
    assert "ETag" not in response
    assert page_entries() == before


def test_with_site_url_absolute_urls_never_name_the_request_host(client, seed, settings):
    settings.SITE_URL = "https://threadline.example"
    settings.ALLOWED_HOSTS = ["localhost", "threadline.example", "threadline.example."]
    url = Post.objects.order_by("pk").first().get_absolute_url()
    for host in ("localhost", "localhost:8000", "threadline.example.", "threadline.example"):
        html = client.get(url, HTTP_HOST=host).content.decode()
        assert f'<link rel="canonical" href="https://threadline.example{url}">' in html, host
        assert "localhost" not in html
        assert "threadline.example." not in html
    feed = client.get("/debates/open-source-ai/feed/", HTTP_HOST="localhost:8000").content.decode()
    assert "https://threadline.example/" in feed
    assert "localhost" not in feed


def test_a_malformed_site_url_is_refused(settings):
    from django.core.exceptions import ImproperlyConfigured

    from debate.http.origin import canonical_origin

    settings.SITE_URL = "threadline.example/path"
    with pytest.raises(ImproperlyConfigured):
        canonical_origin()


def test_a_search_for_the_old_nonce_placeholder_is_not_turned_into_the_nonce(client, seed):
    literal = "__threadline_csp_nonce__"
    client.get(f"/debates/open-source-ai/?q={literal}")  # fills the cache
    response = client.get(f"/debates/open-source-ai/?q={literal}")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    html = response.content.decode()
    assert literal in html  # the reader's search is shown as typed
    assert html.count(nonce) == html.count(f'nonce="{nonce}"') > 0
