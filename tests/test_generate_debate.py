"""The synthetic debate generator: reproducible, realistic, and careful with real data."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from debate.models import Article, ArticlePost, Claim, Post, Proposition, Speaker, Stance

pytestmark = pytest.mark.django_db


def generate(*extra: str, posts: int = 300, speakers: int = 20, seed: int = 7) -> None:
    args = ["--posts", str(posts), "--speakers", str(speakers), "--seed", str(seed), *extra]
    call_command("generate_debate", *args, stdout=open("/dev/null", "w"))  # noqa: SIM115


def fingerprint() -> tuple[list[tuple], list[tuple]]:
    """Everything a reader would see, with database ids replaced by positions: a second run
    gets new ids, so the comparison is of content and shape."""
    posts = list(
        Post.objects.order_by("pk").values_list(
            "pk", "speaker__slug", "text", "posted_at", "in_reply_to_id", "quotes_id"
        )
    )
    rank = {pk: index for index, (pk, *_) in enumerate(posts)}
    shaped = [
        (slug, text, posted_at, rank.get(parent), rank.get(quoted))
        for _, slug, text, posted_at, parent, quoted in posts
    ]
    stances = sorted(
        (rank[post], claim_summary, proposition, value, state)
        for post, claim_summary, proposition, value, state in Stance.objects.values_list(
            "claim__post_id", "claim__summary", "proposition__slug", "value", "review_state"
        )
    )
    return shaped, stances


def test_the_same_seed_gives_the_same_debate_and_another_seed_another():
    generate()
    first = fingerprint()
    generate("--replace")
    assert fingerprint() == first
    generate("--replace", seed=8)
    assert fingerprint() != first
    assert len(fingerprint()[0]) == len(first[0]) == 300


def test_the_debate_has_the_shape_of_a_real_one():
    generate(posts=600, speakers=30)
    assert Post.objects.count() == 600
    assert Speaker.objects.filter(slug__startswith="synthetic-").count() == 30
    # Reply chains of varied depth: some replies answer replies answering replies.
    depth_three = Post.objects.filter(in_reply_to__in_reply_to__in_reply_to__isnull=False)
    assert depth_three.exists()
    assert Post.objects.filter(in_reply_to__isnull=True).exists()
    assert Post.objects.filter(quotes__isnull=False).exists()
    first, last = Post.objects.order_by("posted_at")[0], Post.objects.order_by("-posted_at")[0]
    assert (last.posted_at - first.posted_at).days > 2 * 365
    assert Article.objects.count() >= 3
    assert ArticlePost.objects.exists()
    assert Claim.objects.count() > 100
    values = set(Stance.objects.values_list("value", flat=True))
    assert values == {"pro", "anti", "neutral"}
    assert Proposition.objects.filter(stances__isnull=False).distinct().count() >= 3
    # A reply is never older than what it answers.
    assert not Post.objects.filter(posted_at__lt=F("in_reply_to__posted_at")).exists()


def test_it_refuses_a_database_holding_real_posts_and_writes_nothing(seed):
    before = (Post.objects.count(), Speaker.objects.count(), Stance.objects.count())
    with pytest.raises(CommandError, match="--allow-real-data"):
        generate()
    assert (Post.objects.count(), Speaker.objects.count(), Stance.objects.count()) == before
    generate("--allow-real-data", posts=50, speakers=5)
    assert Post.objects.count() == before[0] + 50


def test_a_second_run_without_replace_is_refused():
    generate(posts=40, speakers=4)
    with pytest.raises(CommandError, match="--replace"):
        generate(posts=40, speakers=4)
    assert Post.objects.count() == 40


@pytest.mark.parametrize(
    "url",
    [
        "/debates/open-source-ai/",
        "/debates/open-source-ai/?stance=anti&proposition=open-source-ai",
        "/debates/open-source-ai/map/",
    ],
)
def test_generated_debates_cost_the_same_queries_at_two_sizes(client, settings, url):
    settings.THREADLINE_PAGE_CACHE_DISABLED = True  # count the page's own work every time

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    generate(posts=120, speakers=10)
    small = cost()
    generate("--replace", posts=900, speakers=40)
    assert cost() == small <= 10
