"""Time and memory of each export at one debate size, in process (issue 15).

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/threadline_15c_bench \\
        .venv/bin/python bench/exports.py [--memory] [export/aif.json ...]

Run against a database filled by ``manage.py generate_debate --posts 20000``. It measures the
exports of the debate with the most posts (under its hub, /debates/<slug>/; an argument
starting with /debates/ names another). For each export
it reports the time to the first byte, the time to the last, the size, the peak of Python
memory allocated while it is made (with --memory: tracemalloc, which slows the run
many times over, so times are then not comparable) and the queries a second identical request
costs (from the cache). The page cache is cleared before each first request.
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from debate.http.pagecache import page_cache  # noqa: E402
from debate.models import Debate, Post  # noqa: E402

# Relative to the debate's hub.
EXPORTS = ["export.json", "export.csv", "export/annotations.jsonld", "export/aif.json"]


def largest_debate() -> Debate:
    debates = Debate.objects.order_by("pk")
    return max(debates, key=lambda debate: Post.objects.in_debate(debate).count())


def measure(client: Client, url: str, memory: bool) -> dict[str, float]:
    page_cache().clear()
    if memory:
        tracemalloc.start()
    start = time.perf_counter()
    response = client.get(url, HTTP_HOST="127.0.0.1")
    chunks = iter(response.streaming_content) if response.streaming else iter([response.content])
    first = next(chunks, b"")
    ttfb = time.perf_counter() - start
    size = len(first) + sum(len(chunk) for chunk in chunks)
    total = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if memory else 0
    tracemalloc.stop()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, HTTP_HOST="127.0.0.1")
        b"".join(again.streaming_content) if again.streaming else again.content
    return {"ttfb": ttfb, "total": total, "mb": size / 1e6, "peak": peak / 1e6, "q": len(queries)}


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    memory = "--memory" in sys.argv
    debate = largest_debate()
    hub = f"/debates/{debate.slug}/"
    wanted = [arg for arg in sys.argv[1:] if arg != "--memory"] or EXPORTS
    urls = [arg if arg.startswith("/debates/") else hub + arg.lstrip("/") for arg in wanted]
    print(f"{Post.objects.count()} posts, {Post.objects.in_debate(debate).count()} in {hub}")
    print("| export | first byte (s) | whole (s) | size (MB) | peak memory (MB) | repeat queries |")
    print("|---|---|---|---|---|---|")
    for url in urls:
        m = measure(client, url, memory)
        print(
            f"| {url} | {m['ttfb']:.2f} | {m['total']:.2f} | {m['mb']:.1f} | "
            f"{m['peak']:.0f} | {m['q']:.0f} |"
        )


if __name__ == "__main__":
    main()
