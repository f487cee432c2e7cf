"""Build a large, realistic synthetic debate for benchmarks and load tests.

Deterministic for a given --seed. Everything it makes is marked as synthetic (speaker slugs
start with "synthetic-", annotators' usernames too), and it refuses to run against a
database holding other posts unless --allow-real-data is given.
"""

from __future__ import annotations

import datetime
import random
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection

from debate.models import (
    Article,
    ArticlePost,
    Claim,
    Post,
    Proposition,
    ReviewState,
    Speaker,
    Stance,
)
from debate.models.selection import thread_roots
from debate.text import extract_links, render_markdown, render_post_text
from debate.versioning import bulk_edit

PREFIX = "synthetic-"
BATCH = 5000
FIRST = ["Ada", "Ben", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivo", "Jun", "Kofi",
         "Lena", "Mira", "Nils", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Vik",
         "Wen", "Xia", "Yara", "Zed"]  # fmt: skip
LAST = ["Abbott", "Berg", "Costa", "Dahl", "Eze", "Frost", "Gupta", "Holm", "Iqbal", "Jansen",
        "Kaur", "Lund", "Moreau", "Nakamura", "Okafor", "Petrov", "Quist", "Rossi", "Sato",
        "Torres", "Ueda", "Varga", "Weiss", "Yilmaz", "Zhou"]  # fmt: skip
ROLES = ["AI researcher", "Venture capitalist", "Policy analyst", "Founder", "Journalist",
         "Open-source maintainer", "Security researcher", "Lawmaker", "Ethicist"]  # fmt: skip
OPENERS = ["Open weights", "Closed models", "Frontier labs", "Export controls", "Model licences",
           "Safety evaluations", "Open research", "National security", "Compute caps",
           "Red-teaming", "Model cards", "Regulators"]  # fmt: skip
VERBS = ["will decide", "undermine", "protect", "accelerate", "slow down", "are essential to",
         "distort", "cannot replace", "should govern", "leak into"]  # fmt: skip
OBJECTS = ["the race with China", "academic science", "small startups", "public trust",
           "the next decade of AI", "national security", "open innovation", "civil liberties",
           "the incumbents' moat", "independent audits"]  # fmt: skip
TAILS = ["", " Full stop.", " The evidence is clear.", " We have seen this before.",
         " Change my mind.", " https://t.co/{code}", " pic.twitter.com/{code}",
         " Thread below.", "…"]  # fmt: skip
PROPOSITIONS = [
    ("open-source-ai", "Open-source AI", "AI models should be released as open source",
     "pro-open-source", "anti-open-source"),
    ("ai-export-controls", "AI export controls", "Frontier AI should be under export controls",
     "pro-export-controls", "anti-export-controls"),
    ("compute-caps", "Compute caps", "Training runs above a compute threshold need a licence",
     "pro-licensing", "anti-licensing"),
    ("ai-political-slant", "Political slant in AI",
     "Leading AI chatbots are slanted toward one political ideology",
     "sees a political slant", "sees no slant"),
]  # fmt: skip


class Command(BaseCommand):
    help = "Generate a deterministic synthetic debate with bulk inserts."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--posts", type=int, default=10_000)
        parser.add_argument("--speakers", type=int, default=200)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--allow-real-data",
            action="store_true",
            help="Run even though the database holds posts this command did not make.",
        )
        parser.add_argument(
            "--replace", action="store_true", help="Delete earlier synthetic data first."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        posts, speakers, seed = options["posts"], options["speakers"], options["seed"]
        if posts < 1 or speakers < 1:
            raise CommandError("--posts and --speakers must be at least 1.")
        real = Post.objects.exclude(speaker__slug__startswith=PREFIX)
        if real.exists() and not options["allow_real_data"]:
            raise CommandError(
                f"This database holds {real.count()} posts that are not synthetic. Use an "
                "empty database, or pass --allow-real-data to add synthetic ones beside them."
            )
        started = time.perf_counter()
        with bulk_edit():  # one transaction, counted as one edit: bulk inserts send no signals
            if options["replace"]:
                delete_synthetic()
            elif Speaker.objects.filter(slug__startswith=PREFIX).exists():
                raise CommandError("Synthetic data exists already: pass --replace.")
            rng = random.Random(seed)  # noqa: S311  (reproducible data, not secrets)
            counts = Generator(rng, posts, speakers).run()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics, or the planner guesses badly
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{n:,} {name}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Generated {summary} in {elapsed:.1f} s."))


def delete_synthetic() -> None:
    synthetic = Post.objects.filter(speaker__slug__startswith=PREFIX)
    Stance.objects.filter(claim__speaker__slug__startswith=PREFIX).delete()
    Claim.objects.filter(speaker__slug__startswith=PREFIX).delete()
    ArticlePost.objects.filter(post__in=synthetic).delete()
    Article.objects.filter(slug__startswith=PREFIX).delete()
    # Replies point at their parents (PROTECT): clear the links before deleting.
    synthetic.update(
        in_reply_to=None, reply_basis="", quotes=None, quote_basis="", thread_root=None
    )
    synthetic.delete()
    Speaker.objects.filter(slug__startswith=PREFIX).delete()
    get_user_model().objects.filter(username__startswith=PREFIX).delete()


class Generator:
    def __init__(self, rng: random.Random, posts: int, speakers: int) -> None:
        self.rng, self.n_posts, self.n_speakers = rng, posts, speakers

    def run(self) -> dict[str, int]:
        users = self.make_annotators()
        speakers = self.make_speakers()
        propositions = self.make_propositions()
        posts = self.make_posts(speakers)
        articles = self.make_articles(posts)
        claims = self.make_claims(posts)
        stances = self.make_stances(claims, propositions, users)
        reset_sequences()
        return {
            "speakers": len(speakers),
            "posts": len(posts),
            "articles": len(articles),
            "claims": len(claims),
            "stances": stances,
        }

    def make_annotators(self) -> list[Any]:
        user_model = get_user_model()
        users = [user_model(username=f"{PREFIX}annotator-{n}", first_name="Synthetic",
                            last_name=f"annotator {n}") for n in range(1, 6)]  # fmt: skip
        for user in users:
            user.set_unusable_password()
        return user_model.objects.bulk_create(users)

    def make_speakers(self) -> list[Speaker]:
        speakers = []
        for n in range(1, self.n_speakers + 1):
            name = f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"
            speakers.append(
                Speaker(
                    name=name,
                    slug=f"{PREFIX}{n}",
                    handle=f"syn{n}"[:15],
                    role=self.rng.choice(ROLES),
                    bio=f"{name} writes about AI policy.",
                    profile_url=f"https://x.com/syn{n}",
                )
            )
        return Speaker.objects.bulk_create(speakers, batch_size=BATCH)

    def make_propositions(self) -> list[Proposition]:
        found = []
        for slug, label, statement, pro, anti in PROPOSITIONS:
            proposition, _ = Proposition.objects.get_or_create(
                slug=slug,
                defaults={
                    "label": label,
                    "statement": statement,
                    "pro_label": pro,
                    "anti_label": anti,
                },
            )
            found.append(proposition)
        return found

    def text(self) -> str:
        rng = self.rng
        tail = rng.choice(TAILS).format(code="".join(rng.choices("abcdefXYZ0123456789", k=10)))
        mention = f"@syn{rng.randint(1, self.n_speakers)} " if rng.random() < 0.3 else ""
        return f"{mention}{rng.choice(OPENERS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}.{tail}"

    def make_posts(self, speakers: list[Speaker]) -> list[Post]:
        rng = self.rng
        first_pk = (Post.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        start = datetime.datetime(2021, 1, 1, tzinfo=datetime.UTC)
        span = int((datetime.datetime(2025, 12, 31, tzinfo=datetime.UTC) - start).total_seconds())
        moments = sorted(rng.randrange(span) for _ in range(self.n_posts))
        posts: list[Post] = []
        for index, offset in enumerate(moments):
            pk = first_pk + index
            speaker = rng.choice(speakers)
            text = self.text()
            post = Post(
                pk=pk,
                speaker=speaker,
                handle_shown=speaker.handle,
                display_name_shown=speaker.name,
                text=text,
                text_html=render_post_text(text),
                links=extract_links(text),
                posted_at=start + datetime.timedelta(seconds=offset),
                time_known=True,
            )
            # Replies favour recent posts, so chains of varied depth form.
            if posts and rng.random() < 0.55:
                parent = posts[max(0, len(posts) - 1 - int(rng.expovariate(1 / 30)))]
                post.in_reply_to_id = parent.pk
                post.reply_basis = "explicit" if rng.random() < 0.7 else "inferred"
            elif posts and rng.random() < 0.08:
                post.quotes_id = rng.choice(posts).pk
                post.quote_basis = "explicit"
            posts.append(post)
        roots = thread_roots({post.pk: post.in_reply_to_id for post in posts})
        for post in posts:
            post.thread_root_id = roots[post.pk]
        return Post.objects.bulk_create(posts, batch_size=BATCH)

    def make_articles(self, posts: list[Post]) -> list[Article]:
        rng = self.rng
        count = max(1, min(50, len(posts) // 200))
        articles = Article.objects.bulk_create(
            [
                Article(
                    title=f"Synthetic report {n}: the open-model fight",
                    slug=f"{PREFIX}article-{n}",
                    outlet="Synthetic Times",
                    published_on=datetime.date(2022, 1, 1) + datetime.timedelta(days=17 * n),
                    body="A generated article that quotes posts from the synthetic debate.",
                )
                for n in range(1, count + 1)
            ]
        )
        quoted = []
        for article in articles:
            chosen = rng.sample(posts, k=min(len(posts), rng.randint(3, 12)))
            quoted += [
                ArticlePost(article=article, post=post, position=position)
                for position, post in enumerate(chosen, start=1)
            ]
        ArticlePost.objects.bulk_create(quoted, batch_size=BATCH)
        return articles

    def make_claims(self, posts: list[Post]) -> list[Claim]:
        claims = [
            Claim(speaker_id=post.speaker_id, post=post, summary=post.text[:120], quote=post.text)
            for post in posts
            if self.rng.random() < 0.8
        ]
        return Claim.objects.bulk_create(claims, batch_size=BATCH)

    def make_stances(self, claims: list[Claim], propositions: list[Proposition], users) -> int:
        rng = self.rng
        batch: list[Stance] = []
        total = 0
        rationale = "Generated: the wording takes this side."
        html = render_markdown(rationale)
        for claim in claims:
            for proposition in rng.sample(propositions, k=rng.choice((1, 1, 1, 2))):
                for annotator in rng.sample(users, k=rng.choice((1, 1, 1, 2))):
                    batch.append(
                        Stance(
                            claim=claim,
                            proposition=proposition,
                            value=rng.choices(("pro", "anti", "neutral"), (5, 3, 2))[0],
                            rationale=rationale,
                            rationale_html=html,
                            annotator=annotator,
                            review_state=rng.choices(
                                (ReviewState.PUBLISHED, ReviewState.REVIEWED, ReviewState.DRAFT),
                                (7, 2, 1),
                            )[0],
                        )
                    )
            if len(batch) >= BATCH:
                total += len(Stance.objects.bulk_create(batch))
                batch = []
        total += len(Stance.objects.bulk_create(batch))
        return total


def reset_sequences() -> None:
    """Posts were inserted with explicit ids: move PostgreSQL's sequence past them."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Post])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
