"""The seed debate: what `make run` loads must match the source article word for word."""

from pathlib import Path

import pytest
from django.core.management import call_command

from debate.models import Article, Claim, Post, Proposition, Speaker, Stance
from debate.text import quote_occurs

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "fixtures" / "sources" / "000_d1c624b7bb6a7375.txt"
SHARED_SOURCE = ROOT.parent / "shared" / "seeds" / "000_d1c624b7bb6a7375.txt"

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def source_text() -> str:
    return SOURCE.read_text(encoding="utf-8")


def test_repo_copy_of_the_source_is_the_article_as_received():
    if not SHARED_SOURCE.exists():  # only beside the team's checkouts and CI
        pytest.skip(f"no {SHARED_SOURCE} to compare the copy in fixtures/ with")
    assert SOURCE.read_bytes() == SHARED_SOURCE.read_bytes()


def test_every_post_occurs_verbatim_in_the_article(seed, source_text):
    posts = list(Post.objects.all())
    assert len(posts) == 7
    for post in posts:
        assert post.text in source_text, post.text
        attribution = f"{post.text}\n— {post.display_name_shown} (@{post.handle_shown}) "
        assert attribution in source_text, f"no attribution line after: {post.text[:40]}"


def test_posts_are_dated_as_the_article_dates_them(seed, source_text):
    for post in Post.objects.all():
        shown = f"{post.posted_at:%B} {post.posted_at.day}, {post.posted_at.year}"
        line = f"(@{post.handle_shown}) {shown}"
        assert f"{post.text}\n— {post.display_name_shown} {line}" in source_text
        assert not post.time_known
    assert sorted({p.posted_on.day for p in Post.objects.all()}) == [2, 3, 11]


def test_speakers_and_handles(seed):
    assert {(s.name, s.handle, s.slug) for s in Speaker.objects.all()} == {
        ("Elon Musk", "elonmusk", "elon-musk"),
        ("Marc Andreessen", "pmarca", "marc-andreessen"),
        ("Vinod Khosla", "vkhosla", "vinod-khosla"),
    }
    andreessen = Post.objects.filter(speaker__slug="marc-andreessen").first()
    assert andreessen.display_name_shown == "Marc Andreessen 🇺🇸"


def test_article_body_is_verbatim_with_the_x_logo_repaired(seed, source_text):
    article = Article.objects.get()
    lines = source_text.split("\n")
    assert article.title == lines[0]
    assert article.body == "\n".join(lines[1:-1]).replace("đť•Ź", "𝕏")
    assert "Twitter’s (now 𝕏)" in article.body
    assert "đť•Ź" not in article.body
    assert "Read More »" not in article.body
    positions = list(article.quoted_posts.order_by("position").values_list("post__text", flat=True))
    offsets = [article.body.index(text) for text in positions]
    assert offsets == sorted(offsets), "quoted posts are stored in their order of appearance"
    assert len(positions) == 7


def test_reply_threads_as_the_article_presents_them(seed):
    lobbying = Post.objects.get(text__startswith="Vinod is lobbying")
    manhattan = Post.objects.get(text__startswith="And @pmarca would you open source")
    assume = Post.objects.get(text__startswith="Let's assume, for discussion")
    state_actor = Post.objects.get(text__startswith="It would certainly be easy")
    assert (manhattan.in_reply_to, manhattan.reply_basis) == (lobbying, "explicit")
    assert (assume.in_reply_to, assume.reply_basis) == (manhattan, "inferred")
    assert (state_actor.in_reply_to, state_actor.reply_basis) == (assume, "inferred")
    assert {p.thread_root_id for p in (lobbying, manhattan, assume, state_actor)} == {lobbying.pk}
    assert Post.objects.filter(in_reply_to__isnull=False).count() == 3


def test_claims_cover_every_post_and_the_prose(seed):
    assert not Post.objects.filter(claims__isnull=True).exists()
    prose = Claim.objects.from_articles()
    assert {c.speaker.slug for c in prose} == {"elon-musk", "vinod-khosla", "marc-andreessen"}
    assert prose.filter(quote__contains="closed-source de facto subsidiary").exists()
    assert prose.filter(quote__contains="distraction from the pursuit of AGI").exists()
    for claim in Claim.objects.all():
        assert quote_occurs(claim.quote, claim.source_text), claim.summary
        claim.full_clean()


def test_open_source_proposition_has_a_reasoned_stance_on_every_claim_bearing_on_it(seed):
    proposition = Proposition.objects.get(slug="open-source-ai")
    assert proposition.statement == "AI models should be released as open source"
    stances = Stance.objects.public().filter(proposition=proposition)
    assert {s.value for s in stances} >= {"pro", "anti"}
    claims_on_it = Claim.objects.filter(stances__proposition=proposition).distinct()
    assert claims_on_it.count() >= 10
    for stance in Stance.objects.all():
        text = stance.rationale.strip()
        assert text.endswith(".") and text.count(". ") == 0, f"one sentence: {text}"
        assert quote_occurs(stance.evidence, stance.claim.source_text), stance.evidence
        assert stance.rationale_html.startswith("<p>")
    # Every post claim bears on some proposition and carries a stance.
    assert not Claim.objects.from_posts().filter(stances__isnull=True).exists()


def test_loading_twice_gives_the_same_data(seed):
    def snapshot():
        return {
            model.__name__: sorted(model.objects.values_list("pk", flat=True))
            for model in (Article, Speaker, Post, Claim, Proposition, Stance)
        }

    before = snapshot()
    texts = list(Post.objects.order_by("pk").values_list("text", "text_html", "thread_root"))
    call_command("loaddata", "seed_debate", verbosity=0)
    assert snapshot() == before
    assert (
        list(Post.objects.order_by("pk").values_list("text", "text_html", "thread_root")) == texts
    )
