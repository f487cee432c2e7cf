"""The article parser on its own: what real copied articles contain, and what it must refuse."""

import datetime
import json
from pathlib import Path

import pytest

from debate.imports.lines import MAX_BYTES, ParseError, decode
from debate.imports.parse import parse, speaker_name

ROOT = Path(__file__).resolve().parent.parent
SEED_SOURCE = ROOT / "fixtures" / "sources" / "000_d1c624b7bb6a7375.txt"
SEED_FIXTURE = ROOT / "fixtures" / "seed_debate.json"


def seed_objects(model: str) -> list[dict]:
    return [o for o in json.loads(SEED_FIXTURE.read_text()) if o["model"] == model]


@pytest.fixture(scope="module")
def seed():
    return parse(SEED_SOURCE.read_text(encoding="utf-8"))


def article(*lines: str, title: str = "Open models, again") -> str:
    return "\n".join([title, "Some prose before the posts.", *lines, "Closing prose."])


def only_post(text: str):
    parsed = parse(text)
    assert len(parsed.posts) == 1, [p.text for p in parsed.posts]
    return parsed.posts[0]


# --- the seed article -------------------------------------------------------------------------


def test_seed_article_gives_the_seed_fixture_posts(seed):
    fixture_posts = {o["pk"]: o["fields"] for o in seed_objects("debate.post")}
    order = [o["fields"]["post"] for o in seed_objects("debate.articlepost")]
    expected = [fixture_posts[pk] for pk in order]
    assert len(seed.posts) == 7
    for post, want in zip(seed.posts, expected, strict=True):
        assert post.text == want["text"]
        assert post.handle == want["handle_shown"]
        assert post.author == want["display_name_shown"]
        assert post.date.isoformat() == want["posted_at"][:10]
    assert seed.speaker_handles == ["elonmusk", "pmarca", "vkhosla"]


def test_seed_title_and_body_match_the_fixture_with_the_x_logo_repaired(seed):
    fixture = seed_objects("debate.article")[0]["fields"]
    assert seed.title == fixture["title"] == "Musk’s Grok to Go Open Source in a Bold Move for AI"
    assert seed.body == fixture["body"]
    assert "Twitter’s (now 𝕏) algorithm" in seed.body
    assert "đť•Ź" not in seed.body
    assert "Read More" not in seed.body
    assert [str(note) for note in seed.repairs] == ["Line 20: repaired “đť•Ź” to “𝕏”"]
    assert [note.line for note in seed.removed] == [27]


def test_seed_posts_keep_their_line_numbers_links_and_cut(seed):
    lines = SEED_SOURCE.read_text(encoding="utf-8").split("\n")
    for post in seed.posts:
        assert lines[post.first_line - 1] == post.text
        assert lines[post.attribution_line - 1].startswith(f"— {post.author} (@{post.handle})")
    assert [p.first_line for p in seed.posts] == [3, 12, 14, 16, 18, 23, 25]
    assert seed.posts[1].links == ["https://t.co/e4kQWzzNKS", "https://t.co/D9ihtHEOiB"]
    assert seed.posts[6].links == ["https://pic.twitter.com/cH2c1orQg9"]
    assert seed.posts[3].text.endswith("an example of an…")
    assert [p.truncated for p in seed.posts] == [False, False, False, True, False, False, False]


def test_seed_posts_are_substrings_of_the_repaired_input(seed):
    repaired = SEED_SOURCE.read_text(encoding="utf-8").replace("đť•Ź", "𝕏")
    for post in seed.posts:
        assert post.text in repaired
        assert post.text in seed.body


def test_seed_suggests_the_one_explicit_reply_and_warns_of_nothing(seed):
    # Khosla's "And @pmarca would you…" answers Andreessen's post just before it.
    assert [(s.post, s.target, s.handle) for s in seed.suggestions] == [(3, 2, "pmarca")]
    assert seed.warnings == []


# --- attribution lines -------------------------------------------------------------------------


@pytest.mark.parametrize("dash", ["—", "–", "-", "--"])
def test_attribution_with_any_dash(dash):
    post = only_post(article("Open weights win.", f"{dash} Yann LeCun (@ylecun) March 2, 2024"))
    assert (post.author, post.handle, post.date) == (
        "Yann LeCun",
        "ylecun",
        datetime.date(2024, 3, 2),
    )
    assert post.text == "Open weights win."


@pytest.mark.parametrize(
    "when",
    [
        "March 2, 2024",
        "Mar 2, 2024",
        "Mar. 2, 2024",
        "2 March 2024",
        "2 Mar 2024",
        "March 2nd, 2024",
        "2nd of March 2024",
        "MARCH 2 2024",
        "2024-03-02",
        "[March 2, 2024](https://twitter.com/ylecun/status/1763?ref_src=twsrc)",
    ],
)
def test_date_forms(when):
    post = only_post(article("Open weights win.", f"— Yann LeCun (@ylecun) {when}"))
    assert post.date == datetime.date(2024, 3, 2)


def test_sept_and_september():
    for when in ("Sept 5, 2023", "September 5, 2023", "5 Sep 2023"):
        assert only_post(article("x", f"— A (@a) {when}")).date == datetime.date(2023, 9, 5)


def test_time_of_day_is_left_out_with_a_note():
    post = only_post(article("Open weights win.", "— Yann LeCun (@ylecun) 9:41 PM · Mar 2, 2024"))
    assert post.date == datetime.date(2024, 3, 2)
    assert any("time of day" in note.message for note in post.warnings)


def test_markdown_link_on_the_date_gives_the_permalink():
    post = only_post(
        article("x", "— Yann (@ylecun) [Mar 2, 2024](https://twitter.com/ylecun/status/17631?s=20)")
    )
    assert post.permalink == "https://x.com/ylecun/status/17631"


def test_display_names_with_emoji_and_extra_words_are_kept_as_shown():
    text = article(
        "Vinod is lobbying to ban open source.",
        "— Marc Andreessen 🇺🇸 | a16z (General Partner) (@pmarca) Mar 2, 2024",
        "Prose.",
        "Build it in the open.",
        "— 👩🏽‍💻 Dr. Jane Q. Public, PhD (@jane_q) 3 March 2024",
    )
    first, second = parse(text).posts
    assert first.author == "Marc Andreessen 🇺🇸 | a16z (General Partner)"
    assert first.handle == "pmarca"
    assert second.author == "👩🏽‍💻 Dr. Jane Q. Public, PhD"
    assert speaker_name(first.author, first.handle) == "Marc Andreessen"
    assert speaker_name(second.author, second.handle) == "Dr. Jane Q. Public, PhD"
    assert speaker_name("🇺🇸🚀", "rocketman") == "rocketman"


def test_undated_attribution_gives_an_undated_post_with_a_warning():
    parsed = parse(article("Open weights win.", "— Yann LeCun (@ylecun)"))
    assert parsed.posts[0].date is None
    assert [(w.line, w.kind) for w in parsed.warnings] == [(4, "undated")]


# --- post text ---------------------------------------------------------------------------------


def test_multi_line_post_in_an_article_with_blank_lines_between_paragraphs():
    text = "\n".join(
        [
            "# Open models, again",
            "",
            "First paragraph of prose.",
            "",
            "Second paragraph, before the post.",
            "",
            "Three things:",
            "1. open weights",
            "2. open data",
            "— Jane Q (@jane_q) March 4, 2024",
            "",
            "Prose after.",
        ]
    )
    parsed = parse(text)
    assert parsed.title == "Open models, again"
    (post,) = parsed.posts
    assert post.text == "Three things:\n1. open weights\n2. open data"
    assert (post.first_line, post.last_line, post.attribution_line) == (7, 9, 10)
    assert post.text in parsed.body


def test_multi_line_post_in_a_markdown_blockquote():
    text = "\n".join(
        [
            "Open models, again",
            "Prose, one paragraph per line.",
            "> First line of the post",
            ">",
            "> and its second paragraph https://t.co/AbC123",
            "> — Jane Q (@jane_q) March 4, 2024",
            "More prose.",
        ]
    )
    parsed = parse(text)
    (post,) = parsed.posts
    assert post.text == "First line of the post\n\nand its second paragraph https://t.co/AbC123"
    assert post.links == ["https://t.co/AbC123"]
    assert (post.first_line, post.last_line) == (3, 5)
    assert post.text in parsed.body
    assert ">" not in parsed.body


def test_one_paragraph_per_line_keeps_the_prose_out_of_the_post():
    parsed = parse(article("Prose right above.", "The post itself.", "— A (@a) March 4, 2024"))
    assert parsed.posts[0].text == "The post itself."


def test_links_ellipses_and_quotes_are_kept_as_written():
    text = article(
        "“Open” isn't 'closed'… see https://t.co/xYz987 pic.twitter.com/AbCdEf12...",
        "— A (@a) March 4, 2024",
    )
    post = only_post(text)
    assert post.text == "“Open” isn't 'closed'… see https://t.co/xYz987 pic.twitter.com/AbCdEf12..."
    assert post.links == ["https://t.co/xYz987", "https://pic.twitter.com/AbCdEf12"]
    assert post.truncated


def test_page_debris_and_stray_whitespace_are_removed():
    text = "\n".join(
        [
            "\ufeff  Open models, again  ",
            "Open Models, Again",
            "   Prose with\u00a0a no-break space and  double  spaces.\t",
            "",
            "",
            "",
            "The \u200bpost.  ",
            "— A (@a)   March 4, 2024  ",
            "Open models, again … Read More »",
            "Continue reading",
            "",
        ]
    )
    parsed = parse(text)
    assert parsed.title == "Open models, again"
    assert parsed.body == (
        "Prose with a no-break space and double spaces.\n\nThe post.\n— A (@a) March 4, 2024"
    )
    assert parsed.posts[0].text == "The post."
    assert [note.line for note in parsed.removed] == [2, 9, 10]


def test_mojibake_is_repaired_and_said_where():
    parsed = parse(article("Itâ€™s open â€” finally", "— A (@a) March 4, 2024"))
    assert parsed.posts[0].text == "It’s open — finally"
    assert [note.line for note in parsed.repairs] == [3]


def test_markdown_headings_end_a_post_and_lose_their_marks():
    text = "\n".join(
        ["# Title", "", "## A heading", "The post.", "— A (@a) March 4, 2024", "", "More."]
    )
    parsed = parse(text)
    assert parsed.posts[0].text == "The post."
    assert parsed.body.startswith("A heading\n")


def test_a_post_quoted_twice_is_kept_once():
    text = article("Same.", "— A (@a) March 4, 2024", "Prose.", "Same.", "— A (@a) March 4, 2024")
    parsed = parse(text)
    assert len(parsed.posts) == 1
    assert [(w.line, w.kind) for w in parsed.warnings] == [(7, "repeat")]


def test_an_attribution_with_no_text_above_is_skipped_with_a_warning():
    text = article("Post.", "— A (@a) March 4, 2024", "— B (@b) March 4, 2024")
    parsed = parse(text)
    assert [p.handle for p in parsed.posts] == ["a"]
    assert parsed.warnings[0].line == 5


def test_no_post_at_all_is_a_warning_not_an_error():
    parsed = parse("A title\nJust prose.\nMore prose.")
    assert parsed.posts == []
    assert parsed.body == "Just prose.\nMore prose."
    assert [w.kind for w in parsed.warnings] == ["no-posts"]


def test_crlf_and_a_byte_order_mark_change_nothing():
    text = article("The post.", "— A (@a) March 4, 2024")
    windows = decode(("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8"))
    assert parse(windows).posts == parse(text).posts


def test_every_post_is_whole_lines_of_the_body():
    text = "\n".join(
        [
            "T",
            "",
            "> a",
            "> b",
            "> — A (@a) Mar 1, 2024",
            "",
            "p",
            "",
            "q",
            "",
            "c  ",
            "d",
            "– B (@b) 2 Mar 2024",
        ]
    )
    parsed = parse(text)
    assert [p.text for p in parsed.posts] == ["a\nb", "c\nd"]
    body_lines = parsed.body.split("\n")
    for post in parsed.posts:
        lines = post.text.split("\n")
        assert any(body_lines[i : i + len(lines)] == lines for i in range(len(body_lines))), (
            post.text
        )


# --- suggested replies -------------------------------------------------------------------------


def test_a_mention_of_an_earlier_speaker_suggests_a_reply_to_their_latest_earlier_post():
    text = article(
        "First by A.",
        "— A (@alice) March 1, 2024",
        "Second by A.",
        "— A (@alice) March 2, 2024",
        "By C, naming @bob who posts later.",
        "— C (@carol) March 2, 2024",
        "@Alice no, and @carol neither.",
        "— B (@bob) March 3, 2024",
        "Talking to myself @bob.",
        "— B (@bob) March 4, 2024",
    )
    suggestions = [(s.post, s.target, s.handle) for s in parse(text).suggestions]
    # Bob's first post names Alice and Carol: Carol's post is the latest earlier one.
    assert suggestions == [(4, 3, "carol")]


def test_no_suggestion_of_a_reply_to_a_later_dated_post():
    text = article("Later.", "— A (@a) March 9, 2024", "@a earlier?", "— B (@b) March 1, 2024")
    assert parse(text).suggestions == []


# --- what must be refused ------------------------------------------------------------------------


def problems(excinfo) -> list[str]:
    return [str(problem) for problem in excinfo.value.problems]


@pytest.mark.parametrize("text", ["", "   \n\n\t", "\u200b\n"])
def test_empty_text_is_refused(text):
    with pytest.raises(ParseError, match="empty"):
        parse(text)


def test_empty_file_is_refused():
    with pytest.raises(ParseError, match="The file is empty"):
        decode(b"")


def test_binary_file_is_refused_with_its_line():
    with pytest.raises(ParseError) as excinfo:
        decode(b"Title\nprose\n\x00\x01\x02")
    assert problems(excinfo) == ["Line 3: This looks like a binary file, not text (a NUL byte)."]


def test_pdf_is_named():
    with pytest.raises(ParseError, match="PDF"):
        decode(b"%PDF-1.7\n...")


def test_non_utf8_file_is_refused_with_line_and_column():
    data = "Title\nA café in Paris\n".encode("latin-1")
    with pytest.raises(ParseError) as excinfo:
        decode(data)
    assert problems(excinfo) == [
        "Line 2: the file is not UTF-8 (byte 0xE9 at column 6). Save it as UTF-8 and try again."
    ]


def test_text_over_the_size_limit_is_refused_and_the_limit_said():
    big = "Title\n" + "x" * MAX_BYTES
    for attempt in (lambda: decode(big.encode()), lambda: parse(big)):
        with pytest.raises(ParseError, match=r"the limit is 2 MB"):
            attempt()


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("February 30, 2024", "“February 30, 2024” is not a real date: February 2024 has 29 days."),
        ("Feb 29, 2023", "“Feb 29, 2023” is not a real date: February 2023 has 28 days."),
        ("31 April 2024", "“31 April 2024” is not a real date: April 2024 has 30 days."),
        ("2024-13-01", "“2024-13-01” is not a real date: there is no month 13."),
        ("March 2024", "cannot read the date “March 2024”"),
        ("Marzo 2, 2024", "cannot read the date “Marzo 2, 2024”"),
    ],
)
def test_impossible_or_unreadable_date_is_refused_with_its_line(when, message):
    with pytest.raises(ParseError) as excinfo:
        parse(article("The post.", f"— A (@a) {when}"))
    (problem,) = problems(excinfo)
    assert problem.startswith(f"Line 4: {message}")


def test_leap_day_is_a_real_date():
    assert only_post(article("x", "— A (@a) Feb 29, 2024")).date == datetime.date(2024, 2, 29)


def test_every_problem_is_reported_at_once():
    text = article(
        "One.",
        "— A (@a) Feb 30, 2024",
        "Two.",
        "— B (@far_too_long_a_handle) March 1, 2024",
    )
    with pytest.raises(ParseError) as excinfo:
        parse(text)
    assert [p.line for p in excinfo.value.problems] == [4, 6]
    assert "is not an X handle" in problems(excinfo)[1]


def test_a_title_that_is_a_whole_article_is_refused():
    with pytest.raises(ParseError, match="Line 1: the first line is the title"):
        parse("word " * 100 + "\nprose")


def test_a_long_post_between_short_paragraphs_is_read_whole():
    post_lines = [f"Point {n} of a long post." for n in range(1, 7)]
    text = "\n\n".join(["Title", "Prose one.", "Prose two.", "Prose three."])
    text += "\n\n" + "\n".join([*post_lines, "— A (@a) March 4, 2024"]) + "\n\nProse four."
    assert only_post(text).text == "\n".join(post_lines)


def test_a_stray_blank_line_in_a_single_spaced_article_does_not_swallow_prose():
    text = "\n".join(
        [
            "Title",
            "Prose one.",
            "Prose two.",
            "",
            "Prose three.",
            "The post.",
            "— A (@a) Mar 4, 2024",
        ]
    )
    assert only_post(text).text == "The post."
