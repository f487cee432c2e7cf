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
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management.base import BaseCommand, CommandError
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application

from debate.models import Article, Claim, Post, Proposition, Speaker

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


def public_pages() -> list[tuple[str, str]]:
    pages = [("timeline", "/")]
    # Two speakers and a word: whichever speakers the database holds, none named here.
    two = Speaker.objects.order_by("-pk").values_list("slug", flat=True)[:2]
    if chosen := "&".join(f"speaker={quote(slug)}" for slug in two):
        pages.append(("timeline-filtered", f"/?{chosen}&q=open"))
    thread_post = Post.objects.filter(in_reply_to__isnull=False).order_by("posted_at", "pk").first()
    if thread_post:
        pages.append(("post", thread_post.get_absolute_url()))
    pages.append(("speakers", "/speakers/"))
    if speaker := Speaker.objects.order_by("name").first():
        pages.append(("speaker", f"/speakers/{speaker.slug}/"))
    pages.append(("propositions", "/propositions/"))
    if proposition := Proposition.objects.order_by("label").first():
        pages.append(("proposition", f"/propositions/{proposition.slug}/"))
    pages.append(("map", "/map/"))
    if article := Article.objects.order_by("pk").first():
        pages.append(("article", article.get_absolute_url()))
    pages.append(("not-found", "/posts/999999999/"))
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
