"""Saving parsed articles: speakers matched by handle, known posts linked, one transaction;
and the ``import_article`` command that does it from a shell."""

import datetime
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line
from django.db import connection
from django.test.utils import CaptureQueriesContext

from debate.imports.decisions import Decisions
from debate.imports.parse import parse
from debate.imports.plan import plan_import
from debate.imports.save import ImportRejected, save_import
from debate.models import Article, ArticlePost, Debate, Post, Speaker

from .factories import make_article, make_debate, make_post, make_speaker

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
SEED_SOURCE = ROOT / "fixtures" / "sources" / "000_d1c624b7bb6a7375.txt"
SEED_TEXT = SEED_SOURCE.read_text(encoding="utf-8")
UTC = datetime.UTC


def seed_article():
    return parse(SEED_TEXT)


def counts() -> tuple[int, int, int, int]:
    return (
        Article.objects.count(),
        Speaker.objects.count(),
        Post.objects.count(),
        ArticlePost.objects.count(),
    )


def article(*lines: str, title: str = "Open models, again") -> str:
    return "\n".join([title, "Some prose before the posts.", *lines, "Closing prose."])


def synthetic(
    posts: int, speakers: int = 5, title: str = "Synthetic", words: str = "Post number"
) -> str:
    lines = [title]
    for n in range(posts):
        handle = f"user{n % speakers}"
        day = datetime.date(2024, 1, 1) + datetime.timedelta(days=n // 10)
        mention = f"@user{(n - 1) % speakers} " if n % 3 == 0 and n else ""
        lines += [
            f"Prose paragraph {n}.",
            f"{mention}{words} {n}",
            f"— User {n % speakers} (@{handle}) {day:%B} {day.day}, {day.year}",
        ]
    return "\n".join(lines)


# --- the seed article -------------------------------------------------------------------------


def test_seed_into_an_empty_database_gives_seven_posts_by_three_speakers():
    result = save_import(seed_article())
    assert result.created
    assert counts() == (1, 3, 7, 7)
    assert (result.posts_created, result.posts_linked, len(result.speakers_created)) == (7, 0, 3)
    assert {(s.name, s.handle, s.slug) for s in Speaker.objects.all()} == {
        ("Elon Musk", "elonmusk", "elon-musk"),
        ("Marc Andreessen", "pmarca", "marc-andreessen"),
        ("Vinod Khosla", "vkhosla", "vinod-khosla"),
    }
    fixture = {
        o["fields"]["text"]: o["fields"]
        for o in json.loads((ROOT / "fixtures" / "seed_debate.json").read_text())
        if o["model"] == "debate.post"
    }
    for post in Post.objects.select_related("speaker"):
        want = fixture[post.text]
        assert post.posted_at.isoformat() == want["posted_at"].replace("Z", "+00:00")
        assert not post.time_known
        assert (post.handle_shown, post.display_name_shown) == (
            want["handle_shown"],
            want["display_name_shown"],
        )
        assert post.thread_root_id == post.pk  # a thread of its own: no reply confirmed
        assert post.in_reply_to_id is None
    article = Article.objects.get()
    assert article.title == "Musk’s Grok to Go Open Source in a Bold Move for AI"
    assert article.slug == "musks-grok-to-go-open-source-in-a-bold-move-for-ai"
    assert "Twitter’s (now 𝕏)" in article.body
    quoted = list(article.quoted_posts.order_by("position").values_list("position", "post__text"))
    assert [position for position, _ in quoted] == [1, 2, 3, 4, 5, 6, 7]
    assert quoted[0][1] == "This week, @xAI will open source Grok"


def test_derived_fields_are_filled_as_a_model_save_would():
    save_import(seed_article())
    post = Post.objects.get(text__startswith="Vinod is lobbying")
    assert post.links == ["https://t.co/e4kQWzzNKS", "https://t.co/D9ihtHEOiB"]
    assert '<a href="https://t.co/e4kQWzzNKS"' in post.text_html
    musk = Post.objects.get(text__startswith="This week")
    assert '<a href="https://x.com/xAI"' in musk.text_html


def test_importing_the_seed_twice_leaves_seven_and_says_nothing_changed():
    save_import(seed_article())
    before = counts()
    again = save_import(seed_article())
    assert not again.created
    assert counts() == before == (1, 3, 7, 7)
    assert again.summary() == (
        "“Musk’s Grok to Go Open Source in a Bold Move for AI” was imported before: "
        "nothing changed."
    )


def test_seed_after_loaddata_creates_nothing_and_finds_every_post(seed):
    before = counts()
    plan = plan_import(seed_article())
    assert plan.existing_article == Article.objects.get()
    assert [p.status for p in plan.posts] == ["existing"] * 7
    quoted = plan.existing_article.quoted_posts.order_by("position")
    assert [p.existing.pk for p in plan.posts] == list(quoted.values_list("post_id", flat=True))
    assert len(plan.posts) == 7
    assert not plan.new_speakers
    # Khosla's reply is already recorded in the seed: nothing left to decide.
    assert [(r.post, r.target, r.needs_decision) for r in plan.replies] == [(3, 2, False)]
    assert not save_import(seed_article()).created
    assert counts() == before


def test_seed_as_a_second_article_links_every_known_post(seed):
    # The same posts quoted by another article (another title, other prose): linked, not copied.
    first = Article.objects.get()
    quoted = list(first.quoted_posts.order_by("position").values_list("post_id", flat=True))
    assert len(quoted) == 7
    text = SEED_TEXT.replace("Elon Musk has made headlines yet again.", "Another outlet writes.")
    result = save_import(parse(text.replace("Bold Move", "Brave Step", 1)))
    assert result.created
    assert (result.posts_created, result.posts_linked) == (0, 7)
    assert Post.objects.count() == 7
    assert Speaker.objects.count() == 3
    second = Article.objects.exclude(pk=first.pk).get()
    assert (
        list(second.quoted_posts.order_by("position").values_list("post_id", flat=True)) == quoted
    )


# --- speakers and known posts ---------------------------------------------------------------


def test_speakers_are_matched_by_handle_whatever_the_case():
    known = make_speaker(name="Marc A.", slug="marc", handle="PMarca")
    plan = plan_import(parse(article("Hello.", "— Marc Andreessen 🇺🇸 (@pmarca) March 2, 2024")))
    assert plan.speakers[0].speaker == known
    save_import(plan.parsed)
    assert Speaker.objects.count() == 1
    assert Post.objects.get().speaker == known


def test_a_new_speakers_slug_gets_a_number_when_taken():
    make_speaker(name="Elon Musk", slug="elon-musk", handle="otherelon")
    make_speaker(name="Elon Musk", slug="elon-musk-2", handle="thirdelon")
    save_import(parse(article("Hi.", "— Elon Musk 🚀 (@elonmusk) March 2, 2024")))
    created = Speaker.objects.get(handle="elonmusk")
    assert (created.name, created.slug, created.profile_url) == (
        "Elon Musk",
        "elon-musk-3",
        "https://x.com/elonmusk",
    )


def test_an_article_with_a_known_title_but_other_text_is_added_with_a_warning():
    make_article(title="Open models, again", slug="open-models-again", body="Other words.")
    plan = plan_import(parse(article("Hi.", "— A (@a) March 2, 2024")))
    assert any(note.kind == "duplicate-article" for note in plan.warnings)
    result = save_import(plan.parsed)
    assert result.article.slug == "open-models-again-2"


def test_a_second_article_quoting_a_known_post_links_it():
    speaker = make_speaker(handle="ylecun", name="Yann LeCun")
    known = make_post(
        speaker,
        text="Open research wins.",
        posted_at=datetime.datetime(2024, 3, 2, 15, 30, tzinfo=UTC),
        time_known=True,
    )
    text = article(
        "Open research wins.",
        "— Yann LeCun (@YLeCun) 2 March 2024",
        "Something new.",
        "— Yann LeCun (@ylecun) 3 March 2024",
    )
    result = save_import(parse(text))
    assert (result.posts_created, result.posts_linked) == (1, 1)
    assert Post.objects.count() == 2
    assert list(result.article.quoted_posts.values_list("post_id", "position")) == [
        (known.pk, 1),
        (Post.objects.latest("pk").pk, 2),
    ]
    known.refresh_from_db()
    assert known.time_known  # a linked post is left as it was


def test_same_words_on_another_day_is_a_likely_duplicate_the_editor_may_link():
    speaker = make_speaker(handle="a")
    known = make_post(speaker, text="Open research wins.")  # 1 March 2024
    text = article("Open research wins.", "— A (@a) March 5, 2024")
    plan = plan_import(parse(text))
    assert plan.posts[0].status == "duplicate"
    assert plan.posts[0].duplicates == [known]
    assert any(note.kind == "likely-duplicate" for note in plan.warnings)
    result = save_import(plan.parsed, Decisions(link={1: known.pk}))
    assert Post.objects.count() == 1
    assert ArticlePost.objects.get(article=result.article).post == known


def test_a_likely_duplicate_left_alone_becomes_a_new_post():
    speaker = make_speaker(handle="a")
    make_post(speaker, text="Open research wins and everyone benefits from it, always.")
    text = article("Open research wins and everyone benefits…", "— A (@a) March 1, 2024")
    plan = plan_import(parse(text))
    assert plan.posts[0].status == "duplicate"  # the same day, cut short by the article
    save_import(plan.parsed)
    assert Post.objects.count() == 2


def test_a_permalink_identifies_a_known_post():
    speaker = make_speaker(handle="a")
    known = make_post(speaker, text="Stored words.", permalink_url="https://x.com/a/status/99")
    text = article("Printed words.", "— A (@a) [March 1, 2024](https://twitter.com/a/status/99)")
    plan = plan_import(parse(text))
    assert plan.posts[0].existing == known
    assert any(note.kind == "permalink" for note in plan.warnings)


def test_an_article_without_posts_is_saved_alone():
    result = save_import(parse("Just an essay\nNo quoted posts here.\nNone at all."))
    assert result.created
    assert counts() == (1, 0, 0, 0)
    assert result.article.body == "No quoted posts here.\nNone at all."


# --- replies ----------------------------------------------------------------------------------


def test_a_confirmed_suggestion_is_stored_as_an_explicit_reply():
    parsed = seed_article()
    result = save_import(parsed, Decisions(replies={3: 2}))
    assert result.replies_recorded == 1
    reply = Post.objects.get(text__startswith="And @pmarca")
    parent = Post.objects.get(text__startswith="Vinod is lobbying")
    assert (reply.in_reply_to, reply.reply_basis, reply.thread_root) == (parent, "explicit", parent)
    assert Post.objects.filter(in_reply_to__isnull=False).count() == 1


def test_an_unconfirmed_suggestion_stores_nothing():
    save_import(seed_article())
    assert not Post.objects.filter(in_reply_to__isnull=False).exists()


def test_the_editor_may_point_a_reply_at_another_earlier_post_and_threads_follow():
    text = article(
        "Root.",
        "— A (@a) March 1, 2024",
        "@a middle.",
        "— B (@b) March 2, 2024",
        "@b end.",
        "— A (@a) March 3, 2024",
    )
    parsed = parse(text)
    assert [(s.post, s.target) for s in parsed.suggestions] == [(2, 1), (3, 2)]
    save_import(parsed, Decisions(replies={2: 1, 3: 2}))
    root, middle, end = Post.objects.order_by("posted_at")
    assert (middle.in_reply_to, end.in_reply_to) == (root, middle)
    assert {root.thread_root_id, middle.thread_root_id, end.thread_root_id} == {root.pk}


def test_confirming_a_reply_for_a_known_post_moves_its_thread():
    musk = make_speaker(handle="elonmusk", name="Elon Musk")
    known = make_post(
        musk,
        text="OpenAI is a lie @someone",
        posted_at=datetime.datetime(2024, 3, 11, tzinfo=UTC),
    )
    answer = make_post(musk, text="Reply to it.", in_reply_to=known)
    text = article(
        "Lies everywhere.",
        "— Someone (@someone) March 10, 2024",
        "OpenAI is a lie @someone",
        "— Elon Musk (@elonmusk) March 11, 2024",
    )
    plan = plan_import(parse(text))
    assert plan.posts[1].existing == known
    assert [(r.post, r.target, r.needs_decision) for r in plan.replies] == [(2, 1, True)]
    save_import(plan.parsed, Decisions(replies={2: 1}))
    known.refresh_from_db()
    answer.refresh_from_db()
    new_root = Post.objects.get(text="Lies everywhere.")
    assert (known.in_reply_to, known.reply_basis) == (new_root, "explicit")
    assert known.thread_root == answer.thread_root == new_root


@pytest.mark.parametrize(
    ("decisions", "message"),
    [
        (Decisions(replies={2: 3}), "can only answer a post quoted before it"),
        (Decisions(replies={2: 99}), "no such post"),
        (Decisions(replies={1: 1}), "has no reply to confirm"),
        (Decisions(link={1: 12345}), "is not a likely duplicate"),
    ],
)
def test_wrong_decisions_are_refused_and_nothing_is_written(decisions, message):
    text = article(
        "Root.", "— A (@a) March 1, 2024", "@a reply.", "— B (@b) March 2, 2024", "Third.",
        "— C (@c) March 3, 2024",
    )  # fmt: skip
    with pytest.raises(ImportRejected, match=message):
        save_import(parse(text), decisions)
    assert counts() == (0, 0, 0, 0)


def test_a_reply_older_than_its_target_is_refused():
    text = article(
        "Root.", "— A (@a) March 1, 2024", "Later.", "— B (@b) March 5, 2024", "@a hi",
        "— C (@c) March 3, 2024",
    )  # fmt: skip
    parsed = parse(text)
    assert [(s.post, s.target) for s in parsed.suggestions] == [(3, 1)]
    with pytest.raises(ImportRejected) as excinfo:
        save_import(parsed, Decisions(replies={3: 2}))  # the editor picked B's later post
    assert [str(p) for p in excinfo.value.problems] == [
        "Line 7: post 3 (3 Mar 2024) cannot answer post 2 (5 Mar 2024): a reply is never older "
        "than what it answers."
    ]
    assert counts() == (0, 0, 0, 0)


# --- undated posts ----------------------------------------------------------------------------


def test_an_undated_post_needs_a_date_from_the_editor():
    parsed = parse(article("Undated words.", "— A (@a)"))
    with pytest.raises(ImportRejected) as excinfo:
        save_import(parsed)
    assert [str(p) for p in excinfo.value.problems] == [
        "Line 4: post 1 (@a) has no date: enter the day it was posted."
    ]
    assert counts() == (0, 0, 0, 0)
    save_import(parsed, Decisions(dates={1: datetime.date(2024, 3, 5)}))
    post = Post.objects.get()
    assert post.posted_at == datetime.datetime(2024, 3, 5, tzinfo=UTC)
    assert not post.time_known


# --- query counts -----------------------------------------------------------------------------


def queries_to_import(text: str, **debate: str) -> tuple[int, int]:
    parsed = parse(text)
    with CaptureQueriesContext(connection) as planning:
        plan = plan_import(parsed)
    replies = {r.post: r.target for r in plan.replies if r.needs_decision}
    with CaptureQueriesContext(connection) as saving:
        save_import(parsed, Decisions(replies=replies, **debate))
    return len(planning), len(saving)


def test_query_counts_do_not_grow_with_the_article_or_the_database():
    make_debate(slug="other")
    make_debate(slug="synthetic")
    into = {"debate": "synthetic"}
    queries_to_import(synthetic(6, title="Base"), **into)  # every speaker and a few posts known
    small = queries_to_import(synthetic(12, title="Small"), **into)
    assert Post.objects.count() == 12
    large = queries_to_import(synthetic(120, title="Large"), **into)  # ten times the posts
    assert Post.objects.count() == 120
    assert ArticlePost.objects.filter(article__title="Large").count() == 120
    assert large == small
    # Into a new debate each time, its period from the posts' dates: as many for any size.
    small_new = queries_to_import(
        synthetic(12, title="Small 2", words="Another"), debate_title="Small debate"
    )
    large_new = queries_to_import(
        synthetic(120, title="Large 2", words="Another"), debate_title="Large debate"
    )
    assert large_new == small_new
    assert Debate.objects.count() == 4
    assert Article.objects.filter(debate__slug="synthetic").count() == 3


# --- the command --------------------------------------------------------------------------------


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_article", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_text(text: str, *args: str) -> tuple[str, str]:
    """The command reading ``text`` from standard input (PATH "-")."""
    stdin = io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdin", stdin)
        return run("-", *args)


def test_command_dry_run_prints_what_it_found_and_writes_nothing():
    out, _ = run(str(SEED_SOURCE), "--dry-run")
    assert counts() == (0, 0, 0, 0)
    assert "Title (line 1): Musk’s Grok to Go Open Source in a Bold Move for AI" in out
    assert "7 posts quoted, by 3 speakers (3 new)" in out
    assert "Line 20: repaired “đť•Ź” to “𝕏”" in out
    assert "post 3 answers post 2 (it mentions @pmarca)" in out
    assert "Dry run: nothing was written." in out


def test_command_imports_then_says_a_second_run_changes_nothing():
    out, _ = run(str(SEED_SOURCE), "--confirm-replies")
    assert "Imported “Musk’s Grok" in out and "7 posts (7 new, 0 already known)" in out
    assert counts() == (1, 3, 7, 7)
    assert Post.objects.get(text__startswith="And @pmarca").reply_basis == "explicit"
    again, _ = run(str(SEED_SOURCE))
    assert "changes nothing" in again
    assert counts() == (1, 3, 7, 7)


def test_command_shows_progress_for_long_files(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(synthetic(2000), encoding="utf-8")
    out, err = run(str(path))
    assert "Reading: 0 of" in err and "(100%)" in err
    assert "Saving: 2,000 of 2,000 new posts (100%)" in err
    assert "2,000 posts (2,000 new" in out
    assert Post.objects.count() == 2000


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"Title\n\x00\x00binary", "Line 2: This looks like a binary file"),
        ("Title\ncafé".encode("latin-1"), "Line 2: the file is not UTF-8"),
        (
            "Title\nThe post.\n— A (@a) February 30, 2024".encode(),
            "Line 3: “February 30, 2024” is not a real date",
        ),
        (b"Title\nThe post.\n- A (@a)", "Line 3: post 1 (@a) has no date. Add it"),
        (b"x" * (2 * 1024 * 1024 + 1), "the limit is 2 MB"),
    ],
)
def test_command_errors_name_the_line_exit_non_zero_and_write_nothing(tmp_path, content, message):
    path = tmp_path / "article.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=re.escape(message)) as excinfo:
        run(str(path))
    assert "nothing was written" in str(excinfo.value)
    assert counts() == (0, 0, 0, 0)


def test_command_missing_file():
    with pytest.raises(CommandError, match="no such file"):
        run("/nonexistent/article.txt")


def test_command_exit_status_is_non_zero(tmp_path, capsys):
    path = tmp_path / "bad.txt"
    path.write_text("Title\nPost.\n— A (@a) Feb 30, 2024", encoding="utf-8")
    with pytest.raises(SystemExit) as excinfo:
        execute_from_command_line(["manage.py", "import_article", str(path)])
    assert excinfo.value.code == 1
    assert "Line 3: “Feb 30, 2024” is not a real date" in capsys.readouterr().err


def test_replies_that_would_make_a_loop_are_refused():
    # Known: P answers K. An article quotes P, then K @mentioning P's author: the suggestion
    # "K answers P" would close the loop K → P → K.
    k = make_post(make_speaker(handle="kay"), text="@pea K speaks.")
    p = make_post(make_speaker(handle="pea"), text="P answers K.", in_reply_to=k)
    text = article(
        "P answers K.", "— P (@pea) March 1, 2024", "@pea K speaks.", "— K (@kay) March 1, 2024"
    )
    plan = plan_import(parse(text))
    assert [post.existing for post in plan.posts] == [p, k]
    assert [(r.post, r.target, r.needs_decision) for r in plan.replies] == [(2, 1, True)]
    before = counts()  # the factories' article quoting K and P
    with pytest.raises(ImportRejected, match="would end up answering itself"):
        save_import(plan.parsed, Decisions(replies={2: 1}))
    assert counts() == before


# --- the debate an import goes into (issue 13) -------------------------------------------------


def everything_counted() -> tuple[int, int, int, int]:
    return (
        Article.objects.count(),
        Post.objects.count(),
        Debate.objects.count(),
        Speaker.objects.count(),
    )


SEED_TITLE = "Musk’s Grok to Go Open Source in a Bold Move for AI"
SEED_POST = "will open source Grok"  # the first post's words, as the hub shows them


def test_command_with_debate_imports_into_that_debates_hub(client):
    act = make_debate(slug="eu-ai-act", title="The EU AI Act")
    other = make_debate(slug="other", title="Another debate")
    out, _ = run(str(SEED_SOURCE), "--debate", "eu-ai-act")
    assert "Debate: “The EU AI Act” (slug eu-ai-act, at /debates/eu-ai-act/)." in out
    assert f"Imported “{SEED_TITLE}” into the debate “The EU AI Act”: 7 posts" in out
    assert "Read it at /debates/eu-ai-act/" in out
    assert Article.objects.get().debate == act
    assert Debate.objects.count() == 2
    assert SEED_POST in client.get("/debates/eu-ai-act/").content.decode()
    assert SEED_POST not in client.get(other.get_absolute_url()).content.decode()


def test_command_with_debate_and_a_title_creates_that_debate(client):
    make_debate(slug="other", title="Another debate")
    out, _ = run(str(SEED_SOURCE), "--debate", "grok", "--debate-title", "  Grok goes  open ")
    assert "Debate: new, “Grok goes open” (slug grok, at /debates/grok/)" in out
    assert "into a new debate, “Grok goes open”" in out
    grok = Debate.objects.get(slug="grok")
    assert grok.title == "Grok goes open"
    assert Article.objects.get().debate == grok
    # Its period: the days of the posts the article quotes.
    assert (grok.starts_on, grok.ends_on) == (datetime.date(2024, 3, 2), datetime.date(2024, 3, 11))
    assert SEED_POST in client.get("/debates/grok/").content.decode()
    # Given again, the title neither renames it nor makes another: the slug names it.
    text = article("Hi.", "— A (@a) March 2, 2024")
    run_text(text, "--debate", "grok", "--debate-title", "Renamed")
    assert Article.objects.get(title="Open models, again").debate == grok
    assert Debate.objects.get(slug="grok").title == "Grok goes open"
    assert Debate.objects.count() == 2


def test_command_refuses_when_several_debates_and_none_is_chosen():
    make_debate(slug="open-source-ai", title="The open-source AI debate")
    make_debate(slug="eu-ai-act", title="The EU AI Act")
    before = everything_counted()
    with pytest.raises(CommandError) as excinfo:
        run(str(SEED_SOURCE), "--confirm-replies")
    message = str(excinfo.value)
    assert "cannot import it, nothing was written." in message
    assert "Threadline has 2 debates: say which one this article goes into." in message
    assert "--debate SLUG" in message
    assert "    eu-ai-act: The EU AI Act" in message
    assert "    open-source-ai: The open-source AI debate" in message
    assert everything_counted() == before == (0, 0, 2, 0)
    # A dry run says so too, and writes nothing either.
    with pytest.raises(CommandError, match="say which one"):
        run(str(SEED_SOURCE), "--dry-run")
    assert everything_counted() == before


def test_command_refuses_a_debate_that_does_not_exist_without_a_title():
    make_debate(slug="eu-ai-act", title="The EU AI Act")
    with pytest.raises(CommandError) as excinfo:
        run(str(SEED_SOURCE), "--debate", "grok")
    message = str(excinfo.value)
    assert "No debate has the slug “grok”. Add --debate-title TITLE to create it" in message
    assert "    eu-ai-act: The EU AI Act" in message
    with pytest.raises(CommandError, match="“not a slug!” cannot be a debate's slug"):
        run(str(SEED_SOURCE), "--debate", "not a slug!", "--debate-title", "Fine")
    assert everything_counted() == (0, 0, 1, 0)


def test_command_without_debates_makes_one_named_after_the_article(client):
    out, _ = run(str(SEED_SOURCE), "--dry-run")
    slug = "musks-grok-to-go-open-source-in-a-bold-move-for-ai"
    assert f"Debate: new, “{SEED_TITLE}” (slug {slug}, at /debates/{slug}/)" in out
    assert Debate.objects.count() == 0
    out, _ = run(str(SEED_SOURCE))
    debate = Debate.objects.get()
    assert (debate.title, debate.slug) == (SEED_TITLE, slug)
    assert (debate.starts_on, debate.ends_on) == (
        datetime.date(2024, 3, 2),
        datetime.date(2024, 3, 11),
    )
    assert Article.objects.get().debate == debate
    assert SEED_POST in client.get(f"/debates/{slug}/").content.decode()
    # The next article goes into the only debate there is.
    result = save_import(parse(article("Hi.", "— A (@a) March 2, 2024", title="Second")))
    assert (result.article.debate, result.debate_created) == (debate, False)


def test_a_new_debates_slug_gets_a_number_when_taken():
    make_debate(slug="open-models-again", title="Something else")
    result = save_import(
        parse(article("Hi.", "— A (@a) March 2, 2024")),
        Decisions(debate_title="Open models, again"),
    )
    assert (result.article.debate.slug, result.article.debate.title) == (
        "open-models-again-2",
        "Open models, again",
    )


def test_command_debate_title_alone_takes_the_debate_so_titled_or_makes_one():
    act = make_debate(slug="eu-ai-act", title="The EU AI Act")
    make_debate(slug="other", title="Another debate")
    run(str(SEED_SOURCE), "--debate-title", "the eu ai act")  # whatever the case
    assert Article.objects.get().debate == act
    out, _ = run_text(article("Hi.", "— A (@a) March 2, 2024"), "--debate-title", "Open weights")
    assert "Debate: new, “Open weights” (slug open-weights" in out
    assert Article.objects.get(title="Open models, again").debate.slug == "open-weights"
    assert Debate.objects.count() == 3


def test_reimporting_neither_moves_the_article_nor_makes_a_debate():
    act = make_debate(slug="eu-ai-act", title="The EU AI Act")
    run(str(SEED_SOURCE), "--debate", "eu-ai-act")
    make_debate(slug="other", title="Another debate")  # now a debate must be chosen...
    before = everything_counted()
    out, _ = run(str(SEED_SOURCE))  # ...but not for an article already there
    assert "in the debate “The EU AI Act” (/debates/eu-ai-act/)" in out
    assert "changes nothing" in out
    again, _ = run(str(SEED_SOURCE), "--debate", "new-one", "--debate-title", "A new one")
    assert "changes nothing (nor moves it to another debate)" in again
    result = save_import(seed_article(), Decisions(debate="other"))
    assert not result.created
    assert result.summary().endswith("was imported before: nothing changed.")
    assert everything_counted() == before
    assert Article.objects.get().debate == act


def test_a_debate_made_for_an_import_that_is_refused_is_not_kept():
    with pytest.raises(ImportRejected, match="has no date"):
        save_import(parse(article("Undated.", "— A (@a)")), Decisions(debate_title="Kept?"))
    assert everything_counted() == (0, 0, 0, 0)
