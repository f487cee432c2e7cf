from collections.abc import Iterator

import pytest
from playwright.sync_api import Page


class BrowserProblems(list):
    """Console errors, uncaught exceptions, failed requests and CSP violations seen by a page."""


@pytest.fixture
def problems(page: Page) -> Iterator[BrowserProblems]:
    seen = BrowserProblems()
    page.on(
        "console", lambda m: m.type in ("error", "warning") and seen.append(f"{m.type}: {m.text}")
    )
    page.on("pageerror", lambda e: seen.append(f"uncaught: {e}"))
    # An abort is a request the page itself cancelled (a navigation, htmx's hx-sync): fine.
    page.on(
        "requestfailed",
        lambda r: (
            "ERR_ABORTED" not in (r.failure or "") and seen.append(f"failed: {r.url} {r.failure}")
        ),
    )
    page.on("response", lambda r: r.status >= 400 and seen.append(f"HTTP {r.status}: {r.url}"))
    yield seen
    assert list(seen) == [], "the browser reported problems:\n" + "\n".join(seen)
