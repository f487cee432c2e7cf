"""Build large, realistic synthetic debates for benchmarks, load tests and screenshots.

``--debates K`` debates (one by default) on real AI-policy exchanges (the pause letter, SB 1047,
export controls...; see ``_themes.py``), picked, dated and filled deterministically from
--seed. Speakers are global and many take part in several debates; each debate has its own
articles (together they quote every one of its posts, a few also quote a post of another
debate), its propositions (most shared with another debate), and claims and stances on them.

Everything it makes is marked as synthetic: the slugs of its debates, speakers and articles
start with "synthetic-", and so do its annotators' usernames. It refuses to run against a
database holding other posts unless --allow-real-data is given, and --replace deletes only
what is marked (the seed's debate and propositions, and anything real, stay).

This module reads the options and guards real data; ``_generator.py`` makes the data.
"""

from __future__ import annotations

import random
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import ProtectedError

from debate.models import (
    Article,
    ArticlePost,
    Claim,
    Debate,
    Post,
    Speaker,
    Stance,
)
from debate.versioning import bulk_edit

from ._generator import PREFIX, Generator


class Command(BaseCommand):
    help = "Generate deterministic synthetic debates with bulk inserts."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--posts", type=int, default=10_000, help="in all the debates")
        parser.add_argument("--speakers", type=int, default=200, help="shared by the debates")
        parser.add_argument("--debates", type=int, default=1, help="how many debates (1)")
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
        debates = options["debates"]
        if posts < 1 or speakers < 1 or debates < 1:
            raise CommandError("--posts, --speakers and --debates must be at least 1.")
        if posts < debates:
            raise CommandError("Every debate needs a post: give --posts at least --debates.")
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
            elif (
                Speaker.objects.filter(slug__startswith=PREFIX).exists()
                or Debate.objects.filter(slug__startswith=PREFIX).exists()
            ):
                raise CommandError("Synthetic data exists already: pass --replace.")
            rng = random.Random(seed)  # noqa: S311  (reproducible data, not secrets)
            counts = Generator(rng, posts, speakers, debates).run()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics, or the planner guesses badly
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{n:,} {name if n != 1 else name[:-1]}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Generated {summary} in {elapsed:.1f} s."))


def delete_synthetic() -> None:
    """Everything marked synthetic. Propositions stay (the seed's are among them, and the
    generator finds its own again by slug); their links to synthetic debates go."""
    synthetic = Post.objects.filter(speaker__slug__startswith=PREFIX)
    Stance.objects.filter(claim__speaker__slug__startswith=PREFIX).delete()
    Claim.objects.filter(speaker__slug__startswith=PREFIX).delete()
    ArticlePost.objects.filter(post__in=synthetic).delete()
    Article.objects.filter(slug__startswith=PREFIX).delete()
    try:
        Debate.objects.filter(slug__startswith=PREFIX).delete()
    except ProtectedError as error:
        kept = sorted({str(article) for article in error.protected_objects})
        raise CommandError(
            "Articles that are not synthetic belong to a synthetic debate; move or delete "
            f"them first: {', '.join(kept[:5])}"
        ) from error
    # Replies point at their parents (PROTECT): clear the links before deleting.
    synthetic.update(
        in_reply_to=None, reply_basis="", quotes=None, quote_basis="", thread_root=None
    )
    synthetic.delete()
    Speaker.objects.filter(slug__startswith=PREFIX).delete()
    get_user_model().objects.filter(username__startswith=PREFIX).delete()
