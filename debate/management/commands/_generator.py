"""The generator behind ``generate_debate``: synthetic speakers, debates, articles, posts,
claims and stances, made deterministically from a random generator and bulk-inserted.

Kept apart from the command, which only reads its options, guards real data and reports."""

from __future__ import annotations

import bisect
import datetime
import itertools
import math
import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection

from debate.models import (
    Article,
    ArticlePost,
    Claim,
    Debate,
    Post,
    Proposition,
    ReviewState,
    Speaker,
    Stance,
)
from debate.models.debates import period_words
from debate.models.selection import thread_roots
from debate.text import extract_links, render_markdown, render_post_text

from . import _themes as words
from ._themes import GENERATED, OUTLETS, PROPOSITIONS, REPORTS, THEMES, Theme

PREFIX = "synthetic-"
BATCH = 5000
# Posts one roundup article quotes at most (ArticlePost.position is a small integer).
MAX_QUOTES = 5000
# Speakers who take part in how many debates (besides the regulars, who are in all).
DEBATES_PER_SPEAKER = (1, 1, 1, 2, 2, 3)
REGULAR_WEIGHT = 3  # a regular posts this many times as often as anyone else


@dataclass
class Plan:
    """One debate being generated: its theme, its row, who speaks in it and what it holds."""

    theme: Theme
    debate: Debate
    keys: list[str]  # its propositions' slugs, the main one first
    size: int = 0  # posts it starts (a few more from other debates are quoted in it)
    propositions: list[Proposition] = field(default_factory=list)
    cast: list[Speaker] = field(default_factory=list)
    cum_weights: list[int] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)  # its own, oldest first
    moments: list[datetime.datetime] = field(default_factory=list)  # their posted_at

    @property
    def slug_tail(self) -> str:
        return self.debate.slug.removeprefix(PREFIX)


def day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


class Generator:
    def __init__(self, rng: random.Random, posts: int, speakers: int, debates: int = 1) -> None:
        self.rng, self.n_posts, self.n_speakers, self.n_debates = rng, posts, speakers, debates

    def run(self) -> dict[str, int]:
        users = self.make_annotators()
        speakers = self.make_speakers()
        plans = self.make_debates()
        propositions = self.make_propositions(plans)
        regulars = self.cast_speakers(speakers, plans)
        self.share_posts(plans)
        posts = self.make_posts(plans, regulars)
        articles = self.make_articles(plans)
        claims, home = self.make_claims(plans)
        stances = self.make_stances(claims, home, users)
        reset_sequences()
        return {
            "debates": len(plans),
            "speakers": len(speakers),
            "posts": len(posts),
            "articles": len(articles),
            "propositions": len(propositions),
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
            name = f"{self.rng.choice(words.FIRST)} {self.rng.choice(words.LAST)}"
            speakers.append(
                Speaker(
                    name=name,
                    slug=f"{PREFIX}{n}",
                    handle=f"syn{n}"[:15],
                    role=self.rng.choice(words.ROLES),
                    bio=f"{name} writes about AI policy.",
                    profile_url=f"https://x.com/syn{n}",
                )
            )
        return Speaker.objects.bulk_create(speakers, batch_size=BATCH)

    def make_debates(self) -> list[Plan]:
        """The themes in an order drawn from the seed; past the last, a second round of
        each (its slug ends in -2, and so on). Periods move a few days with the seed."""
        rng = self.rng
        rounds: list[tuple[Theme, int]] = []
        while len(rounds) < self.n_debates:
            cycle = len(rounds) // len(THEMES)
            rounds += [(theme, cycle) for theme in rng.sample(THEMES, len(THEMES))]
        plans = []
        for theme, cycle in rounds[: self.n_debates]:
            starts = theme.starts_on + datetime.timedelta(days=rng.randint(0, 3))
            ends = max(starts, theme.ends_on - datetime.timedelta(days=rng.randint(0, 3)))
            debate = Debate(
                title=theme.title + (f" (round {cycle + 1})" if cycle else ""),
                slug=f"{PREFIX}{theme.key}" + (f"-{cycle + 1}" if cycle else ""),
                question=theme.question,
                summary=f"{theme.summary}\n\n{GENERATED}",
                starts_on=starts,
                ends_on=ends,
            )
            debate.refresh_derived()  # bulk_create does not call save()
            plans.append(Plan(theme, debate, list(theme.propositions)))
        Debate.objects.bulk_create([plan.debate for plan in plans])
        # Most themes share a proposition with another; make sure each debate after the first
        # shares one with a debate before it.
        seen = set(plans[0].keys)
        for before, plan in itertools.pairwise(plans):
            if not seen & set(plan.keys):
                plan.keys.append(before.keys[0])
            seen |= set(plan.keys)
        return plans

    def make_propositions(self, plans: list[Plan]) -> list[Proposition]:
        """The debates' propositions, found by slug (the seed's too) or made, and linked."""
        wanted = list(dict.fromkeys(key for plan in plans for key in plan.keys))
        found: dict[str, Proposition] = {}
        for slug in wanted:
            label, statement, pro, anti = PROPOSITIONS[slug]
            found[slug], _ = Proposition.objects.get_or_create(
                slug=slug,
                defaults={
                    "label": label,
                    "statement": statement,
                    "pro_label": pro,
                    "anti_label": anti,
                },
            )
        link = Proposition.debates.through
        links = []
        for plan in plans:
            plan.propositions = [found[key] for key in plan.keys]
            links += [link(proposition=p, debate=plan.debate) for p in plan.propositions]
        link.objects.bulk_create(links, batch_size=BATCH)
        return list(found.values())

    def cast_speakers(self, speakers: list[Speaker], plans: list[Plan]) -> list[Speaker]:
        """Who speaks in each debate: the regulars (one speaker in twenty) in every one, the
        others in one to three. Returns the regulars."""
        rng = self.rng
        regulars = speakers[: max(1, len(speakers) // 20)]
        for index, speaker in enumerate(speakers):
            if index < len(regulars):
                chosen = range(len(plans))
            else:
                k = min(len(plans), rng.choice(DEBATES_PER_SPEAKER))
                chosen = sorted(rng.sample(range(len(plans)), k=k))
            for d in chosen:
                plans[d].cast.append(speaker)
        regular = {speaker.pk for speaker in regulars}
        for plan in plans:
            weights = [REGULAR_WEIGHT if s.pk in regular else 1 for s in plan.cast]
            total = 0
            for weight in weights:
                total += weight
                plan.cum_weights.append(total)
        return regulars

    def share_posts(self, plans: list[Plan]) -> None:
        """Split the posts between the debates, unevenly (as real debates are), one at least."""
        weights = [self.rng.uniform(0.5, 1.5) for _ in plans]
        total = sum(weights)
        sizes = [max(1, int(self.n_posts * w / total)) for w in weights]
        while sum(sizes) > self.n_posts:
            sizes[sizes.index(max(sizes))] -= 1
        for index in range(self.n_posts - sum(sizes)):
            sizes[index % len(sizes)] += 1
        for plan, size in zip(plans, sizes, strict=True):
            plan.size = size

    def text(self, plan: Plan) -> str:
        rng = self.rng
        tail = rng.choice(words.TAILS).format(
            code="".join(rng.choices("abcdefXYZ0123456789", k=10))
        )
        mention = f"@{rng.choice(plan.cast).handle} " if rng.random() < 0.3 else ""
        if rng.random() < 0.5:
            subject, verb = rng.choice(plan.theme.subjects), rng.choice(words.SINGULAR_VERBS)
        else:
            subject, verb = rng.choice(words.OPENERS), rng.choice(words.VERBS)
        return f"{mention}{subject} {verb} {rng.choice(words.OBJECTS)}.{tail}"

    def make_posts(self, plans: list[Plan], regulars: list[Speaker]) -> list[Post]:
        """Each debate's posts at random moments of its period; ids follow time across all
        of them. Replies and quote-posts stay in their debate."""
        rng = self.rng
        first_pk = (Post.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        epoch = day_start(min(plan.debate.starts_on for plan in plans))
        moments: list[tuple[int, int]] = []  # (seconds after epoch, debate index)
        for index, plan in enumerate(plans):
            start = int((day_start(plan.debate.starts_on) - epoch).total_seconds())
            span = int(datetime.timedelta(days=(plan.debate.ends_on - plan.debate.starts_on).days
                                          + 1).total_seconds())  # fmt: skip
            moments += [(start + rng.randrange(span), index) for _ in range(plan.size)]
        moments.sort()
        posts: list[Post] = []
        for offset, index in moments:
            plan = plans[index]
            own = plan.posts
            # A familiar voice opens every debate; then anyone of its cast, regulars more often.
            if own:
                speaker = rng.choices(plan.cast, cum_weights=plan.cum_weights)[0]
            else:
                speaker = rng.choice(regulars)
            text = self.text(plan)
            post = Post(
                pk=first_pk + len(posts),
                speaker=speaker,
                handle_shown=speaker.handle,
                display_name_shown=speaker.name,
                text=text,
                text_html=render_post_text(text),
                links=extract_links(text),
                posted_at=epoch + datetime.timedelta(seconds=offset),
                time_known=True,
            )
            # Replies favour recent posts, so chains of varied depth form.
            if own and rng.random() < 0.55:
                parent = own[max(0, len(own) - 1 - int(rng.expovariate(1 / 30)))]
                post.in_reply_to_id = parent.pk
                post.reply_basis = "explicit" if rng.random() < 0.7 else "inferred"
            elif own and rng.random() < 0.08:
                post.quotes_id = rng.choice(own).pk
                post.quote_basis = "explicit"
            own.append(post)
            plan.moments.append(post.posted_at)
            posts.append(post)
        roots = thread_roots({post.pk: post.in_reply_to_id for post in posts})
        for post in posts:
            post.thread_root_id = roots[post.pk]
        return Post.objects.bulk_create(posts, batch_size=BATCH)

    def make_articles(self, plans: list[Plan]) -> list[Article]:
        """Per debate: roundups that together quote each of its posts once, in time order
        (one per 250 posts, 1 to 40, more past MAX_QUOTES posts each), and a few reports
        (one per 1,000 posts, 1 to 10) quoting 3 to 12 of its posts again and, now and then,
        the first post of a thread from another debate of the same months."""
        rng = self.rng
        articles: list[Article] = []
        quotes: list[list[Post]] = []
        for plan in plans:
            own, n, short = plan.posts, len(plan.posts), plan.theme.short
            roundups = max(1, min(40, n // 250), math.ceil(n / MAX_QUOTES))
            bounds = [round(m * n / roundups) for m in range(roundups + 1)]
            for m in range(roundups):
                chunk = own[bounds[m] : bounds[m + 1]]
                first, last = chunk[0].posted_at.date(), chunk[-1].posted_at.date()
                outlet = rng.choice(OUTLETS)
                articles.append(
                    Article(
                        debate=plan.debate,
                        title=f"{short}, as it happened (part {m + 1}): "
                        f"{period_words(first, last)}",
                        slug=f"{PREFIX}{plan.slug_tail}-roundup-{m + 1}",
                        outlet=outlet,
                        published_on=last + datetime.timedelta(days=rng.randint(0, 2)),
                        body=f"{outlet} collects what was posted about {short} from "
                        f"{period_words(first, first)} to {period_words(last, last)}. "
                        "A generated article: the posts it quotes are invented.",
                    )
                )
                quotes.append(chunk)
            for m in range(min(10, 1 + n // 1000)):
                chosen = rng.sample(own, k=min(n, rng.randint(3, 12)))
                if rng.random() < 0.5 and (elsewhere := self.root_elsewhere(plan, plans)):
                    chosen.append(elsewhere)
                chosen.sort(key=lambda post: post.pk)
                outlet = rng.choice(OUTLETS)
                articles.append(
                    Article(
                        debate=plan.debate,
                        title=rng.choice(REPORTS).format(short=short),
                        slug=f"{PREFIX}{plan.slug_tail}-report-{m + 1}",
                        outlet=outlet,
                        published_on=chosen[-1].posted_at.date()
                        + datetime.timedelta(days=rng.randint(0, 5)),
                        body=f"{outlet} reports on the argument over {short}. "
                        "A generated article: the posts it quotes are invented.",
                    )
                )
                quotes.append(chosen)
        articles = Article.objects.bulk_create(articles, batch_size=BATCH)
        rows = [
            ArticlePost(article=article, post=post, position=position)
            for article, quoted in zip(articles, quotes, strict=True)
            for position, post in enumerate(quoted, start=1)
        ]
        ArticlePost.objects.bulk_create(rows, batch_size=BATCH)
        return articles

    def root_elsewhere(self, plan: Plan, plans: list[Plan]) -> Post | None:
        """A post from another debate, within this one's period, that starts a thread (its
        replies stay in their own debate): the post both debates cite. None if there is none."""
        others = [other for other in plans if other is not plan]
        if not others:
            return None
        other = self.rng.choice(others)
        low = bisect.bisect_left(other.moments, day_start(plan.debate.starts_on))
        high = bisect.bisect_left(
            other.moments, day_start(plan.debate.ends_on + datetime.timedelta(days=1))
        )
        for _ in range(5):
            if low >= high:
                return None
            post = other.posts[self.rng.randrange(low, high)]
            if post.in_reply_to_id is None:
                return post
        return None

    def make_claims(self, plans: list[Plan]) -> tuple[list[Claim], list[Plan]]:
        """Claims from four posts in five, oldest first; with the debate each comes from."""
        posts = sorted(((post, plan) for plan in plans for post in plan.posts),
                       key=lambda pair: pair[0].pk)  # fmt: skip
        chosen = [(post, plan) for post, plan in posts if self.rng.random() < 0.8]
        claims = [
            Claim(speaker_id=post.speaker_id, post=post, summary=post.text[:120], quote=post.text)
            for post, _ in chosen
        ]
        return Claim.objects.bulk_create(claims, batch_size=BATCH), [plan for _, plan in chosen]

    def make_stances(self, claims: list[Claim], home: list[Plan], users) -> int:
        """One or two stances per claim, on the propositions of its debate."""
        rng = self.rng
        batch: list[Stance] = []
        total = 0
        rationale = "Generated: the wording takes this side."
        html = render_markdown(rationale)
        for claim, plan in zip(claims, home, strict=True):
            k = min(len(plan.propositions), rng.choice((1, 1, 1, 2)))
            for proposition in rng.sample(plan.propositions, k=k):
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
