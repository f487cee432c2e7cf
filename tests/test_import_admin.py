"""The admin's "Import article" page: paste or upload, check the preview, confirm."""

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from debate.models import Article, ArticlePost, Debate, Post, Speaker

from .factories import make_debate, make_post, make_speaker, make_user

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
SEED_SOURCE = ROOT / "fixtures" / "sources" / "000_d1c624b7bb6a7375.txt"
SEED_TEXT = SEED_SOURCE.read_text(encoding="utf-8")
URL = "/admin/debate/article/import/"
EDITOR_PERMS = [
    "add_article", "change_article", "view_article", "add_post", "change_post", "view_post",
    "add_speaker", "change_speaker", "view_speaker",
]  # fmt: skip


def staff(*codenames: str, **fields):
    user = make_user(is_staff=True, **fields)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="debate", codename__in=codenames)
    )
    return user


def counts() -> tuple[int, int, int, int]:
    return (
        Article.objects.count(),
        Speaker.objects.count(),
        Post.objects.count(),
        ArticlePost.objects.count(),
    )


def preview(client, text: str = SEED_TEXT, **extra):
    return client.post(URL, {"action": "preview", "text": text, **extra})


class _Form(HTMLParser):
    """The fields a browser would send from the preview form, as the page sets them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag != "input" or not a.get("name"):
            return
        if a.get("type") in {"radio", "checkbox"} and "checked" not in a:
            return
        self.fields[a["name"]] = a.get("value") or ""


def form_fields(response) -> dict[str, str]:
    reader = _Form()
    reader.feed(response.content.decode())
    return reader.fields


def confirm(client, response, **choices):
    return client.post(URL, {**form_fields(response), **choices, "action": "confirm"})


def text_of(response) -> str:
    """The page's words, tags removed and whitespace folded: what a reader sees."""
    html = re.sub(r"<script.*?</script>", "", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


# --- who may import ---------------------------------------------------------------------------


def test_the_article_list_has_an_import_button_for_editors(editor_client):
    html = editor_client.get("/admin/debate/article/").content.decode()
    assert f'<a href="{URL}" class="importlink">Import article</a>' in html


def test_no_import_button_or_page_without_the_rights(client):
    client.force_login(staff("view_article", "view_post"))
    assert "Import article" not in client.get("/admin/debate/article/").content.decode()
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"action": "preview", "text": SEED_TEXT}).status_code == 403
    assert counts() == (0, 0, 0, 0)


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_superusers_may_import(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    assert client.get(URL).status_code == 200


def test_posting_without_the_csrf_token_is_refused(db):
    user = staff(*EDITOR_PERMS)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(URL, {"action": "preview", "text": SEED_TEXT}).status_code == 403


# --- the form ---------------------------------------------------------------------------------


def test_the_form_has_labelled_controls_and_states_the_limit(editor_client):
    response = editor_client.get(URL)
    html = response.content.decode()
    for name in ("text", "file", "outlet", "url", "published_on"):
        assert f'<label for="id_{name}">' in html
    assert "up to 2 MB" in text_of(response)
    assert 'enctype="multipart/form-data"' in html
    assert "csrfmiddlewaretoken" in html


# --- preview ----------------------------------------------------------------------------------


def test_preview_of_the_seed_shows_everything_and_saves_nothing(editor_client):
    response = preview(editor_client)
    assert response.status_code == 200
    page = text_of(response)
    assert "Found 7 posts by 3 speakers (3 new)" in page
    assert "Musk’s Grok to Go Open Source in a Bold Move for AI (line 1)" in page
    assert "Line 20: repaired “đť•Ź” to “𝕏”" in page
    assert "Line 27: removed page debris" in page
    assert "Twitter’s (now 𝕏) algorithm" in page  # the body as it will be saved
    assert page.count("New will be added") == 3 + 7  # 3 new speakers, 7 new posts
    assert "Post 2 Marc Andreessen 🇺🇸 @pmarca, new speaker" in page
    assert "2 Mar 2024 · line 12, attribution on line 13" in page
    assert "Cut short by the article" in page
    assert "https://pic.twitter.com/cH2c1orQg9" in page
    assert "@vkhosla is not a known speaker" in page
    assert "Suggested reply: post 3 mentions @pmarca" in page
    assert counts() == (0, 0, 0, 0)
    fields = form_fields(response)
    assert fields["source"] == SEED_TEXT
    assert fields["reply-3"] == "drop"  # nothing stored unless the editor confirms


def test_preview_after_loaddata_says_what_is_known(editor_client, seed):
    page = text_of(preview(editor_client))
    assert "This article was imported before" in page
    assert "Importing it again changes nothing." in page
    assert page.count("already in Threadline as post #") == 7
    assert "Known Elon Musk (@elonmusk)" in page
    assert "Already recorded as a reply to post #2 (@pmarca)" in page


def test_an_uploaded_file_is_previewed(editor_client):
    upload = SimpleUploadedFile("grok.md", SEED_SOURCE.read_bytes(), "text/markdown")
    response = editor_client.post(URL, {"action": "preview", "file": upload})
    assert "Found 7 posts by 3 speakers" in text_of(response)
    assert "in “grok.md”" in text_of(response)


# --- confirm ----------------------------------------------------------------------------------


def test_confirm_saves_everything_and_lands_on_the_article(editor_client):
    shown = preview(editor_client, outlet="Tech Daily", url="example.com/grok")
    response = confirm(editor_client, shown, **{"reply-3": "confirm"})
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/debate/article/{article.pk}/change/"
    assert counts() == (1, 3, 7, 7)
    assert (article.outlet, article.url) == ("Tech Daily", "https://example.com/grok")
    reply = Post.objects.get(text__startswith="And @pmarca")
    assert (reply.in_reply_to.text[:17], reply.reply_basis) == ("Vinod is lobbying", "explicit")
    page = text_of(editor_client.get(response["Location"]))
    assert (
        "Imported “Musk’s Grok to Go Open Source in a Bold Move for AI” into a new debate, "
        "“Musk’s Grok to Go Open Source in a Bold Move for AI”: 7 posts (7 new" in page
    )


def test_a_suggestion_left_alone_is_not_stored(editor_client):
    confirm(editor_client, preview(editor_client))
    assert Post.objects.count() == 7
    assert not Post.objects.filter(in_reply_to__isnull=False).exists()


def test_the_editor_may_change_a_replys_target(editor_client):
    text = "\n".join(
        [
            "Title",
            "Prose.",
            "First by A.",
            "— A (@a) March 1, 2024",
            "Second by A.",
            "— A (@a) March 2, 2024",
            "@a I meant your first one.",
            "— B (@b) March 3, 2024",
        ]
    )
    shown = preview(editor_client, text)
    options = re.findall(r'<option value="(\d+)"', shown.content.decode())
    assert options == ["1", "2"]
    confirm(editor_client, shown, **{"reply-3": "change", "reply-3-target": "1"})
    reply = Post.objects.get(text__startswith="@a I meant")
    assert reply.in_reply_to.text == "First by A."


def test_reimporting_says_nothing_changed(editor_client):
    confirm(editor_client, preview(editor_client))
    response = confirm(editor_client, preview(editor_client))
    article = Article.objects.get()
    assert response["Location"] == f"/admin/debate/article/{article.pk}/change/"
    assert counts() == (1, 3, 7, 7)
    page = text_of(editor_client.get(response["Location"]))
    assert "was imported before: nothing changed." in page


def test_an_undated_post_asks_for_its_date(editor_client):
    text = "Title\nProse.\nUndated words.\n— A (@a)\nMore prose."
    shown = preview(editor_client, text)
    page = text_of(shown)
    assert "Undated" in page and "Date of post 1 (the article gives none)" in page
    assert '<input type="date" id="import-date-1" name="date-1"' in shown.content.decode()
    refused = confirm(editor_client, shown)
    assert "Line 4: post 1 (@a) has no date: enter the day it was posted." in text_of(refused)
    assert counts() == (0, 0, 0, 0)
    bad = confirm(editor_client, shown, **{"date-1": "yesterday"})
    assert "“yesterday” is not a date" in text_of(bad)
    confirm(editor_client, shown, **{"date-1": "2024-03-05"})
    assert Post.objects.get().posted_at.date().isoformat() == "2024-03-05"


def test_a_likely_duplicate_may_be_linked(editor_client):
    known = make_post(make_speaker(handle="a"), text="Open research wins.")  # 1 March
    shown = preview(editor_client, "Title\nProse.\nOpen research wins.\n— A (@a) March 9, 2024")
    page = text_of(shown)
    assert f"Yes, it is post #{known.pk}" in page
    assert f"post 1 is likely post #{known.pk} already in Threadline" in page
    confirm(editor_client, shown, **{"dup-1": str(known.pk)})
    assert Post.objects.count() == 1
    assert ArticlePost.objects.get(article__title="Title").post == known


def test_change_the_text_goes_back_to_the_form_with_the_text(editor_client):
    shown = preview(editor_client)
    response = editor_client.post(URL, {**form_fields(shown), "action": "edit"})
    assert "Musk’s Grok to Go Open Source" in response.content.decode()
    assert '<textarea name="text"' in response.content.decode()
    assert counts() == (0, 0, 0, 0)


# --- bad input --------------------------------------------------------------------------------


def upload(client, name: str, content: bytes):
    file = SimpleUploadedFile(name, content, "text/plain")
    return client.post(URL, {"action": "preview", "file": file})


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.txt", b"", "The file is empty"),
        ("a.txt", b"\n \n", "The file is empty"),
        ("a.txt", b"Title\n\x00\x01", "Line 2: This looks like a binary file"),
        ("a.txt", "Title\ncafé".encode("latin-1"), "Line 2: the file is not UTF-8"),
        ("a.txt", b"x" * (2 * 1024 * 1024 + 10), "the limit is 2 MB"),
        ("a.pdf", b"%PDF-1.7", "“a.pdf” is not a .txt or .md file"),
        ("a.txt", "Title\nPost.\n— A (@a) Feb 30, 2024".encode(), "Line 3: “Feb 30, 2024”"),
    ],
)
def test_bad_files_get_a_clear_error_and_nothing_is_written(editor_client, name, content, message):
    response = upload(editor_client, name, content)
    assert response.status_code == 200
    assert message in text_of(response)
    assert "cannot be imported" in text_of(response)
    assert counts() == (0, 0, 0, 0)


def test_pasted_text_errors_keep_the_text_to_fix(editor_client):
    text = "Title\nThe post.\n— A (@a) February 30, 2024"
    response = preview(editor_client, text)
    assert "Line 3: “February 30, 2024” is not a real date: February 2024 has 29 days." in text_of(
        response
    )
    assert "February 30, 2024</textarea>" in response.content.decode()


def test_nothing_to_import_and_both_sources_are_refused(editor_client):
    assert "Paste the article" in text_of(preview(editor_client, "   "))
    file = SimpleUploadedFile("a.txt", SEED_SOURCE.read_bytes())
    both = editor_client.post(URL, {"action": "preview", "text": SEED_TEXT, "file": file})
    assert "not both" in text_of(both)
    assert counts() == (0, 0, 0, 0)


def test_no_posts_found_can_still_be_saved_with_a_warning(editor_client):
    shown = preview(editor_client, "An essay\nJust prose here.\nMore prose.")
    assert "No quoted posts found" in text_of(shown)
    confirm(editor_client, shown)
    assert counts() == (1, 0, 0, 0)


def test_the_text_sent_back_is_parsed_again_not_trusted(editor_client):
    shown = preview(editor_client)
    fields = form_fields(shown)
    fields["source"] = fields["source"].replace("March 3, 2024", "February 30, 2024")
    response = editor_client.post(URL, {**fields, "action": "confirm"})
    assert "Line 17: “February 30, 2024” is not a real date" in text_of(response)
    assert counts() == (0, 0, 0, 0)


def test_a_forged_reply_target_is_refused(editor_client):
    response = confirm(
        editor_client, preview(editor_client), **{"reply-3": "change", "reply-3-target": "7"}
    )
    assert response.status_code == 200
    assert "post 3 can only answer a post quoted before it" in text_of(response)
    assert counts() == (0, 0, 0, 0)


# --- page quality -------------------------------------------------------------------------------


def test_pages_have_no_inline_script_or_style(editor_client):
    for response in (editor_client.get(URL), preview(editor_client)):
        html = response.content.decode()
        assert "style=" not in html
        assert not re.search(r"<style", html)
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag, tag
        assert not re.search(r"\son[a-z]+=", html)
        assert "/static/import/import.js" in html


def test_preview_queries_do_not_grow_with_the_database(editor_client):
    preview(editor_client)  # warm up: sessions, permissions
    with CaptureQueriesContext(connection) as before:
        preview(editor_client)
    for n in range(40):
        make_post(make_speaker(handle=f"other{n}"), text=f"Other post {n}")
    confirm(editor_client, preview(editor_client))
    with CaptureQueriesContext(connection) as after:
        preview(editor_client)  # now every post and speaker is known
    assert len(after) <= len(before) + 2


def test_too_many_suggestions_for_one_form_get_one_checkbox(editor_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    lines = ["A long thread", "Prose."]
    for n in range(12):
        mention = f"@u{(n - 1) % 3} " if n else ""
        lines += [f"{mention}Post {n}", f"— U{n % 3} (@u{n % 3}) March {n + 1}, 2024"]
    shown = preview(editor_client, "\n".join(lines))
    page = text_of(shown)
    assert "11 suggested replies: too many to check one by one here." in page
    assert 'name="reply-' not in shown.content.decode()
    fields = form_fields(shown)
    assert len(fields) < 20
    assert "replies-all" not in fields  # unchecked: confirming is the editor's act
    confirm(editor_client, shown, **{"replies-all": "confirm"})
    assert Post.objects.filter(reply_basis="explicit").count() == 11


# --- request bodies bounded (issue 15) -------------------------------------------------------


class Endless(io.RawIOBase):
    """An upload body that never ends, counting what is read of it."""

    def __init__(self, head: bytes) -> None:
        self.head, self.read_bytes = head, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self.head[self.read_bytes :] or b"x" * len(buffer)
        n = min(len(buffer), len(chunk))
        buffer[:n] = chunk[:n]
        self.read_bytes += n
        return n


def test_an_upload_over_the_limit_stops_while_streaming(editor_client, settings):
    from debate.imports.lines import MAX_BYTES

    assert settings.THREADLINE_MAX_UPLOAD_BYTES == MAX_BYTES
    boundary = "BoUnDaRy"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="action"\r\n\r\npreview\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    body = Endless(head)
    declared = 3 * 1024 * 1024  # under the request limit, over the upload limit
    response = editor_client.generic(
        "POST",
        URL,
        CONTENT_TYPE=f"multipart/form-data; boundary={boundary}",
        CONTENT_LENGTH=str(declared),
        **{"wsgi.input": io.BufferedReader(body)},
    )
    assert response.status_code == 200
    assert "“big.txt” is too large: the limit is 2 MB" in text_of(response)
    assert "cannot be imported" in text_of(response)
    # Stopped at the limit (plus the parser's read-ahead), not read to the declared end.
    assert body.read_bytes < MAX_BYTES + 512 * 1024
    assert counts() == (0, 0, 0, 0)


def test_a_huge_declared_body_is_refused_before_it_is_read(client, seed):
    class Unreadable(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            raise AssertionError("the body was read")

    for path in ("/admin/login/", URL, "/debates/open-source-ai/"):
        response = client.generic(
            "POST",
            path,
            CONTENT_LENGTH=str(1024**3),
            CONTENT_TYPE="application/x-www-form-urlencoded",
            **{"wsgi.input": Unreadable()},
        )
        assert response.status_code == 413, path
    # With the CSRF cookie the sender sets himself, which makes the CSRF middleware read it.
    client.cookies["csrftoken"] = "x" * 32
    response = client.generic(
        "POST", "/admin/login/", CONTENT_LENGTH=str(1024**3), **{"wsgi.input": Unreadable()}
    )
    assert response.status_code == 413


# --- the debate (issue 13) ----------------------------------------------------------------------

SEED_TITLE = "Musk’s Grok to Go Open Source in a Bold Move for AI"


def everything_counted() -> tuple[int, int, int, int]:
    return (
        Article.objects.count(),
        Post.objects.count(),
        Debate.objects.count(),
        Speaker.objects.count(),
    )


def test_the_form_asks_for_the_debate(editor_client):
    html = editor_client.get(URL).content.decode()
    assert 'name="debate"' not in html  # none yet: the article starts one
    assert '<label for="id_new_debate">A first debate, titled:</label>' in html
    only = make_debate(slug="eu-ai-act", title="The EU AI Act")
    html = editor_client.get(URL).content.decode()
    assert '<label for="id_debate">Debate:</label>' in html
    assert f'<option value="{only.slug}" selected>The EU AI Act</option>' in html
    assert "Choose a debate…" not in html
    make_debate(slug="another", title="Another debate")
    html = editor_client.get(URL).content.decode()
    assert '<option value="" selected>Choose a debate…</option>' in html
    assert '<option value="another">Another debate</option>' in html
    assert '<option value="eu-ai-act">The EU AI Act</option>' in html
    assert '<label for="id_new_debate">Or a new debate, titled:</label>' in html


def test_import_into_a_chosen_debate(editor_client, client):
    make_debate(slug="another", title="Another debate")
    act = make_debate(slug="eu-ai-act", title="The EU AI Act")
    shown = preview(editor_client, debate="eu-ai-act")
    assert "Debate “The EU AI Act”, at /debates/eu-ai-act/" in text_of(shown)
    fields = form_fields(shown)
    assert (fields["debate"], fields["new_debate"]) == ("eu-ai-act", "")
    response = confirm(editor_client, shown)
    assert response.status_code == 302
    assert Article.objects.get().debate == act
    assert Debate.objects.count() == 2
    assert "into the debate “The EU AI Act”" in text_of(editor_client.get(response["Location"]))
    assert "will open source Grok" in client.get("/debates/eu-ai-act/").content.decode()


def test_import_into_a_new_debate_titled_by_the_editor(editor_client, client):
    make_debate(slug="eu-ai-act", title="The EU AI Act")  # preselected, but a title wins
    shown = preview(editor_client, debate="eu-ai-act", new_debate="Grok goes open")
    assert "Debate New “Grok goes open”, at /debates/grok-goes-open/, will be added" in text_of(
        shown
    )
    assert everything_counted() == (0, 0, 1, 0)
    response = confirm(editor_client, shown)
    grok = Debate.objects.get(slug="grok-goes-open")
    assert grok.title == "Grok goes open"
    assert (grok.starts_on.isoformat(), grok.ends_on.isoformat()) == ("2024-03-02", "2024-03-11")
    assert Article.objects.get().debate == grok
    assert "into a new debate, “Grok goes open”" in text_of(editor_client.get(response["Location"]))
    assert "will open source Grok" in client.get("/debates/grok-goes-open/").content.decode()


def test_without_debates_the_first_is_named_after_the_article(editor_client):
    shown = preview(editor_client)
    slug = "musks-grok-to-go-open-source-in-a-bold-move-for-ai"
    assert f"Debate New “{SEED_TITLE}”, at /debates/{slug}/, will be added" in text_of(shown)
    confirm(editor_client, shown)
    assert Article.objects.get().debate == Debate.objects.get(slug=slug, title=SEED_TITLE)


def test_no_debate_chosen_among_several_is_refused_clearly(editor_client):
    make_debate(slug="eu-ai-act", title="The EU AI Act")
    make_debate(slug="another", title="Another debate")
    before = everything_counted()
    response = preview(editor_client, outlet="Tech Daily")
    assert response.status_code == 200
    page = text_of(response)
    assert "This article cannot be imported as it is. Nothing was saved:" in page
    assert (
        "Threadline has 2 debates: say which one this article goes into. Choose it under "
        "“Debate”, or give a new debate's title:"
    ) in page
    assert "another: Another debate" in page and "eu-ai-act: The EU AI Act" in page
    html = response.content.decode()
    assert "Musk’s Grok to Go Open Source" in html  # the text, kept to choose and go on
    assert 'value="Tech Daily"' in html
    assert everything_counted() == before
    # The confirm step refuses it as well (nothing chosen was sent back).
    refused = editor_client.post(URL, {"action": "confirm", "source": SEED_TEXT})
    assert "say which one this article goes into" in text_of(refused)
    assert everything_counted() == before


def test_a_debate_deleted_before_confirming_is_refused_and_nothing_is_written(editor_client):
    make_debate(slug="eu-ai-act", title="The EU AI Act")
    gone = make_debate(slug="gone", title="Soon gone")
    shown = preview(editor_client, debate="gone")
    gone.delete()
    before = everything_counted()
    response = confirm(editor_client, shown)
    assert response.status_code == 200
    page = text_of(response)
    assert "No debate has the slug “gone”. It may have just been deleted" in page
    assert "eu-ai-act: The EU AI Act" in page
    assert everything_counted() == before


def test_reimporting_with_another_debate_moves_nothing(editor_client):
    act = make_debate(slug="eu-ai-act", title="The EU AI Act")
    confirm(editor_client, preview(editor_client))
    before = everything_counted()
    shown = preview(editor_client, new_debate="Somewhere else")
    page = text_of(shown)
    assert "in the debate “The EU AI Act”. Importing it again changes nothing." in page
    assert "Debate “The EU AI Act”" in page
    response = confirm(editor_client, shown)
    assert "was imported before: nothing changed." in text_of(
        editor_client.get(response["Location"])
    )
    assert everything_counted() == before
    assert Article.objects.get().debate == act
