"""How long importing a long article takes: a synthetic article with 10,000 quoted posts.

    .venv/bin/python bench/import_bench.py                 # a temporary SQLite database
    .venv/bin/python bench/import_bench.py --dev           # the dev database (DATABASE_URL or
                                                           # var/), rolled back afterwards
    .venv/bin/python bench/import_bench.py --posts 2000 --speakers 20

Reports the time to read the bytes and parse them, to plan (look up speakers and known posts),
to save (every suggested reply confirmed), and to import the same article again (a no-op),
with the queries each step made.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class _RollBack(Exception):
    pass


def check(condition: bool, failure: str) -> None:
    if not condition:
        raise SystemExit(f"Benchmark failed: {failure}.")


def build_article(posts: int, speakers: int) -> str:
    """An article as a copy from the web would give it: prose, posts in several formats."""
    dashes = ["—", "–", "-", "--"]
    lines = [f"The long thread: {posts:,} posts on open models (benchmark)"]
    start = datetime.date(2023, 1, 1)
    for n in range(posts):
        if n % 10 == 0:
            lines.append(f"Paragraph {n // 10} of the article’s prose, before the next posts.")
        who = n % speakers
        day = start + datetime.timedelta(days=n // 20)
        when = f"{day:%B} {day.day}, {day.year}" if n % 2 else f"{day.day} {day:%b} {day.year}"
        mention = f"@user_{(n - 1) % speakers} " if n % 4 == 1 else ""
        link = f" https://t.co/b{n:08d}" if n % 5 == 0 else ""
        cut = "…" if n % 7 == 0 else "."
        flag = " 🇺🇸" if who % 3 == 0 else ""
        lines.append(f"{mention}Post {n} says open weights matter{link}{cut}")
        lines.append(f"{dashes[n % 4]} User {who}{flag} (@user_{who}) {when}")
    lines.append(f"{lines[0]} Read More »")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--speakers", type=int, default=50)
    parser.add_argument(
        "--dev", action="store_true", help="use the dev database, rolled back afterwards"
    )
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    workdir = None
    if not args.dev:
        workdir = tempfile.TemporaryDirectory(prefix="threadline-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir.name}/bench.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from debate.imports.decisions import Decisions
    from debate.imports.lines import MAX_BYTES, decode
    from debate.imports.parse import parse
    from debate.imports.plan import plan_import
    from debate.imports.save import save_import

    if workdir is not None:
        call_command("migrate", verbosity=0)
    where = connection.settings_dict["NAME"] if args.dev else "a temporary SQLite database"
    print(f"Database: {connection.vendor}, {where}")

    started = time.perf_counter()
    data = build_article(args.posts, args.speakers).encode("utf-8")
    print(
        f"Article: {args.posts:,} posts by {args.speakers} speakers, {data.count(b'\n') + 1:,} "
        f"lines, {len(data) / (1024 * 1024):.2f} MB (limit {MAX_BYTES // (1024 * 1024)} MB), "
        f"built in {time.perf_counter() - started:.2f} s"
    )
    rows: list[tuple[str, float, int | None]] = []

    def timed(label: str, step, queries: bool = True):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            result = step()
            rows.append((label, time.perf_counter() - began, len(captured) if queries else None))
        return result

    try:
        with transaction.atomic():
            parsed = timed("parse (decode, repair, read)", lambda: parse(decode(data)), False)
            check(len(parsed.posts) == args.posts, f"parsed {len(parsed.posts)} posts")
            plan = timed("plan (speakers, known posts)", lambda: plan_import(parsed))
            replies = {r.post: r.target for r in plan.replies if r.needs_decision}
            result = timed(
                f"save ({len(replies):,} replies confirmed)",
                lambda: save_import(parsed, Decisions(replies=replies)),
            )
            check(result.posts_created == args.posts, f"saved {result.posts_created} posts")
            again = timed("import again (no change)", lambda: save_import(parse(decode(data))))
            check(not again.created, "the second import created an article")
            if args.dev:
                raise _RollBack
    except _RollBack:
        print("Dev database: rolled back, nothing kept.")
    finally:
        if workdir is not None:
            connection.close()
            workdir.cleanup()

    print(f"{'step':<34} {'seconds':>8} {'posts/s':>9} {'queries':>8}")
    for label, seconds, queries in rows:
        rate = f"{args.posts / seconds:,.0f}" if seconds else "-"
        shown = "-" if queries is None else f"{queries:,}"
        print(f"{label:<34} {seconds:>8.2f} {rate:>9} {shown:>8}")
    total = rows[0][1] + rows[1][1] + rows[2][1]
    print(f"{'parse + plan + save':<34} {total:>8.2f} {args.posts / total:>9,.0f}")


if __name__ == "__main__":
    main()
