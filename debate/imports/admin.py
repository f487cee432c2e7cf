"""The admin's "Import article" page: paste or upload → preview → confirm.

Mounted by ``ArticleAdmin.get_urls`` (``debate.admin.sources``) at ``article/import/``, behind
``admin_site.admin_view``. The preview carries the article's text in a hidden field;
confirming parses it again, so nothing the browser sends back is trusted but the text itself
and the editor's choices, which ``debate.imports.save`` checks again before its one
transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ..http.limits import upload_refused
from ..models import Article
from ..text import parse_id
from .decisions import Decisions
from .lines import LIMIT_LABEL, MAX_BYTES, ParseError, Problem, decode
from .parse import ParsedArticle, parse
from .plan import ImportPlan, PostPlan, ReplyPlan, plan_import
from .save import save_import

FORM_TEMPLATE = "admin/debate/article/import.html"
PREVIEW_TEMPLATE = "admin/debate/article/import_preview.html"
EXTENSIONS = {".txt", ".md", ".markdown", ".text"}
# A preview lists every post that asks for a decision; of the rest, this many.
PREVIEW_QUIET_POSTS = 300
# A reply's "answers another post" list: posts of the mentioned speakers and these many before.
NEARBY_TARGETS = 10


def can_import(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Editors and up: whoever may add both articles and posts (superusers may do anything)."""
    return user.is_active and (
        user.is_superuser or user.has_perms(["debate.add_article", "debate.add_post"])
    )


class ArticleDetailsForm(forms.Form):
    """What the text does not say about the article; optional, editable later too."""

    outlet = forms.CharField(label="Outlet", max_length=200, required=False)
    url = forms.URLField(label="URL", max_length=500, required=False, assume_scheme="https")
    published_on = forms.DateField(
        label="Publication date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ImportForm(ArticleDetailsForm):
    text = forms.CharField(
        label="Article text",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16, "cols": 90, "spellcheck": "false"}),
        help_text="The title on the first line, then the article as copied, with each quoted "
        "post followed by its attribution line, e.g. “— Ada Lovelace (@ada) March 11, 2024”.",
    )
    file = forms.FileField(
        label="Or upload a file",
        required=False,
        allow_empty_file=True,  # said by decode(), as for any other unusable file
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.md,.markdown,text/plain"}),
        help_text=f"Plain text or Markdown (.txt or .md), UTF-8, up to {LIMIT_LABEL}.",
    )
    field_order = ["text", "file", "outlet", "url", "published_on"]

    def __init__(self, *args, refused: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The name of a file the upload handler stopped at the limit (debate.http.limits).
        self.refused = refused

    def clean(self) -> dict:
        if self.refused:
            raise forms.ValidationError(
                f"“{PurePath(self.refused).name}” is too large: the limit is {LIMIT_LABEL}, and "
                "the upload was stopped there."
            )
        data = super().clean()
        text, upload = data.get("text") or "", data.get("file")
        if text.strip() and upload:
            raise forms.ValidationError("Paste the text or upload a file, not both.")
        if upload:
            data["text"] = self._read_upload(upload)
            data["source_name"] = PurePath(upload.name).name
        elif not text.strip():
            raise forms.ValidationError("Paste the article's text or choose a file to upload.")
        else:
            data["source_name"] = ""
        return data

    def _read_upload(self, upload) -> str:
        if PurePath(upload.name).suffix.lower() not in EXTENSIONS:
            raise forms.ValidationError(
                f"“{upload.name}” is not a .txt or .md file. Save the article as plain text."
            )
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"“{upload.name}” is {upload.size / (1024 * 1024):.1f} MB; the limit is "
                f"{LIMIT_LABEL}."
            )
        try:
            return decode(upload.read())
        except ParseError as error:
            raise forms.ValidationError([str(p) for p in error.problems]) from None


@dataclass
class PostRow:
    """One post as the preview shows it, with the choices the editor may make about it."""

    plan: PostPlan
    reply: ReplyPlan | None = None
    reply_choice: str = "drop"
    reply_target: int | None = None
    suggested: PostPlan | None = None  # the post the suggestion says this one answers
    targets: list[PostPlan] = field(default_factory=list)
    date: str = ""
    link: str = "new"
    problems: list[str] = field(default_factory=list)

    @property
    def undated(self) -> bool:
        return self.plan.parsed.date is None and self.plan.existing is None

    @property
    def needs_attention(self) -> bool:
        """Whether the editor should look at this post: a warning, a choice or an error."""
        plan = self.plan
        choice = self.reply is not None and self.reply.needs_decision
        return bool(plan.notes or plan.parsed.warnings or choice or self.problems)


@require_http_methods(["GET", "HEAD", "POST"])
def import_article(request: HttpRequest) -> HttpResponse:
    if not can_import(request.user):
        raise PermissionDenied("Importing needs the rights to add articles and posts.")
    if request.method != "POST":
        return _form_page(request, ImportForm())
    action = request.POST.get("action")
    if action in {"confirm", "edit"}:
        return _confirm(request, edit=action == "edit")
    form = ImportForm(request.POST, request.FILES, refused=upload_refused(request))
    if not form.is_valid():
        return _form_page(request, form)
    details = {key: form.cleaned_data.get(key) for key in ArticleDetailsForm.base_fields}
    return _preview(
        request, form.cleaned_data["text"], details, form.cleaned_data["source_name"], form
    )


def _preview(
    request: HttpRequest,
    text: str,
    details: dict,
    source_name: str,
    form: ImportForm | None = None,
    choices: QueryDict | None = None,
    problems: list[Problem] | None = None,
) -> HttpResponse:
    try:
        parsed = parse(text)
    except ParseError as error:
        form = form or _bound_form(text, details)
        for problem in error.problems:
            form.add_error(None, str(problem))
        return _form_page(request, form)
    plan = plan_import(parsed)
    bulk = _bulk_replies(plan)
    rows = _rows(plan, choices or QueryDict(), problems or [], bulk)
    shown = [r for r in rows if r.needs_attention]
    quiet = [r for r in rows if not r.needs_attention]
    shown_numbers = {r.plan.number for r in shown} | {
        r.plan.number for r in quiet[:PREVIEW_QUIET_POSTS]
    }
    context = {
        **_admin_context(request, "Check the import"),
        "plan": plan,
        "parsed": parsed,
        "rows": [r for r in rows if r.plan.number in shown_numbers],
        "hidden_count": len(rows) - len(shown_numbers),
        "pending_replies": [r for r in plan.replies if r.needs_decision],
        "bulk_replies": bulk,
        "all_confirmed": (choices or QueryDict()).get("replies-all") == "confirm",
        "text": text,
        "source_name": source_name,
        "details": ArticleDetailsForm(initial=details),
        "details_values": details,
        "problems": [_problem_link(problem, parsed) for problem in problems or []],
        "body_lines": parsed.body.count("\n") + 1 if parsed.body else 0,
    }
    return render(request, PREVIEW_TEMPLATE, context)


def _confirm(request: HttpRequest, edit: bool) -> HttpResponse:
    text = request.POST.get("source", "")
    source_name = request.POST.get("source_name", "")
    details_form = ArticleDetailsForm(request.POST)
    details = (
        {key: details_form.cleaned_data.get(key) for key in ArticleDetailsForm.base_fields}
        if details_form.is_valid()
        else {}
    )
    if edit or not text.strip():
        return _form_page(request, _bound_form(text, details))
    try:
        parsed = parse(text)
    except ParseError:
        return _preview(request, text, details, source_name)
    plan = plan_import(parsed)
    decisions, problems = _read_choices(plan, request.POST)
    decisions.outlet = details.get("outlet") or ""
    decisions.url = details.get("url") or ""
    decisions.published_on = details.get("published_on")
    if problems:
        return _preview(request, text, details, source_name, None, request.POST, problems)
    try:
        result = save_import(parsed, decisions)
    except ParseError as error:
        return _preview(request, text, details, source_name, None, request.POST, error.problems)
    if result.created:
        messages.success(request, result.summary())
    else:
        messages.info(request, result.summary())
    return redirect(reverse("admin:debate_article_change", args=[result.article.pk]))


def _read_choices(plan: ImportPlan, data: QueryDict) -> tuple[Decisions, list[Problem]]:
    """The editor's choices from the preview form, read strictly."""
    decisions, problems = Decisions(), []
    confirm_all = data.get("replies-all") == "confirm"
    for reply in plan.replies:
        if not reply.needs_decision:
            continue
        line = plan.post(reply.post).parsed.first_line
        choice = data.get(f"reply-{reply.post}", "confirm" if confirm_all else "drop")
        if choice == "confirm":
            decisions.replies[reply.post] = reply.target
        elif choice == "change":
            target = parse_id(data.get(f"reply-{reply.post}-target", ""))
            if target is not None:
                decisions.replies[reply.post] = target
            else:
                problems.append(Problem(line, f"choose the post that post {reply.post} answers."))
        elif choice != "drop":
            problems.append(Problem(line, f"choose what post {reply.post} answers."))
    for post in plan.posts:
        link = data.get(f"dup-{post.number}", "new")
        if post.duplicates and link != "new":
            if (linked := parse_id(link)) is not None:
                decisions.link[post.number] = linked
            else:
                problems.append(Problem(post.parsed.first_line, "choose a post to link."))
        if post.parsed.date is None and post.existing is None:
            value = data.get(f"date-{post.number}", "").strip()
            if not value:
                continue  # save_import's check says so, unless it is linked instead
            try:
                decisions.dates[post.number] = datetime.date.fromisoformat(value)
            except ValueError:
                problems.append(
                    Problem(
                        post.parsed.attribution_line,
                        f"“{value}” is not a date: use the date picker, or YYYY-MM-DD.",
                    )
                )
    return decisions, problems


def _bulk_replies(plan: ImportPlan) -> bool:
    """Whether one control per suggested reply would send more fields than Django accepts
    (DATA_UPLOAD_MAX_NUMBER_FIELDS): then one checkbox confirms them all, or none."""
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    if limit is None:
        return False
    pending = sum(1 for reply in plan.replies if reply.needs_decision)
    others = sum(1 for post in plan.posts if post.duplicates or post.parsed.date is None)
    return 2 * pending + others + len(ArticleDetailsForm.base_fields) + 5 > limit


def _rows(
    plan: ImportPlan, data: QueryDict, problems: list[Problem], bulk: bool = False
) -> list[PostRow]:
    replies = {} if bulk else {reply.post: reply for reply in plan.replies}
    rows = []
    for post in plan.posts:
        row = PostRow(post, reply=replies.get(post.number))
        if row.reply is not None and row.reply.needs_decision:
            row.reply_choice = data.get(f"reply-{post.number}", "drop")
            chosen = parse_id(data.get(f"reply-{post.number}-target", ""))
            row.reply_target = chosen if chosen is not None else row.reply.target
            row.targets = _targets(plan, post, row.reply.target)
            row.suggested = plan.post(row.reply.target)
        row.date = data.get(f"date-{post.number}", "")
        row.link = data.get(f"dup-{post.number}", "new")
        first, last = post.parsed.first_line, post.parsed.attribution_line
        row.problems = [p.message for p in problems if p.line and first <= p.line <= last]
        rows.append(row)
    return rows


def _targets(plan: ImportPlan, post: PostPlan, suggested: int) -> list[PostPlan]:
    """Earlier posts an editor may pick instead: the mentioned speakers' and the nearest."""
    mentioned = {handle.lower() for handle in post.parsed.mentions}
    earlier = plan.posts[: post.number - 1]
    picked = {
        p.number
        for p in earlier
        if p.parsed.handle.lower() in mentioned or p.number >= post.number - NEARBY_TARGETS
    }
    picked.add(suggested)
    return [p for p in earlier if p.number in picked]


def _problem_link(problem: Problem, parsed: ParsedArticle) -> dict:
    """A problem, and the post it is about (to link to) when its line falls in one."""
    for post in parsed.posts:
        if problem.line and post.first_line <= problem.line <= post.attribution_line:
            return {"text": str(problem), "post": post.number}
    return {"text": str(problem), "post": None}


def _bound_form(text: str, details: dict) -> ImportForm:
    """The first step's form again, filled in, to fix the text and preview it again."""
    data = {"text": text, **{key: value or "" for key, value in details.items()}}
    form = ImportForm(data)
    form.is_valid()
    return form


def _form_page(request: HttpRequest, form: ImportForm) -> HttpResponse:
    context = {
        **_admin_context(request, "Import an article"),
        "form": form,
        "limit": LIMIT_LABEL,
        "limit_bytes": MAX_BYTES,
    }
    return render(request, FORM_TEMPLATE, context)


def _admin_context(request: HttpRequest, title: str) -> dict:
    return {
        **admin.site.each_context(request),
        "title": title,
        "opts": Article._meta,
        "limit": LIMIT_LABEL,
        "limit_bytes": MAX_BYTES,
    }
