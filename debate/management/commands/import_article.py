"""``manage.py import_article PATH [--debate SLUG] [--debate-title TITLE] [--dry-run]``: what the
admin's import page does, in a shell.

Prints what it found (the debate it goes into, posts, speakers new and known, suggested
replies, warnings), shows progress for long files, and exits non-zero with line numbers when
the file cannot be imported. The debate is chosen by ``debate.imports.debates.choose_debate``,
as on the import page: without ``--debate``, the only debate, or a new one named after the
article when there is none; with several, the command refuses and lists them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from debate.imports.debates import DebateChoice, DebateRefused, choose_debate
from debate.imports.decisions import Decisions
from debate.imports.lines import MAX_BYTES, ParseError, Progress, check_size, decode
from debate.imports.parse import parse
from debate.imports.plan import ImportPlan, plan_import
from debate.imports.save import save_import

# How to choose, in this command's words, after each kind of refusal (DebateRefused.kind).
HOW_TO_CHOOSE = {
    "several": "Choose one with --debate SLUG, or start one with --debate-title TITLE:",
    "unknown": "Add --debate-title TITLE to create it, or choose one with --debate SLUG:",
    "same-title": "Choose one with --debate SLUG:",
    "invalid": "",
}
# Below these sizes there is nothing to wait for, so no progress lines.
LONG_FILE_LINES = 5000
MANY_POSTS = 1000


class Command(BaseCommand):
    help = (
        "Import a news article (UTF-8 plain text or Markdown) with the posts from X it quotes: "
        "creates the article, new speakers and posts, and links posts already known."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the article file (.txt or .md); - reads standard input")
        parser.add_argument(
            "--debate",
            metavar="SLUG",
            help="the debate to import into (its slug, as in /debates/SLUG/); without it, the "
            "only debate, or a new one named after the article when there is none",
        )
        parser.add_argument(
            "--debate-title",
            metavar="TITLE",
            help="with --debate: the title of the debate to create when none has that slug; "
            "alone: the debate with this title, created (with a slug from it) when none has it",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would be imported; write nothing"
        )
        parser.add_argument(
            "--confirm-replies",
            action="store_true",
            help="record the suggested replies (a post @mentioning an earlier speaker) as "
            "explicit replies; without it they are only listed",
        )

    def handle(
        self,
        *args: Any,
        path: str,
        dry_run: bool,
        confirm_replies: bool,
        debate: str | None = None,
        debate_title: str | None = None,
        **options: Any,
    ) -> None:
        self.verbosity = options.get("verbosity", 1)
        data = self._read(path)
        try:
            text = decode(data)
            lines = text.count("\n") + 1
            parsed = parse(
                text, self._progress("Reading", "lines") if lines >= LONG_FILE_LINES else None
            )
        except ParseError as error:
            raise CommandError(self._problems(path, error)) from None
        plan = plan_import(parsed)
        self._report(plan, confirm_replies)
        if plan.existing_article is not None:
            existing = plan.existing_article
            self.stdout.write(
                f"Already imported as article #{existing.pk}, in the debate "
                f"“{existing.debate.title}” (/debates/{existing.debate.slug}/): importing it "
                "again changes nothing (nor moves it to another debate)."
            )
            return
        try:
            choice = choose_debate(debate, debate_title, parsed.title)
        except DebateRefused as refusal:
            raise CommandError(self._refused(path, refusal)) from None
        self._report_debate(choice)
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
            return
        if plan.undated:
            raise CommandError(
                "\n".join(
                    [f"{path}: cannot import it, nothing was written."]
                    + [
                        f"  Line {p.parsed.attribution_line}: post {p.number} (@{p.parsed.handle}) "
                        "has no date. Add it to the attribution line (“— Name (@handle) March 2, "
                        "2024”), or import on the admin's import page, where you can enter it."
                        for p in plan.undated
                    ]
                )
            )
        decisions = Decisions(debate=debate or "", debate_title=debate_title or "")
        if confirm_replies:
            decisions.replies = {r.post: r.target for r in plan.replies if r.needs_decision}
        many = len(plan.posts) >= MANY_POSTS
        try:
            result = save_import(
                parsed, decisions, self._progress("Saving", "new posts") if many else None
            )
        except DebateRefused as refusal:  # the debates changed since it was chosen above
            raise CommandError(self._refused(path, refusal)) from None
        except ParseError as error:
            raise CommandError(self._problems(path, error)) from None
        self.stdout.write(self.style.SUCCESS(result.summary()))
        if result.created:
            url = reverse("admin:debate_article_change", args=[result.article.pk])
            self.stdout.write(f"Annotate it at {url}")
            self.stdout.write(f"Read it at {result.article.debate.get_absolute_url()}")

    def _read(self, path: str) -> bytes:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            file = Path(path)
            if not file.is_file():
                raise CommandError(f"{path}: no such file.")
            try:
                check_size(file.stat().st_size)
                data = file.read_bytes()
            except ParseError as error:
                raise CommandError(self._problems(path, error)) from None
            except OSError as error:
                raise CommandError(f"{path}: cannot read it ({error.strerror}).") from None
        return data

    def _problems(self, path: str, error: ParseError) -> str:
        lines = [f"{path}: cannot import it, nothing was written."]
        lines += [f"  {problem}" for problem in error.problems]
        return "\n".join(lines)

    def _refused(self, path: str, refusal: DebateRefused) -> str:
        reason, *debates = refusal.problems_with(HOW_TO_CHOOSE[refusal.kind])
        lines = [f"{path}: cannot import it, nothing was written.", f"  {reason}"]
        lines += [f"    {debate}" for debate in debates]
        return "\n".join(lines)

    def _report_debate(self, choice: DebateChoice) -> None:
        if self.verbosity < 1:
            return
        if choice.is_new:
            self.stdout.write(
                f"Debate: new, “{choice.title}” (slug {choice.slug}, at {choice.address}), "
                "its period from the posts' dates."
            )
        else:
            self.stdout.write(
                f"Debate: “{choice.title}” (slug {choice.slug}, at {choice.address})."
            )

    def _progress(self, verb: str, unit: str) -> Progress:
        shown: set[int] = set()

        def report(done: int, total: int) -> None:
            tenth = done * 10 // max(total, 1)
            if self.verbosity >= 1 and tenth not in shown:
                shown.add(tenth)
                self.stderr.write(f"{verb}: {done:,} of {total:,} {unit} ({tenth * 10}%)")

        return report

    def _report(self, plan: ImportPlan, confirm_replies: bool) -> None:
        if self.verbosity < 1:
            return
        parsed = plan.parsed
        out = self.stdout.write
        body_lines = parsed.body.count("\n") + 1 if parsed.body else 0
        out(f"Title (line {parsed.title_line}): {parsed.title}")
        out(
            f"Body: {body_lines:,} lines; {len(plan.posts):,} posts quoted, by "
            f"{len(plan.speakers):,} speakers ({len(plan.new_speakers):,} new)."
        )
        for heading, notes in (("Repaired", parsed.repairs), ("Left out", parsed.removed)):
            if notes:
                out(f"{heading}:")
                for note in notes:
                    out(f"  {note}")
        if plan.speakers:
            out("Speakers:")
            for speaker in plan.speakers:
                status = "new" if speaker.is_new else f"known (#{speaker.speaker.pk})"
                out(f"  {status:<14} {speaker.name} (@{speaker.handle})")
        if plan.posts:
            out("Posts:")
            statuses = {"new": "new", "existing": "known: linked", "duplicate": "likely known"}
            for post in plan.posts:
                p = post.parsed
                day = f"{p.date:%-d %b %Y}" if p.date else "undated"
                excerpt = p.text.replace("\n", " ")
                excerpt = excerpt if len(excerpt) <= 60 else f"{excerpt[:59]}…"
                out(
                    f"  {p.number:>4}. {p.lines:<13} @{p.handle:<16} {day:<12} "
                    f"{statuses[post.status]:<13} {excerpt}"
                )
        pending = [r for r in plan.replies if r.needs_decision]
        if pending:
            out(
                "Suggested replies (recorded as explicit):"
                if confirm_replies
                else "Suggested replies (not recorded: confirm them with --confirm-replies or on "
                "the admin's import page):"
            )
            for reply in pending:
                out(
                    f"  post {reply.post} answers post {reply.target} (it mentions @{reply.handle})"
                )
        if plan.warnings:
            out("Warnings:")
            for note in plan.warnings:
                out(f"  {note}")
