"""Benchmark Threadline's public pages on PostgreSQL at several debate sizes (`make bench`).

    .venv/bin/python bench/run.py                          # 1,000, 10,000 and 100,000 posts
    .venv/bin/python bench/run.py --sizes 1000 --duration 2 --passes warm
    .venv/bin/python bench/run.py --sizes 100000 --keep-db --reuse-db

For each size it creates a database threadline_bench_<N>, migrates it, generates synthetic
debates (`manage.py generate_debate`; one unless --debates says more), finds the largest one
and its hub (/debates/<slug>/), counts each page's SQL queries with Django's test client,
serves the app with gunicorn on 127.0.0.1 and loads each page with wrk at a fixed concurrency,
next to two floors measured in the same run: a bare Django view through the same middleware
(/healthz) and a static file of the timeline page's size served by WhiteNoise. It prints a
markdown table and writes it, with the raw figures as JSON and the EXPLAIN (ANALYZE, BUFFERS)
plans of the timeline's queries at the largest size, to bench/results/. bench/README.md and
docs/performance.md explain the method.
"""

# The harness runs fixed local tools (manage.py, gunicorn, wrk, psql, git), never user input.
# ruff: noqa: S603, S607

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
LUA = BENCH / "wrk_report.lua"
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
DB_PREFIX = "threadline_bench_"
HOST = "127.0.0.1"
PORTS = range(8021, 8030)

# The timeline's first pages: (key, label, query string), filled in from what discover()
# finds. Written in the canonical parameter order, or the view would answer a full-page
# request with a redirect to the tidy URL.
TIMELINE = [
    ("default", "default", ""),
    ("speaker", "one speaker", "speaker={speaker}"),
    ("stance", "stance + proposition", "stance=pro&proposition={proposition}"),
    ("search", "text search", "q=security"),
    ("dates", "date range", "from={date_from}&to={date_to}"),
]
HTMX_RESULTS = {"HX-Request": "true", "HX-Target": "results"}
HTMX_LOAD_MORE = {"HX-Request": "true", "HX-Target": "load-more"}
PASSES = ("warm", "conditional", "cards", "cold")
# Column titles, and what each pass serves with (see app_env): None is the app as configured.
PASS_TITLES = {"warm": "warm", "cards": "cards only", "cold": "cold", "conditional": "304"}
# A percentile from fewer samples than this is little more than the slowest request.
FEW_SAMPLES = 100
# A timed run that finished fewer requests than this is run again for longer.
TOO_FEW = 5


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# The probe: runs inside Django (a subprocess with the size's DATABASE_URL), before gunicorn.


def probe(spec: dict[str, Any]) -> dict[str, Any]:
    """Find the pages' URLs, count each page's queries cold and warm with the test client,
    write the static-file floor, and EXPLAIN the timeline's queries if asked."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # The test client's host; gunicorn is only ever asked for 127.0.0.1.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    found = discover(connection)

    def get(page: dict[str, Any]) -> tuple[Any, list[dict[str, str]]]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page["path"], headers=page["headers"])
        return response, list(captured.captured_queries)

    def clear_caches() -> None:
        # Each page's first request finds every cache empty: a locmem cache lives in this
        # process only; a shared one (Redis, only when --redis-url is given) is flushed.
        for alias in settings.CACHES:
            caches[alias].clear()

    client.get("/healthz")  # opens the database connection outside any measurement
    pages = build_pages(found)
    results = []
    index = 0
    while index < len(pages):
        item = pages[index]
        clear_caches()
        cold, cold_sql = get(item)
        warm, warm_sql = get(item)
        if cold.status_code != 200 or warm.status_code != 200:
            raise SystemExit(
                f"{item['label']} ({item['path']}) answered {cold.status_code} then "
                f"{warm.status_code} to the test client; the benchmark needs 200."
            )
        body = cold.content
        results.append(
            item
            | {
                "bytes": len(body),
                "queries_cold": len(cold_sql),
                "queries_warm": len(warm_sql),
                "sql_cold": [q["sql"] for q in cold_sql],
            }
        )
        if item["key"] == "timeline-default":
            later = next(i for i, p in enumerate(pages) if p["key"] == "permalink")
            pages[later:later] = later_pages(body.decode())
            static = write_static_floor(Path(settings.STATIC_ROOT), body)
            found["static_path"] = str(static)
            found["static_url"] = f"/{settings.STATIC_URL.strip('/')}/bench/{static.name}"
        index += 1
    found["pages"] = results
    found["cache_aliases"] = list(settings.CACHES)
    if spec.get("explain"):
        found["explain"] = explain_pages(connection, results)
    return found


# The posts of one debate: those its articles quote.
IN_DEBATE = (
    "SELECT ap.post_id FROM debate_articlepost ap "
    "JOIN debate_article a ON a.id = ap.article_id WHERE a.debate_id = %s"
)


def discover(connection: Any) -> dict[str, Any]:
    """What the pages are about, chosen by SQL so that every run picks the same ones: the
    debate with the most posts, and in it the deepest thread, the busiest speaker, the
    proposition with the most stances and a tenth of its period."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.id, d.slug, d.starts_on, d.ends_on, count(DISTINCT ap.post_id) "
            "FROM debate_debate d JOIN debate_article a ON a.debate_id = d.id "
            "JOIN debate_articlepost ap ON ap.article_id = a.id "
            "GROUP BY d.id, d.slug, d.starts_on, d.ends_on "
            "ORDER BY count(DISTINCT ap.post_id) DESC, d.slug LIMIT 1"
        )
        debate_id, debate, starts_on, ends_on, debate_posts = cursor.fetchone()
        # The reply chain with the most links: its last post is the permalink to load.
        cursor.execute(
            f"""
            WITH RECURSIVE chain(id, depth) AS (
                SELECT id, 0 FROM debate_post WHERE in_reply_to_id IS NULL
                UNION ALL
                SELECT p.id, c.depth + 1
                FROM debate_post p JOIN chain c ON p.in_reply_to_id = c.id
            )
            SELECT id, depth FROM chain WHERE id IN ({IN_DEBATE})
            ORDER BY depth DESC, id LIMIT 1
            """,  # noqa: S608  (a fixed subquery)
            [debate_id],
        )
        deep_post, depth = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM debate_post WHERE thread_root_id = "
            "(SELECT thread_root_id FROM debate_post WHERE id = %s)",
            [deep_post],
        )
        (thread_size,) = cursor.fetchone()
        # The speaker with the most posts in the debate: the heaviest speaker filter.
        cursor.execute(
            "SELECT s.slug, count(*) FROM debate_post p JOIN debate_speaker s "  # noqa: S608
            f"ON s.id = p.speaker_id WHERE p.id IN ({IN_DEBATE}) "
            "GROUP BY s.slug ORDER BY count(*) DESC, s.slug LIMIT 1",
            [debate_id],
        )
        speaker, speaker_posts = cursor.fetchone()
        cursor.execute(
            "SELECT p.slug FROM debate_proposition p "
            "JOIN debate_proposition_debates pd ON pd.proposition_id = p.id "
            "LEFT JOIN debate_stance st ON st.proposition_id = p.id WHERE pd.debate_id = %s "
            "GROUP BY p.slug ORDER BY count(st.id) DESC, p.slug LIMIT 1",
            [debate_id],
        )
        (proposition,) = cursor.fetchone()
        counts = {}
        for table in ("debate", "post", "speaker", "claim", "stance", "article"):
            cursor.execute(f"SELECT count(*) FROM debate_{table}")  # noqa: S608 (fixed names)
            counts[table] = cursor.fetchone()[0]
    # A tenth of the period, from four tenths in (the old single debate's January to June
    # 2023, of 2021 to 2025).
    span = (ends_on - starts_on).days
    date_from = starts_on + datetime.timedelta(days=span * 4 // 10)
    date_to = date_from + datetime.timedelta(days=max(1, span // 10))
    return {
        "debate": debate,
        "debate_posts": debate_posts,
        "hub": f"/debates/{debate}/",
        "proposition": proposition,
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "deep_post": deep_post,
        "depth": depth,
        "thread_size": thread_size,
        "speaker": speaker,
        "speaker_posts": speaker_posts,
        "counts": counts,
    }


def build_pages(found: dict[str, Any]) -> list[dict[str, Any]]:
    """The pages to load: the debate's hub (timeline, its fragments, the map), a permalink
    and a speaker page (global addresses), and the home page listing every debate."""
    hub = found["hub"]
    pages = []
    for key, label, query in TIMELINE:
        path = hub + (f"?{query.format(**found)}" if query else "")
        pages.append(page(f"timeline-{key}", f"timeline, {label}", path))
        pages.append(page(f"fragment-{key}", f"HTMX fragment, {label}", path, HTMX_RESULTS))
    # later_pages() inserts the keyset page here, once the default page gives its link.
    deep_post, speaker = found["deep_post"], found["speaker"]
    pages.append(page("permalink", "post permalink, deepest thread", f"/posts/{deep_post}/"))
    pages.append(page("speaker-page", "speaker page", f"/speakers/{speaker}/"))
    pages.append(page("map", "stance map", f"{hub}map/"))
    pages.append(page("home", "home page, every debate", "/"))
    return pages


def page(key: str, label: str, path: str, headers: dict[str, str] | None = None) -> dict:
    return {"key": key, "label": label, "path": path, "headers": headers or {}}


def later_pages(html: str) -> list[dict[str, Any]]:
    """The next page, by the link a reader follows: the "Later posts" button of page 1, as a
    full page and as the fragment htmx fetches when the button scrolls into view."""
    import html as html_module

    match = re.search(r'id="load-more".*?href="([^"]+)"', html, re.DOTALL)
    if not match:
        raise SystemExit("The timeline's first page has no load-more link to follow.")
    path = html_module.unescape(match.group(1))
    return [
        page("later", "later page (keyset)", path),
        page("later-fragment", "later page, load-more fragment", path, HTMX_LOAD_MORE),
    ]


def write_static_floor(static_root: Path, body: bytes) -> Path:
    """The timeline page's own bytes as a static file, so the floor serves the same size.
    Written before gunicorn starts: WhiteNoise only serves files it finds at start-up."""
    folder = static_root / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"page-{len(body)}.html"
    path.write_bytes(body)
    return path


def explain_pages(connection: Any, pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT the timeline's full pages ran when cold."""
    plans = []
    for item in pages:
        if not (item["key"].startswith("timeline-") or item["key"] == "later"):
            continue
        for number, sql in enumerate(item["sql_cold"], start=1):
            if not sql.lstrip("( ").upper().startswith(("SELECT", "WITH")):
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            executed = re.search(r"Execution Time: ([\d.]+) ms", plan)
            plans.append(
                {
                    "page": item["label"],
                    "path": item["path"],
                    "number": number,
                    "what": describe_query(sql),
                    "sql": sql,
                    "plan": plan,
                    "execution_ms": float(executed.group(1)) if executed else None,
                }
            )
    return plans


def describe_query(sql: str) -> str:
    """A few words on what a query is, for the plans' headings."""
    upper = sql.upper()
    table = re.search(r'\bFROM\s+"(\w+)"', sql)
    words = [table.group(1) if table else "?"]
    if " UNION " in upper:
        words.append("catalogue (UNION of speakers, propositions, articles)")
    if "GROUP BY" in upper:
        words.append("grouped count")
    if "@@" in sql or "TS_HEADLINE" in upper:
        words.append("full-text search")
    limit = re.search(r"LIMIT (\d+)(?: OFFSET \d+)?\s*$", upper)  # the outer query's, last
    if limit:
        words.append(f"LIMIT {limit.group(1)}")
    if " IN (" in upper and not limit and "GROUP BY" not in upper:
        words.append("rows by id")
    return ", ".join(words)


# ---------------------------------------------------------------------------------------------
# Databases, Django commands, gunicorn.


def admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def database_size(name: str) -> tuple[int, int] | None:
    """How many posts and debates the database holds, or None when it does not exist (or is
    not ours)."""
    import psycopg

    try:
        with psycopg.connect(f"{PG_SERVER}/{name}", connect_timeout=5) as conn:
            posts = conn.execute("SELECT count(*) FROM debate_post").fetchone()[0]
            debates = conn.execute("SELECT count(*) FROM debate_debate").fetchone()[0]
            return posts, debates
    except psycopg.Error:
        return None


def app_env(db: str, args: argparse.Namespace, *, dummy: str = "") -> dict[str, str]:
    """The production environment: DEBUG off, a real secret key, one allowed host. ``dummy``
    names the cache aliases to disable ("all" for every one, "none" for none), through
    bench/cold_settings.py."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "REDIS_URL"}}
    env |= {
        "DATABASE_URL": f"{PG_SERVER}/{db}",
        "SECRET_KEY": args.secret_key,
        "ALLOWED_HOSTS": HOST,
        "LOG_LEVEL": "WARNING",
        "SECURE_SSL_REDIRECT": "0",  # wrk speaks plain HTTP, as a TLS proxy does to the app
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "cold_settings" if dummy else "config.settings",
    }
    if dummy:
        env["BENCH_DUMMY_CACHES"] = dummy
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BENCH), env.get("PYTHONPATH")]))
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    return env


def pass_settings(env: dict[str, str]) -> str:
    """How a pass's server differs from the app as configured, in words."""
    dummy = env.get("BENCH_DUMMY_CACHES", "")
    words = (
        []
        if dummy == "none"
        else [f"a DummyCache for {'every cache' if dummy == 'all' else dummy}"]
    )
    if env.get("BENCH_TRUE_SETTINGS"):
        words.append(f"{env['BENCH_TRUE_SETTINGS']} = True")
    return "; ".join(words) or "as configured"


def manage(env: dict[str, str], *command: str) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip()


def run_probe(env: dict[str, str], spec: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="threadline-bench-") as tmp:
        spec_path, out_path = Path(tmp, "spec.json"), Path(tmp, "out.json")
        spec_path.write_text(json.dumps(spec))
        done = subprocess.run(
            [PYTHON, __file__, "--probe", str(spec_path), str(out_path)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SystemExit(f"The query-count probe failed:\n{done.stdout}{done.stderr}")
        return json.loads(out_path.read_text())


def free_port(first: int) -> int:
    for port in [first, *(p for p in PORTS if p != first)]:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            return port
    raise SystemExit(f"No free port among {PORTS.start}-{PORTS.stop - 1} for gunicorn.")


def gunicorn_command(args: argparse.Namespace, port: int) -> list[str]:
    command = [GUNICORN, "config.wsgi", "-w", str(args.workers), "-k", args.worker_class]
    if args.worker_class == "gthread":
        # gunicorn turns sync into gthread by itself when --threads > 1: name it only here.
        command += ["--threads", str(args.threads)]
    return [*command, "-b", f"{HOST}:{port}", "--log-level", "warning", "--chdir", str(ROOT)]


@contextlib.contextmanager
def gunicorn(args: argparse.Namespace, env: dict[str, str], log_path: Path) -> Iterator[int]:
    """Serve the app until the block ends, however it ends; stop it by its PID."""
    port = free_port(args.port)
    command = gunicorn_command(args, port)
    with log_path.open("ab") as log_file:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=log_file)
    try:
        wait_healthy(server, port, log_path)
        yield port
    finally:
        stop(server)


def wait_healthy(server: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.returncode}):\n{tail(log_path)}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if fetch(port, "/healthz")[0] == 200:
                return
        time.sleep(0.1)
    raise SystemExit(f"gunicorn did not answer /healthz within 60 s:\n{tail(log_path)}")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)  # the master stops its workers gracefully
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def fetch(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    """One request, redirects not followed, no Accept-Encoding (as wrk sends it)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------
# wrk.


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk is missing: installing the Debian package")
    apt = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(apt, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, check=False)
        subprocess.run(apt, capture_output=True, check=False)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    return found


def wrk(
    args: argparse.Namespace, port: int, path: str, headers: dict[str, str], seconds: float
) -> dict[str, Any]:
    command = [
        args.wrk,
        f"-t{min(args.wrk_threads, args.concurrency)}",
        f"-c{args.concurrency}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "60s",  # slow pages must count as slow, not vanish as timeouts (wrk's default is 2 s)
        "-s",
        str(LUA),
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    load = os.getloadavg()[0]
    done = subprocess.run([*command, f"http://{HOST}:{port}{path}"], capture_output=True, text=True)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed on {path}:\n{done.stdout}{done.stderr}")
    result = json.loads(line.removeprefix("WRK_JSON "))
    seconds_run = result["duration_us"] / 1e6
    result["rps"] = result["requests"] / seconds_run if seconds_run else 0.0
    result["wire_bytes"] = result["bytes"] / result["requests"] if result["requests"] else 0
    result["load_before"] = load
    return result


def measure(
    args: argparse.Namespace, port: int, path: str, headers: dict[str, str], warm_up: bool = True
) -> dict[str, Any]:
    drain(port)
    if warm_up and args.warmup > 0:  # fills each worker's caches before the timed run
        wrk(args, port, path, headers, args.warmup)
        drain(port)  # what the warm-up left queued must not be charged to the timed run
    result = wrk(args, port, path, headers, args.duration)
    result["drain_s"] = drain(port)
    if result["requests"] < TOO_FEW and args.max_duration > args.duration:
        # A page so slow that (almost) nothing finished: run it again, long enough for about
        # twice that many requests, within --max-duration. Slow pages only pay this.
        done = result["requests"]
        seconds = args.duration * 2 * TOO_FEW / done if done else args.max_duration
        seconds = min(args.max_duration, max(seconds, 2 * args.duration))
        log(f"  {path}: {done} requests in {args.duration:g} s; again for {seconds:.0f} s")
        result = wrk(args, port, path, headers, seconds)
        result["drain_s"] = drain(port)
    return result


def drain(port: int, quick: float = 0.05, times: int = 6, limit: float = 120) -> float:
    """Wait until the server has finished the requests wrk left behind.

    When wrk stops, up to --concurrency requests are still queued in the workers, and they are
    rendered to closed sockets; on a slow page that is seconds of work that would otherwise be
    charged to the next row. Idle means /healthz answered quickly several times in a row
    (each time possibly by a different worker). Returns the seconds waited."""
    began = time.monotonic()
    streak = 0
    while streak < times and time.monotonic() - began < limit:
        asked = time.monotonic()
        try:
            fetch(port, "/healthz")
        except (OSError, http.client.HTTPException):
            streak = 0
            continue
        streak = streak + 1 if time.monotonic() - asked < quick else 0
    if streak < times:
        log(f"  the server was still busy after {limit:.0f} s; measuring anyway")
    return time.monotonic() - began


def check(result: dict[str, Any], body_bytes: int, label: str, concurrency: int) -> list[str]:
    """What went wrong during a timed run, in words (the table marks such rows)."""
    problems = []
    n = result["requests"]
    # wrk's byte count includes the responses still arriving when the run stops (at most one
    # per connection) and the headers: allow for both when checking the size of a response.
    most = body_bytes + 4096 + (concurrency * (body_bytes + 4096) / n if n else 0)
    errors = result["errors"]
    if errors["status"]:
        problems.append(f"{errors['status']} responses with status >= 400")
    if not result["requests"]:
        problems.append("no request finished within the run")
    if errors["timeout"] or errors["connect"] or errors["read"] or errors["write"]:
        problems.append(f"socket errors {errors}")
    if n and not body_bytes <= result["wire_bytes"] <= most:
        problems.append(f"{result['wire_bytes']:.0f} bytes a response, expected {body_bytes}+")
    for problem in problems:
        log(f"  {label}: {problem}")
    return problems


# ---------------------------------------------------------------------------------------------
# One size.


def bench_size(n: int, args: argparse.Namespace, explain: bool) -> dict[str, Any]:
    db = f"{DB_PREFIX}{n}"
    env = app_env(db, args)
    started = time.monotonic()
    setup: dict[str, float] = {}
    reused = args.reuse_db and database_size(db) == (n, args.debates)
    if not reused:
        log(f"{n:,} posts: creating database {db}")
        admin_sql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        admin_sql(f'CREATE DATABASE "{db}"')
    began = time.monotonic()
    manage(env, "migrate", "--noinput")
    setup["migrate_s"] = time.monotonic() - began
    if not reused:
        began = time.monotonic()
        generated = manage(
            env, "generate_debate", "--posts", str(n), "--speakers", str(args.speakers),
            "--debates", str(args.debates), "--seed", str(args.seed),
        )  # fmt: skip
        setup["generate_s"] = time.monotonic() - began
        log(f"{n:,} posts: {generated}")
    static_path: Path | None = None
    try:
        began = time.monotonic()
        found = run_probe(env, {"explain": explain})
        static_path = Path(found["static_path"])
        setup["probe_s"] = time.monotonic() - began
        log(f"{n:,} posts: queries counted on {found['hub']}; deepest thread {found['depth']} deep")
        result = {"posts": n, "database": db, "reused_database": reused, "setup": setup} | found
        measure_all(args, n, result)
    finally:
        if static_path is not None:
            static_path.unlink(missing_ok=True)
        if not args.keep_db:
            admin_sql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    result["seconds"] = time.monotonic() - started
    return result


def measure_all(args: argparse.Namespace, n: int, result: dict[str, Any]) -> None:
    pages = result["pages"]
    db = result["database"]
    log_path = ROOT / "var" / f"bench-gunicorn-{n}.log"  # var/ is not committed
    log_path.unlink(missing_ok=True)
    static_bytes = Path(result["static_path"]).stat().st_size
    checks: list[dict[str, Any]] = []  # the floors, measured again every --floor-every pages

    def floors_now(port: int) -> None:
        # No warm-up but the first: neither floor has a cache to fill.
        first = not checks
        bare = measure(args, port, "/healthz", {}, warm_up=first)
        static = measure(args, port, result["static_url"], {}, warm_up=first)
        check(static, static_bytes, "static floor", args.concurrency)
        checks.append({"bare": bare, "static": static})

    with gunicorn(args, app_env(db, args), log_path) as port:
        log(f"{n:,} posts: gunicorn on port {port} ({args.worker_class}); floors first")
        for index, item in enumerate(pages):
            if index % args.floor_every == 0:
                floors_now(port)
            # This page's floors: the two measured just before and just after its rows.
            item["floor_checks"] = [len(checks) - 1, len(checks)]
            status, headers, body = fetch(port, item["path"], item["headers"])
            if status != 200:
                raise SystemExit(f"{item['label']} ({item['path']}) answered {status}.")
            item["served_bytes"] = len(body)
            item["etag"] = headers.get("ETag")
            item["last_modified"] = headers.get("Last-Modified")
            if "warm" in args.passes:
                log(f"{n:,} posts: {item['label']}")
                item["warm"] = measure(args, port, item["path"], item["headers"])
                item["warm"]["problems"] = check(
                    item["warm"], len(body), item["label"], args.concurrency
                )
            if "conditional" in args.passes:
                item["conditional"] = measure_conditional(args, port, item)
        floors_now(port)
    floors: dict[str, dict[str, Any]] = {}
    for name in ("bare", "static"):
        runs = [c[name] for c in checks]
        floors[name] = {"runs": runs, "rps": sum(r["rps"] for r in runs) / len(runs)}
        for item in pages:
            # The background load drifts: compare warm and 304 rows to the floor next to them.
            near = [checks[i][name]["rps"] for i in item["floor_checks"]]
            item.setdefault("floor_rps", {})[name] = sum(near) / len(near)
    floors["static"]["bytes"] = static_bytes
    result["floors"] = floors
    if "cards" in args.passes:
        # Whole-page cache off, every other cache (the cards') on and filled by the warm-up:
        # by the app's switch for it, or by disabling the page cache's own alias.
        alias, switch = args.page_cache_alias, args.page_cache_switch
        has_alias = alias in result["cache_aliases"]
        has_switch = bool(switch) and app_mentions(switch)
        if has_alias or has_switch:
            env = app_env(db, args, dummy=alias if has_alias else "none")
            if has_switch:
                env["BENCH_TRUE_SETTINGS"] = switch
            measure_pass(args, n, result, "cards", env, log_path)
        else:
            result["cards_skipped"] = (
                f"no switch {switch} in the app and no cache alias {alias!r} to turn off on "
                f"its own (the app's caches: {', '.join(result['cache_aliases'])})"
            )
    if "cold" in args.passes:
        measure_pass(args, n, result, "cold", app_env(db, args, dummy="all"), log_path)


def app_mentions(name: str) -> bool:
    """Whether the app's code reads a setting of this name (e.g. a switch to turn a cache off)."""
    return any(
        name in path.read_text(errors="replace")
        for folder in ("debate", "config")
        for path in (ROOT / folder).rglob("*.py")
    )


def measure_pass(
    args: argparse.Namespace,
    n: int,
    result: dict[str, Any],
    kind: str,
    env: dict[str, str],
    log_path: Path,
) -> None:
    """Every page again, on a server started with some caches disabled."""
    with gunicorn(args, env, log_path) as port:
        log(f"{n:,} posts: {PASS_TITLES[kind]} pass ({pass_settings(env)})")
        for item in result["pages"]:
            status, _, body = fetch(port, item["path"], item["headers"])
            if status != 200:
                raise SystemExit(f"{item['label']} ({item['path']}) answered {status} ({kind}).")
            # Cold: nothing to warm (the request above loaded the templates), and a warm-up
            # would only leave a queue of slow requests to wait out.
            item[kind] = measure(args, port, item["path"], item["headers"], kind != "cold")
            item[kind]["problems"] = check(
                item[kind], len(body), f"{item['label']} ({kind})", args.concurrency
            )


def measure_conditional(args: argparse.Namespace, port: int, item: dict[str, Any]) -> dict:
    """A repeat reader: the same request with the validators the page gave; expect 304."""
    validators = {}
    if item["etag"]:
        validators["If-None-Match"] = item["etag"]
    if item["last_modified"]:
        validators["If-Modified-Since"] = item["last_modified"]
    if not validators:
        return {"skipped": "no validator"}
    headers = item["headers"] | validators
    status, _, _ = fetch(port, item["path"], headers)
    if status != 304:
        return {"skipped": f"{status}, not 304"}
    result = measure(args, port, item["path"], headers)
    result["problems"] = check(result, 0, item["label"] + " 304", args.concurrency)
    return result


# ---------------------------------------------------------------------------------------------
# Reporting.


def rate(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def ms(us: float) -> str:
    value = us / 1000
    return f"{value:.1f}" if value < 10 else f"{value:,.0f}"


def percent(part: float | None, whole: float | None) -> str:
    if not part or not whole:
        return "–"
    share = 100 * part / whole
    return f"{share:.0f}%" if share >= 10 else f"{share:.1f}%" if share >= 1 else f"{share:.2f}%"


def latencies(run: dict[str, Any] | None) -> str:
    if not run or "latency_us" not in run:
        return "–"
    if not run["requests"]:
        return "none finished ⚠"
    lat = run["latency_us"]
    few = "*" if run["requests"] < FEW_SAMPLES else ""
    mark = " ⚠" if run.get("problems") else ""
    return f"{ms(lat['p50'])} / {ms(lat['p95'])} / {ms(lat['p99'])}{few}{mark}"


def rps_of(run: dict[str, Any] | None) -> float | None:
    return run.get("rps") if run and "rps" in run else None


def main_table(sizes: list[dict[str, Any]]) -> str:
    kinds = [k for k in PASS_TITLES if any(k in p for s in sizes for p in s["pages"])]
    head = ["posts", "page", "bytes", "queries cold / warm"]
    for kind in kinds:
        title = PASS_TITLES[kind]
        head += [f"{title} req/s", f"{title} p50 / p95 / p99 ms", f"{title} % bare"]
        if kind == "warm":
            head.append(f"{title} % static")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for size in sizes:
        n = f"{size['posts']:,}"
        bare, static = size["floors"]["bare"], size["floors"]["static"]
        for name, floor, what in (
            ("floor: bare view /healthz", bare, "2"),
            (f"floor: static file, {static['bytes']:,} B", static, f"{static['bytes']:,}"),
        ):
            low, high = (f(r["rps"] for r in floor["runs"]) for f in (min, max))
            cells = [n, name, what, "0", f"{rate(floor['rps'])} ({rate(low)}–{rate(high)})"]
            cells.append(latencies(floor["runs"][0]))
            lines.append("| " + " | ".join(cells + [""] * (len(head) - len(cells))) + " |")
        for item in size["pages"]:
            cells = [
                n,
                item["label"],
                f"{item.get('served_bytes', item['bytes']):,}",
                f"{item['queries_cold']} / {item['queries_warm']}",
            ]
            for kind in kinds:
                run = item.get(kind)
                shown = rate(rps_of(run))
                if run and "skipped" in run:
                    shown = run["skipped"]
                floor = floor_for(size, item, kind)
                cells += [shown, latencies(run), percent(rps_of(run), floor["bare"])]
                if kind == "warm":
                    cells.append(percent(rps_of(run), floor["static"]))
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def floor_for(size: dict[str, Any], item: dict[str, Any], kind: str) -> dict[str, float]:
    """The floors a row is compared to: those measured next to it for the rows served by the
    first server (warm, 304), the mean of all of them for the later passes."""
    if kind in ("warm", "conditional") and "floor_rps" in item:
        return item["floor_rps"]
    return {name: size["floors"][name]["rps"] for name in ("bare", "static")}


def growth(sizes: list[dict[str, Any]], index: int, kind: str) -> tuple[float, float] | None:
    """A page's p50 at the largest size over its p50 at the smallest, raw and floor-adjusted.

    Under a fixed concurrency p50 is about connections / throughput, so it also moves with
    whatever else the machine is doing. The adjusted ratio compares the page's share of the
    bare view's throughput instead, each against the floor measured next to it."""
    first, last = sizes[0]["pages"][index], sizes[-1]["pages"][index]
    p50s = [p.get(kind, {}).get("latency_us", {}).get("p50") for p in (first, last)]
    shares = [
        rps_of(p.get(kind)) / floor_for(s, p, kind)["bare"]
        for s, p in ((sizes[0], first), (sizes[-1], last))
        if rps_of(p.get(kind))
    ]
    if not all(p50s) or len(shares) < 2:
        return None
    return p50s[1] / p50s[0], shares[0] / shares[1]


def growth_table(sizes: list[dict[str, Any]]) -> str:
    """Each page's queries and p50 at every size, and how p50 grew from smallest to largest."""
    if len(sizes) < 2:
        return ""
    first, last = sizes[0], sizes[-1]
    names = " / ".join(f"{s['posts']:,}" for s in sizes)  # a "|" would split the cell
    head = (
        f"| page | queries cold ({names}) | p50 ms warm ({names}) | warm growth (adjusted) "
        f"| p50 ms cold ({names}) | cold growth (adjusted) |"
    )
    lines = [head, "|---|---|---|---|---|---|"]
    for index, item in enumerate(first["pages"]):
        row = [s["pages"][index] for s in sizes]
        queries = " / ".join(str(r["queries_cold"]) for r in row)
        cells = []
        for kind in ("warm", "cold"):
            p50s = [r.get(kind, {}).get("latency_us", {}).get("p50") for r in row]
            shown = " / ".join(ms(p) if p else "–" for p in p50s)
            ratios = growth(sizes, index, kind)
            cells += [shown, f"{ratios[0]:.2f}× ({ratios[1]:.2f}×)" if ratios else "–"]
        lines.append(f"| {item['label']} | {queries} | {' | '.join(cells)} |")
    lines.append("")
    lines.append(
        f"Growth is p50 at {last['posts']:,} posts over p50 at {first['posts']:,} (target: at "
        "most 1.3×); adjusted, the page's share of the bare view's throughput at "
        f"{first['posts']:,} over its share at {last['posts']:,}, which cancels the machine's "
        "drift between the two measurements."
    )
    return "\n".join(lines)


def targets_table(sizes: list[dict[str, Any]]) -> str:
    """The issue's targets, each with the worst page's figure at every size."""
    names = " | ".join(f"{s['posts']:,}" for s in sizes)
    lines = [f"| target | {names} | met |", "|---|" + "---|" * len(sizes) + "---|"]

    def timeline_pages(size: dict[str, Any]) -> list[dict[str, Any]]:
        keys = ("timeline-", "fragment-", "later")
        return [p for p in size["pages"] if p["key"].startswith(keys)]

    def worst(size, kind: str, floor: str, pages=None) -> tuple[float | None, str]:
        shares = [
            (rps_of(p.get(kind)) / floor_for(size, p, kind)[floor], p["label"])
            for p in (pages if pages is not None else timeline_pages(size))
            if rps_of(p.get(kind))
        ]
        return min(shares) if shares else (None, "")

    def row(label: str, figures: list[tuple[float | None, str]], good) -> str:
        cells = [
            "–" if value is None else f"{percent(value, 1)} ({where})" for value, where in figures
        ]
        known = [value for value, _ in figures if value is not None]
        met = "–" if not known else "yes" if all(good(v) for v in known) else "no"
        return f"| {label} | {' | '.join(cells)} | {met} |"

    most = [max(max(p["queries_cold"], p["queries_warm"]) for p in s["pages"]) for s in sizes]
    same = all(
        [p["queries_cold"] for p in s["pages"]] == [p["queries_cold"] for p in sizes[0]["pages"]]
        for s in sizes
    )
    met = "yes" if max(most) <= 10 and same else "no"
    lines.append(
        "| queries per page ≤ 10, the same at every size | "
        + " | ".join(f"most {m}" for m in most)
        + f" | {met}{'' if same else ' (counts differ between sizes)'} |"
    )
    if len(sizes) > 1:
        for adjusted in (False, True):
            ratios = [
                (found[adjusted], item["label"])
                for index, item in enumerate(sizes[0]["pages"])
                if (found := growth(sizes, index, "warm"))
            ]
            if not ratios:
                continue
            value, where = max(ratios)
            cells = ["" for _ in sizes[:-1]] + [f"{value:.2f}× ({where})"]
            how = "floor-adjusted" if adjusted else "raw"
            lines.append(
                f"| p50 at {sizes[-1]['posts']:,} ≤ 1.3 × p50 at {sizes[0]['posts']:,}, worst "
                f"page (warm, {how}) | {' | '.join(cells)} | {'yes' if value <= 1.3 else 'no'} |"
            )
    cards = any("cards" in p for s in sizes for p in s["pages"])
    checks = [
        (f"warm timeline ≥ 20% of bare view (worst timeline page or fragment; "
         f"{'cards cached, page cache off' if cards else 'page cache on: see cards only'})",
         "cards" if cards else "warm", "bare", False, 0.20),
        ("cold timeline ≥ 5% of bare view (worst)", "cold", "bare", False, 0.05),
        ("304 ≥ 70% of bare view (worst of all pages)", "conditional", "bare", True, 0.70),
        ("cached (warm) timeline ≥ 50% of static file (worst)", "warm", "static", False, 0.50),
    ]  # fmt: skip
    for label, kind, floor, all_pages, target in checks:
        figures = [worst(s, kind, floor, s["pages"] if all_pages else None) for s in sizes]
        if kind == "conditional":  # pages that never answer 304 cannot be averaged in: count them
            answered = [sum(1 for p in s["pages"] if rps_of(p.get(kind))) for s in sizes]
            figures = [
                (value, f"{where}; {n} of {len(s['pages'])} pages answer 304")
                for (value, where), n, s in zip(figures, answered, sizes, strict=True)
            ]
        lines.append(row(label, figures, lambda v, t=target: v >= t))
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError):
        info = Path("/proc/cpuinfo").read_text().splitlines()
        cpu = next((x.split(":", 1)[1].strip() for x in info if x.startswith("model name")), "")
    versions = {}
    for package in ("django", "gunicorn", "psycopg", "whitenoise"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[package] = version(package)
    pg = subprocess.run(
        ["psql", "-h", HOST, "-U", "postgres", "-Atc", "SHOW server_version"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "postgresql": pg.stdout.strip(),
        "wrk": (wrk_version.stdout or wrk_version.stderr).split("Copyright")[0].strip(),
        **versions,
    }


def git_state() -> dict[str, Any]:
    def git(*command: str) -> str:
        done = subprocess.run(["git", *command], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    return {"commit": git("rev-parse", "--short", "HEAD"), "dirty": bool(git("status", "-s"))}


def report(run: dict[str, Any]) -> str:
    meta, sizes = run["meta"], run["sizes"]
    opts, box = meta["options"], meta["machine"]
    git = meta["git"]
    lines = [
        f"# Threadline benchmark, {meta['started']}",
        "",
        f"Commit {git['commit']}{' with uncommitted changes' if git['dirty'] else ''}; "
        f"{box['cpus']} CPUs ({box['cpu']}); Python {box['python']}, Django "
        f"{box.get('django', '?')}, gunicorn {box.get('gunicorn', '?')}, PostgreSQL "
        f"{box['postgresql']}, {box['wrk']}. gunicorn: `{meta['gunicorn']}`. wrk: "
        f"{opts['concurrency']} connections, {opts['wrk_threads']} threads, "
        f"{opts['warmup']:g} s warm-up then {opts['duration']:g} s per row, on the same machine. "
        f"Synthetic debates: {opts.get('debates', 1)} of them, {opts['speakers']} speakers, "
        f"seed {opts['seed']}. "
        f"Load average (1 min) {meta['load_start']:.2f} at the start, "
        f"{meta['load_end']:.2f} at the end; took {meta['seconds'] / 60:.1f} min.",
        "",
        "Warm: the app as configured, caches filled by the warm-up. Cards only: the whole-page "
        "cache off, the other caches (the cards') warm. Cold: every Django cache a DummyCache. "
        "304: the request repeated with the validators (ETag / Last-Modified) the page sent. "
        "Queries: the same request through Django's test client against the same database, "
        "first with empty caches, then again. Floors: measured every "
        f"{opts['floor_every']} pages, req/s shows the mean (lowest–highest). % bare and % static "
        "are a page's req/s over the floor's: for warm and 304 the floors measured just before "
        "and after the page, for the later passes the mean. * fewer than 100 requests in the "
        "run; ⚠ errors (see the JSON).",
        "",
        main_table(sizes),
        "",
    ]
    for size in sizes:
        lines.append(
            f"At {size['posts']:,} posts: the hub of `{size['debate']}` "
            f"({size['debate_posts']:,} posts); speaker `{size['speaker']}` "
            f"({size['speaker_posts']:,} posts there), proposition `{size['proposition']}`, "
            f"dates {size['date_from']} to {size['date_to']}; permalink "
            f"/posts/{size['deep_post']}/ ends a reply chain "
            f"{size['depth']} deep in a thread of {size['thread_size']:,} posts; "
            f"{size['counts']['claim']:,} claims, {size['counts']['stance']:,} stances."
            + (
                f" Cards-only pass skipped: {size['cards_skipped']}."
                if "cards_skipped" in size
                else ""
            )
        )
    growth = growth_table(sizes)
    if growth:
        lines += ["", "## Cost growth", "", growth]
    lines += ["", "## Targets (issue 7)", "", targets_table(sizes), ""]
    return "\n".join(lines)


def explain_report(size: dict[str, Any], started: str) -> str:
    lines = [
        f"# EXPLAIN (ANALYZE, BUFFERS) of the timeline's queries at {size['posts']:,} posts",
        "",
        f"Captured by bench/run.py on {started}: every SELECT each timeline page ran with "
        "empty caches, explained right after the page was served (so the buffers are warm).",
        "",
        "| page | queries explained | total execution ms | slowest |",
        "|---|---|---|---|",
    ]
    by_page: dict[str, list[dict[str, Any]]] = {}
    for plan in size["explain"]:
        by_page.setdefault(plan["page"], []).append(plan)
    for name, plans in by_page.items():
        timed = [p for p in plans if p["execution_ms"] is not None]
        slowest = max(timed, key=lambda p: p["execution_ms"], default=None)
        what = f"#{slowest['number']} {slowest['what']}" if slowest else "–"
        total = sum(p["execution_ms"] for p in timed)
        lines.append(f"| {name} | {len(plans)} | {total:.1f} | {what} |")
    lines += ["", "| page | # | query | execution ms |", "|---|---|---|---|"]
    for plan in size["explain"]:
        took = "–" if plan["execution_ms"] is None else f"{plan['execution_ms']:.2f}"
        lines.append(f"| {plan['page']} | {plan['number']} | {plan['what']} | {took} |")
    seen: dict[str, str] = {}
    for plan in size["explain"]:
        lines += ["", f"## {plan['page']} (`{plan['path']}`), query {plan['number']}", ""]
        if plan["sql"] in seen:
            lines.append(f"Same SQL as {seen[plan['sql']]}.")
            continue
        seen[plan["sql"]] = f"{plan['page']}, query {plan['number']}"
        lines += [
            f"{plan['what']}.",
            "",
            "<details><summary>SQL</summary>",
            "",
            "```sql",
            plan["sql"],
            "```",
            "",
            "</details>",
            "",
            "```",
            plan["plan"],
            "```",
        ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="posts, comma-separated")
    parser.add_argument("--duration", type=float, default=2, help="seconds per timed run")
    parser.add_argument(
        "--max-duration",
        type=float,
        default=8,
        help=f"at most this long for a page that finished fewer than {TOO_FEW} requests",
    )
    parser.add_argument("--warmup", type=float, default=1, help="seconds of load before each")
    parser.add_argument("--concurrency", type=int, default=16, help="wrk connections")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument(
        "--floor-every", type=int, default=4, help="measure the floors again every N pages"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    # sync, not gthread: gthread keeps each wrk connection on the worker that accepted it, and
    # when one worker happens to accept all 16, the run uses one core (docs/performance.md).
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--port", type=int, default=PORTS.start, choices=PORTS)
    parser.add_argument("--speakers", type=int, default=200)
    parser.add_argument(
        "--debates", type=int, default=1, help="synthetic debates the posts are spread over"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--passes", default=",".join(PASSES), help=f"any of {', '.join(PASSES)}, comma-separated"
    )
    parser.add_argument(
        "--explain",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="EXPLAIN (ANALYZE, BUFFERS) the timeline's queries at the largest size",
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the databases afterwards")
    parser.add_argument(
        "--reuse-db", action="store_true", help="reuse a kept database with the right post count"
    )
    parser.add_argument(
        "--page-cache-switch",
        default="THREADLINE_PAGE_CACHE_DISABLED",
        help="a setting that turns the whole-page cache off, set True in the cards pass",
    )
    parser.add_argument(
        "--page-cache-alias",
        default="pages",
        help="the cache alias of whole pages, disabled in the cards pass if it exists",
    )
    parser.add_argument("--redis-url", default="", help="serve with REDIS_URL (it is flushed)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    try:
        args.sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error("--sizes takes whole numbers, e.g. 1000,10000")
    if not args.sizes or min(args.sizes) < 1:
        parser.error("--sizes needs at least one size of 1 post or more")
    args.passes = [p.strip() for p in args.passes.split(",") if p.strip()]
    if unknown := set(args.passes) - set(PASSES):
        parser.error(f"unknown passes: {', '.join(sorted(unknown))}")
    if args.duration < 1 or args.concurrency < 1:
        parser.error("--duration must be at least 1 second and --concurrency at least 1")
    return args


def main(argv: list[str]) -> None:
    if argv[:1] == ["--probe"]:
        spec = json.loads(Path(argv[1]).read_text())
        Path(argv[2]).write_text(json.dumps(probe(spec)))
        return
    args = parse_args(argv)
    # A SIGTERM (a CI timeout, kill PID) unwinds like Ctrl-C, so gunicorn is always stopped.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    args.wrk = ensure_wrk()
    args.secret_key = secrets.token_urlsafe(50)
    args.out.mkdir(parents=True, exist_ok=True)
    started = datetime.datetime.now(datetime.UTC)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    began = time.monotonic()
    meta = {
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "options": {
            k: v for k, v in vars(args).items() if k not in {"secret_key", "wrk", "redis_url"}
        }
        | {"out": str(args.out), "redis": bool(args.redis_url)},
        "gunicorn": " ".join(gunicorn_command(args, args.port)[1:]).replace(str(ROOT), "."),
        "machine": machine(),
        "git": git_state(),
        "load_start": os.getloadavg()[0],
    }
    log("collecting static files")
    manage(app_env(f"{DB_PREFIX}{args.sizes[0]}", args), "collectstatic", "--noinput")
    sizes = []
    for n in args.sizes:
        sizes.append(bench_size(n, args, explain=args.explain and n == args.sizes[-1]))
    meta["load_end"] = os.getloadavg()[0]
    meta["seconds"] = time.monotonic() - began
    run = {"meta": meta, "sizes": sizes}
    text = report(run)
    print(text)
    (args.out / f"{stamp}.md").write_text(text)
    for size in sizes:
        for item in size["pages"]:
            item.pop("sql_cold", None)  # kept in the explain file; too bulky for the JSON
    if args.explain and "explain" in sizes[-1]:
        (args.out / f"{stamp}-explain.md").write_text(explain_report(sizes[-1], meta["started"]))
        sizes[-1]["explain"] = f"{stamp}-explain.md"  # the plans are there, not in the JSON
    (args.out / f"{stamp}.json").write_text(json.dumps(run, indent=1, default=str) + "\n")
    log(f"wrote {args.out / stamp}.md, .json{' and -explain.md' if args.explain else ''}")


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except KeyboardInterrupt:
        log("interrupted; gunicorn stopped")
        sys.exit(130)
