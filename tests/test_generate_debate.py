"""The synthetic debate generator: reproducible, realistic, and careful with real data."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F
from django.test.utils import CaptureQueriesContext

from debate.models import (
    Article,
    ArticlePost,
    Claim,
    Debate,
    Post,
    Proposition,
    Speaker,
    Stance,
)

pytestmark = pytest.mark.django_db


def generate(
    *extra: str, posts: int = 300, speakers: int = 20, seed: int = 7, debates: int = 1
) -> None:
    args = ["--posts", str(posts), "--speakers", str(speakers), "--seed", str(seed)]
    args += ["--debates", str(debates), *extra]
    call_command("generate_debate", *args, stdout=open("/dev/null", "w"))  # noqa: SIM115


def synthetic_debates():
    return Debate.objects.filter(slug__startswith="synthetic-").order_by("pk")


def hub(debate: Debate | None = None) -> str:
    """The generated debate's hub (the first one's, by default), found by its slug."""
    debate = debate or synthetic_debates().first()
    return f"/debates/{debate.slug}/"


def fingerprint() -> tuple[list, ...]:
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
    debates = list(
        Debate.objects.order_by("slug").values_list(
            "slug", "title", "question", "summary", "starts_on", "ends_on"
        )
    )
    propositions = sorted(
        Proposition.debates.through.objects.values_list("debate__slug", "proposition__slug")
    )
    quoted = sorted(
        (article, debate, title, rank[post], position)
        for article, debate, title, post, position in ArticlePost.objects.values_list(
            "article__slug", "article__debate__slug", "article__title", "post_id", "position"
        )
    )
    return shaped, stances, debates, propositions, quoted


def test_the_same_seed_gives_the_same_debates_and_another_seed_others():
    generate(debates=3)
    first = fingerprint()
    generate("--replace", debates=3)
    assert fingerprint() == first
    generate("--replace", debates=3, seed=8)
    assert fingerprint() != first
    assert len(fingerprint()[0]) == len(first[0]) == 300
    assert len(fingerprint()[2]) == len(first[2]) == 3


def test_the_debate_has_the_shape_of_a_real_one(client):
    generate(posts=600, speakers=30)
    assert Post.objects.count() == 600
    assert Speaker.objects.filter(slug__startswith="synthetic-").count() == 30
    (debate,) = Debate.objects.all()
    assert debate.slug.startswith("synthetic-")
    assert debate.title and debate.question.endswith("?")
    assert "invented" in debate.summary and debate.summary_html.startswith("<p>")
    assert debate.starts_on < debate.ends_on
    # Reply chains of varied depth: some replies answer replies answering replies.
    depth_three = Post.objects.filter(in_reply_to__in_reply_to__in_reply_to__isnull=False)
    assert depth_three.exists()
    assert Post.objects.filter(in_reply_to__isnull=True).exists()
    assert Post.objects.filter(quotes__isnull=False).exists()
    # Every post in the debate's period, and in the debate: quoted by one of its articles.
    first, last = Post.objects.order_by("posted_at")[0], Post.objects.order_by("-posted_at")[0]
    assert debate.starts_on <= first.posted_at.date() <= last.posted_at.date() <= debate.ends_on
    assert Post.objects.in_debate(debate).count() == 600
    assert not Post.objects.unquoted().exists()
    assert debate.articles.count() >= 3
    assert Claim.objects.count() > 100
    values = set(Stance.objects.values_list("value", flat=True))
    assert values == {"pro", "anti", "neutral"}
    assert debate.propositions.count() >= 2
    used = Proposition.objects.filter(stances__isnull=False).distinct()
    assert set(used) == set(debate.propositions.all())
    # A reply is never older than what it answers.
    assert not Post.objects.filter(posted_at__lt=F("in_reply_to__posted_at")).exists()
    for page in ("", "speakers/", "articles/", "propositions/", "map/", "feed/"):
        assert client.get(hub(debate) + page).status_code == 200, page


def debates_of_posts() -> dict[int, set[int]]:
    """Each post's debates as the articles quoting it say."""
    found: dict[int, set[int]] = defaultdict(set)
    for post, debate in ArticlePost.objects.values_list("post_id", "article__debate_id"):
        found[post].add(debate)
    return found


def test_several_debates_each_with_its_posts_articles_and_propositions(client):
    generate(debates=3, posts=600, speakers=30)
    debates = list(synthetic_debates())
    assert len(debates) == 3
    assert len({d.slug for d in debates}) == len({d.title for d in debates}) == 3
    speakers_in: dict[int, set[int]] = defaultdict(set)
    for debate in debates:
        posts = Post.objects.in_debate(debate)
        assert posts.count() >= 100, debate.slug  # the 600 are spread, unevenly, over all three
        assert debate.articles.count() >= 2
        assert debate.propositions.count() >= 2
        assert Claim.objects.filter(post__in=posts).exists()
        assert Stance.objects.in_debate(debate).filter(proposition__debates=debate).exists()
        # Posts in the debate's period, titles and questions of their own.
        dates = [moment.date() for moment in posts.values_list("posted_at", flat=True)]
        assert debate.starts_on <= min(dates) <= max(dates) <= debate.ends_on
        for speaker in posts.values_list("speaker_id", flat=True):
            speakers_in[speaker].add(debate.pk)
        for page in ("", "speakers/", "articles/", "map/"):
            assert client.get(hub(debate) + page).status_code == 200, (debate.slug, page)
    # Speakers are global: the same person takes part in several debates.
    assert max(len(found) for found in speakers_in.values()) >= 2
    assert Speaker.objects.count() == 30
    # Some propositions run through two debates.
    shared = Proposition.objects.annotate(n=Count("debates")).filter(n__gte=2)
    assert shared.exists()
    # Stances are on the propositions of the claim's debate.
    home = debates_of_posts()
    for post, proposition in Stance.objects.values_list("claim__post_id", "proposition_id"):
        linked = set(
            Proposition.debates.through.objects.filter(proposition_id=proposition).values_list(
                "debate_id", flat=True
            )
        )
        assert linked & home[post]
    assert client.get("/").status_code == 200


def test_each_post_is_in_exactly_the_debates_of_its_articles():
    generate(debates=4, posts=800, speakers=30, seed=3)
    expected = debates_of_posts()
    assert set(expected) == set(Post.objects.values_list("pk", flat=True))  # none unquoted
    found: dict[int, set[int]] = defaultdict(set)
    for debate in Debate.objects.all():
        for post in Post.objects.in_debate(debate).values_list("pk", flat=True):
            found[post].add(debate.pk)
    assert found == expected
    # A reply is in its thread's debate: never in a debate its parent is not in.
    for post, parent in Post.objects.filter(in_reply_to__isnull=False).values_list(
        "pk", "in_reply_to_id"
    ):
        assert expected[post] <= expected[parent]
    # Quoted in articles of one debate, positions 1, 2, 3... in each article.
    for article in Article.objects.all():
        positions = list(article.quoted_posts.values_list("position", flat=True))
        assert positions == list(range(1, len(positions) + 1))


def test_it_refuses_a_database_holding_real_posts_and_writes_nothing(seed):
    def counts() -> tuple[int, ...]:
        return tuple(m.objects.count() for m in (Post, Speaker, Stance, Debate, Article))

    before = counts()
    with pytest.raises(CommandError, match="--allow-real-data"):
        generate()
    assert counts() == before
    generate("--allow-real-data", posts=50, speakers=5)
    assert Post.objects.count() == before[0] + 50
    assert Debate.objects.count() == before[3] + 1


def test_replace_removes_generated_debates_and_leaves_the_seed_alone(seed, client):
    real = Debate.objects.get(slug="open-source-ai")

    def seed_state() -> tuple:
        return (
            sorted(Post.objects.in_debate(real).values_list("pk", flat=True)),
            sorted(real.articles.values_list("slug", flat=True)),
            sorted(real.propositions.values_list("slug", flat=True)),
            Stance.objects.in_debate(real).count(),
        )

    before = seed_state()
    generate("--allow-real-data", posts=200, speakers=10, debates=4)
    assert synthetic_debates().count() == 4
    assert seed_state() == before
    generate("--allow-real-data", "--replace", posts=100, speakers=10, debates=2)
    assert synthetic_debates().count() == 2
    assert Debate.objects.count() == 3
    assert seed_state() == before
    assert not Article.objects.filter(slug__startswith="synthetic-", debate__isnull=True).exists()
    assert client.get(f"/debates/{real.slug}/").status_code == 200


def test_a_second_run_without_replace_is_refused():
    generate(posts=40, speakers=4)
    with pytest.raises(CommandError, match="--replace"):
        generate(posts=40, speakers=4)
    assert Post.objects.count() == 40
    assert Debate.objects.count() == 1


def test_it_refuses_fewer_posts_than_debates():
    with pytest.raises(CommandError, match="--debates"):
        generate(posts=2, debates=3)
    assert not Debate.objects.exists()


def test_many_debates_go_round_the_themes_again():
    generate(posts=300, speakers=20, debates=14)
    slugs = list(synthetic_debates().values_list("slug", flat=True))
    assert len(set(slugs)) == 14
    assert sum(slug.endswith("-2") for slug in slugs) == 2
    assert all(Post.objects.in_debate(d).exists() for d in synthetic_debates())


# Each page's query count must not grow with the posts, nor with the number of debates.
PAGES = ["timeline", "timeline-stance", "map", "home"]


def page_url(page: str) -> str:
    debate = synthetic_debates().first()
    if page == "home":
        return "/"
    if page == "map":
        return hub(debate) + "map/"
    if page == "timeline-stance":
        proposition = debate.propositions.order_by("label").first()
        return hub(debate) + f"?stance=anti&proposition={proposition.slug}"
    return hub(debate)


@pytest.mark.parametrize("page", PAGES)
def test_generated_debates_cost_the_same_queries_at_two_sizes_and_with_more_debates(
    client, settings, page
):
    settings.THREADLINE_PAGE_CACHE_DISABLED = True  # count the page's own work every time

    def cost() -> int:
        url = page_url(page)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        return len(queries)

    costs = {}
    for debates, posts, speakers in ((1, 120, 10), (4, 120, 10), (1, 900, 40), (4, 900, 40)):
        generate("--replace", posts=posts, speakers=speakers, debates=debates)
        costs[(debates, posts)] = cost()
    assert len(set(costs.values())) == 1, costs
    assert costs[(1, 120)] <= 11


@pytest.mark.parametrize("page", ["timeline", "home"])
def test_a_repeated_page_costs_the_same_with_one_debate_and_with_four(
    client, django_assert_num_queries, page
):
    def warm_cost() -> int:
        url = page_url(page)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    generate(posts=200, speakers=10)
    one = warm_cost()
    generate("--replace", posts=200, speakers=10, debates=4)
    url = page_url(page)
    client.get(url)  # the edit emptied the caches: fill them again
    with django_assert_num_queries(one):
        assert client.get(url).status_code == 200
