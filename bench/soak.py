"""Soak test: a minute of mixed reader traffic while editors write through the admin.

    .venv/bin/python bench/soak.py                    # 60 s, 50 readers, 3 editors
    .venv/bin/python bench/soak.py --duration 20 --readers 20 --editors 2
    .venv/bin/python bench/soak.py --duration 20 --exporting-editor   # one editor also exports

It builds a fresh PostgreSQL database (threadline_f_soak unless --database-url names another
database ending in "_soak"), loads the seed debate and synthetic ones beside it
(`generate_debate --posts 5000 --debates 3`), collects the static files and serves the app
with gunicorn on 127.0.0.1 as `make serve` does (DEBUG off, a real SECRET_KEY, ALLOWED_HOSTS
set). Then, for --duration seconds, --readers threads read the public pages over keep-alive
connections (the home page; in any debate's hub, /debates/<slug>/, the timeline with filters
and later pages, htmx swaps, speakers, articles, propositions, the map, the feed, exports;
permalinks, speaker pages, revalidation with ETags), while --editors threads log in to the
admin and add stances on the claim page and new claims, each carrying a unique marker.

At the end it counts what the editors sent against what the database holds: every write the
server acknowledged (a redirect) is stored exactly once, every refused one not at all. It
prints the figures and exits 1 on any 5xx, failed connection, lost or duplicated write.
gunicorn is stopped by its PID however the run ends.
"""

# The harness runs fixed local tools (manage.py's commands, gunicorn), never outside input.
# ruff: noqa: S311, S603

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.forms import read_form  # noqa: E402  (the repository root is on the path now)

LOGS = ROOT / "var" / "soak"
HOST = "127.0.0.1"
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/threadline_f_soak"
EDITOR_PASSWORD = "soak-" + secrets.token_urlsafe(18)
TIMEOUT = 60  # seconds a single request may take before it counts as failed


# --- HTTP ---------------------------------------------------------------------------------------


@dataclass
class Result:
    kind: str
    status: int  # 0: no answer (connection refused, reset, timed out)
    seconds: float


class Browser:
    """One client: a keep-alive connection, its cookies, and what it has seen."""

    def __init__(self, port: int, results: list[Result], lock: threading.Lock) -> None:
        self.port = port
        self.results = results
        self.lock = lock
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self, kind: str, method: str, path: str, body: bytes | None = None, **headers: str
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {k.replace("_", "-"): v for k, v in headers.items()}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        status, answer_headers, content = 0, {}, b""
        # A kept-alive connection the server has closed: open a new one and ask again. Only
        # reads are asked again: a write sent twice could be stored twice.
        attempts = 2 if method == "GET" else 1
        if method != "GET":
            self.close()  # a write goes out on a fresh connection, which cannot have gone stale
        for attempt in range(attempts):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(HOST, self.port, timeout=TIMEOUT)
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                content = response.read()
                status = response.status
                answer_headers = {k.lower(): v for k, v in response.getheaders()}
                for name, value in response.getheaders():
                    if name.lower() == "set-cookie":
                        cookie, _, _ = value.partition(";")
                        key, _, val = cookie.partition("=")
                        self.cookies[key.strip()] = val.strip()
                if answer_headers.get("connection", "").lower() == "close":
                    self.close()
                break
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt == attempts - 1 or time.perf_counter() - started > TIMEOUT:
                    break
        with self.lock:
            self.results.append(Result(kind, status, time.perf_counter() - started))
        return status, answer_headers, content

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# --- Readers ------------------------------------------------------------------------------------


@dataclass
class Hub:
    """One debate's pages: its address, and the speakers and propositions it holds."""

    path: str  # /debates/<slug>/
    speakers: list[str]
    propositions: list[str]


@dataclass
class Catalogue:
    posts: list[int]
    speakers: list[str]
    articles: list[str]
    hubs: list[Hub]
    words: list[str] = field(default_factory=lambda: ["open", "security", "china", "model"])


NEXT_LINK = re.compile(rb'<a class="button" href="(/debates/[^"/]+/\?[^"]*after=[^"]*)"')


def reader(browser: Browser, catalogue: Catalogue, deadline: float, seed: int) -> None:
    """Read like a person: mostly the timeline and permalinks, sometimes the rest."""
    rng = random.Random(seed)
    etags: dict[str, str] = {}
    later: list[str] = []
    while time.monotonic() < deadline:
        roll = rng.random()
        headers: dict[str, str] = {}
        hub = rng.choice(catalogue.hubs)
        if roll < 0.30:
            kind = "timeline"
            choice = rng.random()
            if later and choice < 0.3:
                path = later.pop()
                kind = "timeline, later page"
                if rng.random() < 0.5:  # as scrolling asks for it
                    headers = {"HX-Request": "true", "HX-Target": "load-more"}
            elif choice < 0.5:
                path = f"{hub.path}?" + urlencode([("speaker", rng.choice(hub.speakers))])
            elif choice < 0.65:
                params = [("stance", rng.choice(["pro", "anti", "neutral"])),
                          ("proposition", rng.choice(hub.propositions))]  # fmt: skip
                path = f"{hub.path}?" + urlencode(params)
            elif choice < 0.8:
                path = f"{hub.path}?" + urlencode([("q", rng.choice(catalogue.words))])
                if rng.random() < 0.5:  # typing in the search box
                    headers = {"HX-Request": "true", "HX-Target": "results"}
            else:
                path = hub.path if rng.random() < 0.5 else f"{hub.path}?order=newest"
        elif roll < 0.55:
            kind, path = "post", f"/posts/{rng.choice(catalogue.posts)}/"
        elif roll < 0.65:
            kind, path = "speaker", f"/speakers/{rng.choice(catalogue.speakers)}/"
        elif roll < 0.72:
            kind = "proposition"
            path = f"{hub.path}propositions/{rng.choice(hub.propositions)}/"
        elif roll < 0.76:
            kind, path = "article", f"/articles/{rng.choice(catalogue.articles)}/"
        elif roll < 0.80:
            lists = ["speakers/", "articles/", "propositions/", "map/"]
            kind = "lists"
            path = rng.choice(["/", "/speakers/", *(hub.path + page for page in lists)])
        elif roll < 0.86:
            kind, path = (
                "feed",
                f"{hub.path}feed/?" + urlencode([("speaker", rng.choice(hub.speakers))]),
            )
        elif roll < 0.90:
            export = rng.choice(["export.json", "export.csv", "export/annotations.jsonld"])
            kind, path = (
                "export",
                f"{hub.path}{export}?" + urlencode([("speaker", rng.choice(hub.speakers))]),
            )
        elif roll < 0.95 and etags:
            # A reader coming back: the browser revalidates what it has.
            kind = "revalidation"
            path, etag = rng.choice(list(etags.items()))
            headers = {"If-None-Match": etag}
        else:
            kind, path = "healthz", "/healthz"
        status, answer, content = browser.request(kind, "GET", path, **headers)
        if status == 200 and "etag" in answer and len(etags) < 50:
            etags[path] = answer["etag"]
        if kind.startswith("timeline") and status == 200 and len(later) < 20:
            later += [m.decode().replace("&amp;", "&") for m in NEXT_LINK.findall(content)]
    browser.close()


# --- Editors ------------------------------------------------------------------------------------


def form_of(html: bytes, form_id: str) -> dict[str, list[str]]:
    return read_form(html.decode("utf-8", "replace"), form_id)


def encode(data: dict[str, list[str]]) -> bytes:
    return urlencode([(k, v) for k, values in data.items() for v in values]).encode()


@dataclass
class Write:
    marker: str
    kind: str  # "stance" or "claim"
    status: int  # the server's answer: 302 is acknowledged


@dataclass
class EditorWork:
    username: str
    claims: list[int]  # claims to put a stance on (none of them this editor's yet)
    posts: list[tuple[int, int, str]]  # (post, speaker, text) to draw new claims from
    propositions: list[int]
    hub: str  # /debates/<slug>/: whose exports it fetches
    writes: list[Write] = field(default_factory=list)
    refusals: Counter = field(default_factory=Counter)


ERRORNOTE = re.compile(rb'class="errornote"[^>]*>(.*?)</p>', re.S)
ERRORLIST = re.compile(rb'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', re.S)


def log_in(browser: Browser, username: str) -> None:
    status, _, page = browser.request("admin", "GET", "/admin/login/?next=/admin/")
    form = form_of(page, "login-form")
    form |= {"username": [username], "password": [EDITOR_PASSWORD], "next": ["/admin/"]}
    status, _, page = browser.request("admin", "POST", "/admin/login/", encode(form))
    if status != 302:
        raise SystemExit(f"{username} could not log in ({status}): {page[:500]!r}")


# Relative to a debate's hub.
EDITOR_EXPORTS = ["export.json", "export.csv", "export/annotations.jsonld", "export/aif.json"]


def editor(
    browser: Browser, work: EditorWork, deadline: float, run: str, exports: bool = False
) -> None:
    """Writes through the admin; with ``exports``, also fetches an export after each write
    (a whole-debate export, logged in, as an editor checking the data)."""
    log_in(browser, work.username)
    n = 0
    claims, posts = iter(work.claims), iter(work.posts)
    while time.monotonic() < deadline:
        n += 1
        marker = f"soak {run} {work.username} {n}"
        if n % 4:
            claim = next(claims, None)
            if claim is None:
                break
            url = f"/admin/debate/claim/{claim}/change/"
            status, _, page = browser.request("admin", "GET", url)
            if status != 200:
                work.refusals[f"GET claim page {status}"] += 1
                continue
            data = form_of(page, "claim_form")
            row = int(data["stances-TOTAL_FORMS"][0]) - 1  # the blank row for a new stance
            values = {"proposition": str(work.propositions[n % len(work.propositions)]),
                      "value": ["pro", "anti", "neutral"][n % 3], "confidence": "medium",
                      "rationale": marker, "evidence": "", "review_state": "published"}  # fmt: skip
            data |= {f"stances-{row}-{key}": [value] for key, value in values.items()}
            data["_save"] = ["Save"]
            status, _, page = browser.request("admin write", "POST", url, encode(data))
            work.writes.append(Write(marker, "stance", status))
        else:
            post = next(posts, None)
            if post is None:
                break
            post_id, speaker_id, text = post
            url = "/admin/debate/claim/add/"
            status, _, page = browser.request("admin", "GET", url)
            data = form_of(page, "claim_form")
            data |= {"speaker": [str(speaker_id)], "post": [str(post_id)], "article": [""],
                     "summary": [marker], "quote": [text], "_save": ["Save"]}  # fmt: skip
            status, _, page = browser.request("admin write", "POST", url, encode(data))
            work.writes.append(Write(marker, "claim", status))
        if status != 302:
            found = ERRORNOTE.findall(page) + ERRORLIST.findall(page)
            reason = re.sub(rb"<[^>]+>|\s+", b" ", b" ".join(found)).decode()[:160]
            work.refusals[f"{status}: {reason.strip()}"] += 1
        if exports and time.monotonic() < deadline:
            export = EDITOR_EXPORTS[n % len(EDITOR_EXPORTS)]
            browser.request("editor export", "GET", work.hub + export)
    browser.close()


# --- The server ---------------------------------------------------------------------------------


def environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "REDIS_URL"}}
    return env | {
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on 127.0.0.1, as a TLS proxy speaks to it
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


def prepare_database(database_url: str, posts: int, debates: int) -> None:
    """A fresh database with the seed and synthetic debates; the editors' accounts."""
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not name.endswith("_soak"):
        raise SystemExit(f"Refusing to recreate {name!r}: the soak database's name ends in _soak.")
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("loaddata", "seed_debate", verbosity=0)
    call_command("generate_debate", posts=posts, debates=debates, allow_real_data=True, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def make_editors(count: int, seed: int) -> list[EditorWork]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from debate.models import Claim, Debate, Post, Proposition

    propositions = list(Proposition.objects.order_by("pk").values_list("pk", flat=True))
    claims = list(
        Claim.objects.filter(post__isnull=False).order_by("pk").values_list("pk", flat=True)
    )
    posts = list(Post.objects.order_by("pk").values_list("pk", "speaker_id", "text"))
    rng = random.Random(seed)
    rng.shuffle(claims)
    rng.shuffle(posts)
    # The exports an editor checks: the largest debate's (the one most of the claims are in).
    largest = max(Debate.objects.order_by("pk"), key=lambda d: Post.objects.in_debate(d).count())
    editors = []
    for n in range(count):
        username = f"soak-editor-{n + 1}"
        os.environ["THREADLINE_EDITOR_PASSWORD"] = EDITOR_PASSWORD
        call_command("ensure_editor", username=username, stdout=open(os.devnull, "w"))  # noqa: SIM115
        if not get_user_model().objects.filter(username=username, is_staff=True).exists():
            raise SystemExit(f"ensure_editor did not make {username} a staff editor.")
        # Disjoint claims: two editors may well annotate one claim, but never as one person.
        editors.append(
            EditorWork(
                username,
                claims[n::count],
                posts[n::count],
                propositions,
                hub=f"/debates/{largest.slug}/",
            )
        )
    return editors


def catalogue() -> Catalogue:
    from debate.models import Article, Debate, Post, Speaker

    hubs = [
        Hub(
            f"/debates/{debate.slug}/",
            list(Speaker.objects.in_debate(debate).order_by("slug").values_list("slug", flat=True)),
            list(debate.propositions.order_by("slug").values_list("slug", flat=True)),
        )
        for debate in Debate.objects.order_by("pk")
    ]
    return Catalogue(
        posts=list(Post.objects.values_list("pk", flat=True)),
        speakers=list(Speaker.objects.values_list("slug", flat=True)),
        articles=list(Article.objects.values_list("slug", flat=True)),
        hubs=[hub for hub in hubs if hub.speakers and hub.propositions],
    )


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int, threads: int) -> Iterator[int]:
    """Serve the app as `make serve` does until the block ends; stop it by its PID."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / "gunicorn.log"
    command = [GUNICORN, "config.wsgi", "--workers", str(workers), "--bind", f"{HOST}:{port}",
               "--chdir", str(ROOT)]  # fmt: skip
    if threads > 1:
        command += ["--threads", str(threads)]
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    print(f"gunicorn (PID {server.pid}): {' '.join(command[1:])}")
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn exited ({server.returncode}); see {log_path}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection(HOST, port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer within 60 s; see {log_path}")
            time.sleep(0.2)
        yield server.pid
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)
        print(f"gunicorn (PID {server.pid}) stopped.")


# --- Counting -----------------------------------------------------------------------------------


def stored(run: str) -> Counter:
    """How many times each of this run's markers is stored, as stance or claim."""
    from debate.models import Claim, Stance

    prefix = f"soak {run} "
    found: Counter = Counter()
    found.update(
        Stance.objects.filter(rationale__startswith=prefix).values_list("rationale", flat=True)
    )
    found.update(Claim.objects.filter(summary__startswith=prefix).values_list("summary", flat=True))
    return found


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def report(
    results: list[Result],
    editors: list[EditorWork],
    kept: Counter,
    elapsed: float,
    server_errors_logged: int,
) -> bool:
    statuses = Counter(r.status for r in results)
    failed = sum(n for status, n in statuses.items() if status == 0 or status >= 500)
    print(f"\nRequests: {len(results):,} in {elapsed:.1f} s ({len(results) / elapsed:,.0f}/s)")
    shown = [f"{status or 'no answer'}: {n:,}" for status, n in sorted(statuses.items())]
    print("By status: " + ", ".join(shown))
    times = [r.seconds for r in results if r.status]
    p50, p95, p99 = (percentile(times, f) for f in (0.5, 0.95, 0.99))
    print(f"Latency: p50 {ms(p50)} ms, p95 {ms(p95)} ms, p99 {ms(p99)} ms, "
          f"max {ms(max(times, default=0))} ms")  # fmt: skip
    by_kind: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_kind[r.kind].append(r)
    print(f"\n{'page':<22}{'requests':>9}{'5xx/none':>9}{'p50 ms':>8}{'p95 ms':>8}")
    for kind, rows in sorted(by_kind.items(), key=lambda item: -len(item[1])):
        seconds = [r.seconds for r in rows if r.status]
        bad = sum(1 for r in rows if r.status == 0 or r.status >= 500)
        p50, p95 = percentile(seconds, 0.5), percentile(seconds, 0.95)
        print(f"{kind:<22}{len(rows):>9,}{bad:>9}{ms(p50):>8}{ms(p95):>8}")

    writes = [w for e in editors for w in e.writes]
    acknowledged = [w for w in writes if w.status == 302]
    refused = [w for w in writes if w.status != 302]
    lost = [w.marker for w in acknowledged if kept[w.marker] == 0]
    duplicated = [marker for marker, n in kept.items() if n > 1]
    # Refused with an answer: must not be stored. Unanswered: either, but once at most.
    phantom = [w.marker for w in refused if kept[w.marker] and w.status != 0]
    unanswered = [w for w in refused if w.status == 0]
    sent = {w.marker for w in writes}
    strays = [marker for marker in kept if marker not in sent]
    kinds = Counter(w.kind for w in acknowledged)
    print(f"\nWrites sent: {len(writes):,} by {len(editors)} editors: "
          f"{len(acknowledged):,} acknowledged ({kinds['stance']:,} stances, "
          f"{kinds['claim']:,} claims), {len(refused):,} refused")  # fmt: skip
    for e in editors:
        for reason, n in e.refusals.most_common(3):
            print(f"  {e.username} refused {n}x: {reason}")
    print(f"Writes stored: {sum(kept.values()):,}; lost {len(lost)}, duplicated "
          f"{len(duplicated)}, stored though refused {len(phantom)}, unanswered "
          f"{len(unanswered)}, stored but never sent {len(strays)}")  # fmt: skip
    print(f"Server errors in gunicorn's log: {server_errors_logged}")
    ok = not (failed or lost or duplicated or phantom or strays or server_errors_logged)
    ok = ok and bool(acknowledged)
    print("\nPASS" if ok else "\nFAIL")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (60)")
    parser.add_argument("--readers", type=int, default=50, help="concurrent readers (50)")
    parser.add_argument("--editors", type=int, default=3, choices=range(1, 5), help="2-4 (3)")
    parser.add_argument("--posts", type=int, default=5000, help="synthetic posts (5000)")
    parser.add_argument("--debates", type=int, default=3, help="synthetic debates (3)")
    parser.add_argument("--database-url", default=DEFAULT_DB)
    parser.add_argument("--port", type=int, default=8031)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "2")))
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--exporting-editor",
        action="store_true",
        help="the first editor also fetches an export (JSON, CSV, W3C, AIF) after each write",
    )
    args = parser.parse_args()
    if args.readers > 200 or args.duration > 600:
        parser.error("at most 200 readers and 600 seconds")

    env = environment(args.database_url)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connections

    print(f"Preparing {args.database_url} with the seed and {args.posts:,} synthetic posts "
          f"in {args.debates} debates…")  # fmt: skip
    prepare_database(args.database_url, args.posts, args.debates)
    editors = make_editors(args.editors, args.seed)
    pages = catalogue()
    connections.close_all()
    run = secrets.token_hex(4)

    results: list[Result] = []
    lock = threading.Lock()
    with gunicorn(env, args.port, args.workers, args.threads) as _pid:
        started = time.monotonic()
        deadline = started + args.duration
        threads = [
            threading.Thread(
                target=reader,
                args=(Browser(args.port, results, lock), pages, deadline, args.seed * 1000 + n),
                daemon=True,
            )
            for n in range(args.readers)
        ]
        threads += [
            threading.Thread(
                target=editor,
                args=(Browser(args.port, results, lock), work, deadline, run),
                kwargs={"exports": args.exporting_editor and n == 0},
                daemon=True,
            )
            for n, work in enumerate(editors)
        ]
        print(f"Load: {args.readers} readers and {len(editors)} editors for {args.duration:.0f} s "
              f"against http://{HOST}:{args.port}/ (run {run})")  # fmt: skip
        cpu = time.process_time()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.duration + 2 * TIMEOUT)
        elapsed = time.monotonic() - started
        print(f"The clients used {time.process_time() - cpu:.1f} s of CPU.")
        if any(thread.is_alive() for thread in threads):
            print("Some clients did not finish in time.")
    log_text = (LOGS / "gunicorn.log").read_text(errors="replace")
    server_errors = log_text.count("Internal Server Error") + log_text.count("[CRITICAL]")
    kept = stored(run)
    connections.close_all()
    return 0 if report(results, editors, kept, elapsed, server_errors) else 1


if __name__ == "__main__":
    sys.exit(main())
