"""What the database and the models refuse, and what they keep right by themselves."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from debate.models import Post, Speaker, Stance
from debate.text import extract_links, quote_occurs, render_markdown, render_post_text

from .factories import (
    make_article,
    make_claim,
    make_post,
    make_proposition,
    make_speaker,
    make_stance,
    make_user,
)

pytestmark = pytest.mark.django_db


def refused(callable_) -> bool:
    try:
        with transaction.atomic():
            callable_()
    except IntegrityError:
        return True
    return False


def test_handles_are_unique_whatever_their_case():
    make_speaker(handle="pmarca")
    assert refused(lambda: make_speaker(handle="PMarca"))
    # Speakers known only from prose have no handle; several may.
    make_speaker(handle="")
    make_speaker(handle="")


def test_handle_is_stored_without_the_at():
    assert refused(lambda: Speaker.objects.create(name="X", slug="x", handle="@x"))
    speaker = Speaker(name="X", slug="x", handle="@x")
    with pytest.raises(ValidationError):
        speaker.full_clean()


def test_a_reply_must_say_whether_it_is_explicit_or_inferred():
    parent = make_post()
    assert refused(lambda: make_post(in_reply_to=parent, reply_basis=""))
    assert refused(lambda: make_post(reply_basis="explicit"))
    reply = make_post(in_reply_to=parent, reply_basis="explicit")
    assert reply.get_reply_basis_display() == "explicit in the post"


def test_a_post_cannot_answer_or_quote_itself():
    post = make_post()
    assert refused(
        lambda: Post.objects.filter(pk=post.pk).update(in_reply_to=post, reply_basis="inferred")
    )
    assert refused(
        lambda: Post.objects.filter(pk=post.pk).update(quotes=post, quote_basis="inferred")
    )


def test_reply_cycles_and_replies_older_than_their_parent_are_refused():
    first = make_post()
    second = make_post(in_reply_to=first)
    first.in_reply_to, first.reply_basis = second, "inferred"
    with pytest.raises(ValidationError, match="no cycles"):
        first.full_clean()
    early = make_post(posted_at=datetime.datetime(2024, 2, 1, tzinfo=datetime.UTC))
    early.in_reply_to, early.reply_basis = second, "inferred"
    with pytest.raises(ValidationError, match="older than the post it answers"):
        early.full_clean()


def test_thread_root_follows_the_conversation_even_when_a_reply_moves():
    root = make_post()
    reply = make_post(in_reply_to=root)
    nested = make_post(in_reply_to=reply)
    assert (root.thread_root_id, reply.thread_root_id, nested.thread_root_id) == (root.pk,) * 3
    other = make_post()
    reply.in_reply_to = other
    reply.save()
    nested.refresh_from_db()
    assert nested.thread_root_id == other.pk
    reply.in_reply_to, reply.reply_basis = None, ""
    reply.save()
    nested.refresh_from_db()
    assert nested.thread_root_id == reply.pk


def test_links_and_safe_html_are_derived_from_the_text_on_save():
    post = make_post(text="Read <b>this</b> https://t.co/abc. And pic.twitter.com/xyz @pmarca")
    assert post.links == ["https://t.co/abc", "https://pic.twitter.com/xyz"]
    assert "&lt;b&gt;this&lt;/b&gt;" in post.text_html
    assert (
        '<a href="https://t.co/abc" rel="nofollow noopener noreferrer">https://t.co/abc</a>.'
        in (post.text_html)
    )
    assert 'href="https://x.com/pmarca"' in post.text_html


def test_claim_has_exactly_one_source_and_its_quote_must_be_found_there():
    post = make_post(text="Open weights are safer “in the long run”.")
    article = make_article(body="He said openness wins.")
    assert refused(lambda: make_claim(post=post, article=article))
    assert refused(lambda: make_claim(post=None, speaker=post.speaker, quote="x"))
    claim = make_claim(post=post, quote='safer  "in the long run"')
    claim.full_clean()  # whitespace and quote-mark style do not matter
    claim.quote = "safer in the short run"
    with pytest.raises(ValidationError, match="do not occur in the post"):
        claim.full_clean()
    prose = make_claim(article=article, speaker=post.speaker, quote="openness wins")
    prose.full_clean()
    other = make_speaker()
    claim.quote, claim.speaker = "safer", other
    with pytest.raises(ValidationError, match="post's speaker"):
        claim.full_clean()


def test_one_stance_per_annotator_per_claim_and_proposition():
    claim = make_claim(post=make_post())
    proposition = make_proposition()
    editor = make_user()
    make_stance(claim, proposition, annotator=editor)
    assert refused(lambda: make_stance(claim, proposition, annotator=editor, value="anti"))
    make_stance(claim, proposition, annotator=make_user(), value="anti")  # a second editor may
    assert refused(lambda: make_stance(claim, proposition, value="maybe"))


def test_stance_label_uses_readers_words_and_drafts_are_not_public():
    proposition = make_proposition(pro_label="pro-open-source", anti_label="anti-open-source")
    claim = make_claim(post=make_post())
    pro = make_stance(claim, proposition, value="pro")
    draft = make_stance(claim, proposition, value="anti", review_state="draft")
    assert pro.label == "pro-open-source"
    assert draft.label == "anti-open-source"
    assert make_stance(claim, proposition, value="neutral").label == "neutral"
    assert draft not in Stance.objects.public()
    assert pro in Stance.objects.public()


def test_stance_evidence_must_come_from_the_claims_source():
    claim = make_claim(post=make_post(text="We are in a tech war with China."))
    stance = make_stance(claim, make_proposition(), evidence="tech war")
    stance.full_clean()
    stance.evidence = "peace with China"
    with pytest.raises(ValidationError, match="do not occur"):
        stance.full_clean()


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        '<img src=x onerror="alert(1)">',
        "<a href='data:text/html,<script>alert(1)</script>'>x</a>",
        "![x](javascript:alert(1))",
    ],
)
def test_markdown_is_sanitized(payload):
    html = render_markdown(payload)
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onerror" not in html
    assert "data:" not in html
    assert "<script" not in render_post_text(payload)


def test_text_helpers():
    assert extract_links("see https://t.co/a), https://t.co/a") == ["https://t.co/a"]
    assert quote_occurs("‘quoted’  words", "some 'quoted' words here")
    assert not quote_occurs("", "anything")
