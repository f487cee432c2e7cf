"""Full-page screenshots of every public page and the main admin pages, for a visual check.

Serves the site from this process on a free local port (against the configured database,
which `make screenshots` seeds first), drives Debian's Chromium with Playwright and writes
PNGs at desktop and phone widths. Admin pages are taken as a temporary staff account that
is removed afterwards; it has no password.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management.base import BaseCommand, CommandError
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application
from django.db.models import Count
from django.urls import reverse

from debate.models import Claim, Debate, Post, Speaker

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
BOT = "screenshot-bot"


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def shown_debate() -> Debate | None:
    """The debate whose hub is photographed: the first one made (the seed's, after `make
    seed`; a generated one on a database of synthetic debates)."""
    return Debate.objects.order_by("pk").first()


def public_pages() -> list[tuple[str, str]]:
    """The home page, the first debate's hub (every page of it), the site-wide pages."""
    pages = [("home", reverse("debate:home"))]
    debate = shown_debate()
    if debate:
        pages += hub_pages(debate)
    pages.append(("all-speakers", reverse("debate:all-speakers")))
    if speaker := Speaker.objects.order_by("name").first():
        pages.append(("speaker", reverse("debate:speaker", args=[speaker.slug])))
    if debate and (article := debate.articles.order_by("pk").first()):
        pages.append(("article", article.get_absolute_url()))
    pages.append(("not-found", "/posts/999999999/"))
    return pages


def hub_pages(debate: Debate) -> list[tuple[str, str]]:
    def hub(name: str, *args: str) -> str:
        return reverse(f"debate:{name}", args=[debate.slug, *args])

    posts = Post.objects.in_debate(debate)
    # Filtered by the debate's two most prolific speakers and a word most debates use.
    busiest = posts.values("speaker__slug").annotate(n=Count("pk")).order_by("-n", "speaker__slug")
    query = [("speaker", row["speaker__slug"]) for row in busiest[:2]] + [("q", "open")]
    pages = [
        ("timeline", hub("timeline")),
        ("timeline-filtered", f"{hub('timeline')}?{urlencode(query)}"),
    ]
    reply = posts.filter(in_reply_to__isnull=False).order_by("posted_at", "pk").first()
    if reply:
        pages.append(("post", reply.get_absolute_url()))
    pages += [("speakers", hub("speakers")), ("propositions", hub("propositions"))]
    if proposition := debate.propositions.order_by("label").first():
        pages.append(("proposition", hub("proposition", proposition.slug)))
    pages += [("map", hub("map")), ("articles", hub("articles"))]
    return pages


def admin_pages() -> list[tuple[str, str]]:
    pages = [
        ("admin-index", "/admin/"),
        ("admin-posts-to-annotate", "/admin/debate/claim/posts-to-annotate/"),
        ("admin-claims", "/admin/debate/claim/"),
    ]
    if claim := Claim.objects.filter(post__isnull=False).order_by("pk").first():
        pages.append(("admin-claim", f"/admin/debate/claim/{claim.pk}/change/"))
    if post := Post.objects.order_by("posted_at", "pk").first():
        pages.append(("admin-claim-from-post", f"/admin/debate/claim/add/?post={post.pk}"))
    pages += [
        ("admin-stances", "/admin/debate/stance/"),
        ("admin-posts", "/admin/debate/post/"),
        ("admin-import", "/admin/debate/article/import/"),
    ]
    return pages


class Command(BaseCommand):
    help = "Write full-page PNGs of every public page and the main admin pages."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", default=str(settings.BASE_DIR / "var" / "screenshots"))
        parser.add_argument(
            "--widths", default="1280,390", help="Viewport widths, comma-separated."
        )

    def handle(self, *args: Any, out: str, widths: str, **options: Any) -> None:
        if not Path(CHROMIUM).exists():
            raise CommandError(f"No Chromium at {CHROMIUM}: apt-get install chromium")
        from playwright.sync_api import sync_playwright

        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
        server.set_app(StaticFilesHandler(get_wsgi_application()))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        bot, session_key = self.staff_session()
        pages = public_pages() + admin_pages()  # before Playwright's event loop starts
        problems: list[str] = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for width in (int(w) for w in widths.split(",")):
                    context = browser.new_context(viewport={"width": width, "height": 900})
                    context.add_cookies(
                        [{"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": base}]
                    )
                    page = context.new_page()
                    current = {"name": ""}
                    page.on(
                        "console",
                        lambda m, current=current: (
                            m.type == "error"
                            and current["name"] != "not-found"
                            and problems.append(f"{current['name']}: {m.text}")
                        ),
                    )
                    for name, path in pages:
                        current["name"] = name
                        page.goto(base + path)
                        target = folder / f"{name}-{width}.png"
                        page.screenshot(path=str(target), full_page=True)
                        self.stdout.write(f"{target}  ({path})")
                    context.close()
                browser.close()
        finally:
            server.shutdown()
            SessionStore(session_key=session_key).delete()
            bot.delete()
        for problem in problems:
            self.stderr.write(f"console error: {problem}")
        self.stdout.write(self.style.SUCCESS(f"Screenshots are in {folder}"))

    def staff_session(self) -> tuple[Any, str]:
        user, _ = get_user_model().objects.update_or_create(
            username=BOT, defaults={"is_staff": True, "is_superuser": True, "is_active": True}
        )
        user.set_unusable_password()
        user.save()
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return user, session.session_key
