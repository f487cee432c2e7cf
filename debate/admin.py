"""The editors' workspace: every model listed, searchable and filterable; stances annotated on
the claim page with their provenance, review state and history kept by debate.revisions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import dateformat
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator

from . import admin_views
from .admin_forms import (
    InlineStanceForm,
    SetStanceForm,
    StanceAdminForm,
    StanceFormSet,
)
from .models import (
    Article,
    ArticlePost,
    Claim,
    Post,
    Proposition,
    ReviewState,
    Speaker,
    Stance,
    StanceConflict,
    StanceRevision,
)
from .queue import next_claim, pending, with_claim_date
from .revisions import (
    Change,
    changes,
    delete_stances,
    save_stance,
    set_review_state,
    set_stances,
)
from .roles import is_reviewer
from .stances import DISAGREE_LABEL, AgreedStance, agreed_stances

HISTORY_LIMIT = 50
STANCE_RADIOS = {
    "value": admin.HORIZONTAL,
    "confidence": admin.HORIZONTAL,
    "review_state": admin.HORIZONTAL,
}
# The three choices side by side: a stance form fits on a screen.
STANCE_LAYOUT = [
    "proposition",
    ("value", "confidence", "review_state"),
    "rationale",
    "evidence",
    "version",
    "provenance",
]
RACE_MESSAGE = (
    "Someone saved this stance at the very moment you did, so nothing of yours was saved. "
    "This is the page as it is now: make your change again."
)


def excerpt(text: str, words: int = 14) -> str:
    return Truncator(text).words(words, truncate="…")


class LabelledAutocomplete(AutocompleteSelect):
    """Django's autocomplete with a placeholder: while empty, select2's box is otherwise
    nameless to a screen reader (axe: aria-input-field-name)."""

    def build_attrs(self, base_attrs: dict, extra_attrs: dict | None = None) -> dict:
        attrs = super().build_attrs(base_attrs, extra_attrs=extra_attrs)
        attrs["data-placeholder"] = f"Choose {self.field.verbose_name}…"
        return attrs


class AtomicActionsAdmin(admin.ModelAdmin):
    """Run each bulk action in one transaction: Django's own "delete selected" logs the
    deletions before it deletes, so a failure halfway would otherwise leave log entries
    (and any partial work) behind."""

    def response_action(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        with transaction.atomic():
            return super().response_action(request, *args, **kwargs)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs: Any):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = LabelledAutocomplete(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Speaker)
class SpeakerAdmin(AtomicActionsAdmin):
    list_display = ["name", "at_handle", "role", "post_count", "claim_count"]
    search_fields = ["name", "handle", "role", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "handle", "role", "bio", "profile_url"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Speaker]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                post_total=Count("posts", distinct=True), claim_total=Count("claims", distinct=True)
            )
        )

    @admin.display(description="handle", ordering="handle")
    def at_handle(self, speaker: Speaker) -> str:
        return speaker.at_handle

    @admin.display(description="posts", ordering="post_total")
    def post_count(self, speaker: Speaker) -> int:
        return speaker.post_total

    @admin.display(description="claims", ordering="claim_total")
    def claim_count(self, speaker: Speaker) -> int:
        return speaker.claim_total


class ArticlePostInline(admin.TabularInline):
    model = ArticlePost
    extra = 0
    autocomplete_fields = ["post"]
    ordering = ["position"]


@admin.register(Article)
class ArticleAdmin(AtomicActionsAdmin):
    list_display = ["title", "outlet", "published_on", "quoted_count"]
    list_filter = ["outlet", "published_on"]
    search_fields = ["title", "outlet", "body"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_on"
    inlines = [ArticlePostInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return super().get_queryset(request).annotate(quoted_total=Count("quoted_posts"))

    @admin.display(description="posts quoted", ordering="quoted_total")
    def quoted_count(self, article: Article) -> int:
        return article.quoted_total


@admin.register(Post)
class PostAdmin(AtomicActionsAdmin):
    list_display = ["posted_at", "speaker", "text_excerpt", "reply_summary", "claim_count"]
    list_display_links = ["posted_at", "text_excerpt"]
    list_filter = ["speaker", "reply_basis", "time_known", "quoted_in__article"]
    list_select_related = ["speaker", "in_reply_to"]
    search_fields = ["text", "handle_shown", "display_name_shown", "speaker__name"]
    autocomplete_fields = ["speaker", "in_reply_to", "quotes"]
    date_hierarchy = "posted_at"
    readonly_fields = ["links", "thread_root"]
    fieldsets = [
        (None, {"fields": ["speaker", "handle_shown", "display_name_shown", "text"]}),
        ("When and where", {"fields": ["posted_at", "time_known", "permalink_url", "links"]}),
        (
            "Conversation",
            {"fields": ["in_reply_to", "reply_basis", "quotes", "quote_basis", "thread_root"]},
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Post]:
        return super().get_queryset(request).annotate(claim_total=Count("claims"))

    @admin.display(description="text")
    def text_excerpt(self, post: Post) -> str:
        return excerpt(post.text)

    @admin.display(description="replies to")
    def reply_summary(self, post: Post) -> str:
        if not post.in_reply_to_id:
            return "—"
        return f"@{post.in_reply_to.handle_shown} ({post.get_reply_basis_display()})"

    @admin.display(description="claims", ordering="claim_total")
    def claim_count(self, post: Post) -> int:
        return post.claim_total


COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})}}


def user_name(user) -> str:
    return user.get_full_name() or user.get_username() if user is not None else "—"


def stamp(moment) -> str:
    return f"{moment:%d %b %Y, %H:%M} UTC" if moment else ""


def provenance_html(stance: Stance) -> str:
    """Who judged, wrote, changed and reviewed a stance, and when: read-only on its forms."""
    if stance.pk is None:
        return "You, once saved."
    rows = [("annotator", user_name(stance.annotator), stamp(stance.annotated_at))]
    if stance.created_by_id:
        rows.append(("created by", user_name(stance.created_by), stamp(stance.created_at)))
    if stance.updated_by_id:
        rows.append(("last changed by", user_name(stance.updated_by), stamp(stance.updated_at)))
    if stance.reviewed_by_id:
        rows.append(("reviewed by", user_name(stance.reviewed_by), stamp(stance.reviewed_at)))
    rows.append(("version", str(stance.version), ""))
    return format_html(
        '<dl class="tl-provenance">{}</dl>',
        format_html_join("", "<div><dt>{}</dt><dd>{} <small>{}</small></dd></div>", rows),
    )


def stance_badge(entry: AgreedStance) -> str:
    """One proposition's stance on a claim, in words: agreed, held by a majority, or split."""
    if not entry.disputed:
        words = entry.label + (f" ×{entry.annotators}" if entry.annotators > 1 else "")
    elif entry.value is None:
        words = f"{entry.proposition.label}: {DISAGREE_LABEL}"
    else:
        held = entry.counts[0][2]
        words = f"{entry.label}, {held} of {len(entry.stances)}"
    classes = f"tl-badge tl-badge--{entry.value or 'disputed'}"
    if entry.disputed:
        classes += " tl-badge--split"
    return format_html(
        '<span class="{}" title="{}: {}">{}</span>',
        classes,
        entry.proposition.label,
        entry.summary,
        words,
    )


@dataclass
class HistoryEntry:
    revision: StanceRevision
    proposition: str
    changes: list[Change]


def stance_history(revisions: QuerySet[StanceRevision]) -> tuple[list[HistoryEntry], bool]:
    """The latest revisions (and whether there are older ones), ready for the template."""
    latest = list(revisions.select_related("changed_by").order_by("-changed_at", "-pk"))
    shown = latest[:HISTORY_LIMIT]
    entries = [
        HistoryEntry(
            revision=revision,
            proposition=(revision.new or revision.old or {}).get("proposition") or "",
            changes=changes(revision.old, revision.new),
        )
        for revision in shown
    ]
    return entries, len(latest) > HISTORY_LIMIT


class StanceInline(admin.StackedInline):
    model = Stance
    form = InlineStanceForm
    formset = StanceFormSet
    extra = 1
    autocomplete_fields = ["proposition"]
    radio_fields = STANCE_RADIOS
    fields = STANCE_LAYOUT
    readonly_fields = ["provenance"]
    classes = ["tl-stances"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Stance]:
        return (
            super()
            .get_queryset(request)
            # claim__speaker: each form's heading names the stance, which names the speaker.
            .select_related(
                "claim__speaker",
                "proposition",
                "annotator",
                "created_by",
                "updated_by",
                "reviewed_by",
            )
        )

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.user = request.user
        return formset

    @admin.display(description="provenance")
    def provenance(self, stance: Stance) -> str:
        return provenance_html(stance)


class AnnotatedFilter(admin.SimpleListFilter):
    title = "annotation"
    parameter_name = "annotated"

    def lookups(self, request, model_admin):
        choices = [
            ("no", "not yet annotated"),
            ("yes", "annotated"),
            ("disputed", "annotators disagree"),
        ]
        choices += [
            (f"missing-{p.pk}", f"no stance on “{p.label}”")
            for p in Proposition.objects.order_by("label")
        ]
        return choices

    def queryset(self, request, queryset):
        value = self.value() or ""
        if value == "no":
            return queryset.filter(~Exists(Stance.objects.filter(claim=OuterRef("pk"))))
        if value == "yes":
            return queryset.filter(Exists(Stance.objects.filter(claim=OuterRef("pk"))))
        if value == "disputed":
            split = (
                Stance.objects.public()
                .values("claim_id", "proposition_id")
                .annotate(values=Count("value", distinct=True))
                .filter(values__gt=1)
                .values("claim_id")
            )
            return queryset.filter(pk__in=split)
        if value.startswith("missing-") and value.removeprefix("missing-").isdigit():
            proposition = int(value.removeprefix("missing-"))
            return queryset.filter(
                ~Exists(Stance.objects.filter(claim=OuterRef("pk"), proposition_id=proposition))
            )
        return queryset


@admin.register(Claim)
class ClaimAdmin(AtomicActionsAdmin):
    list_display = ["summary_excerpt", "speaker", "claim_date", "stance_badges"]
    list_filter = [
        AnnotatedFilter,
        "speaker",
        "stances__proposition",
        "stances__value",
        "stances__review_state",
    ]
    list_select_related = ["speaker", "post", "article"]
    search_fields = ["summary", "quote", "post__text", "article__title", "speaker__name"]
    autocomplete_fields = ["speaker", "post", "article"]
    date_hierarchy = "post__posted_at"
    fields = ["speaker", "summary", "post", "article", "quote"]
    inlines = [StanceInline]
    formfield_overrides = COMPACT_TEXT
    actions = ["set_stance"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "summary":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Claim]:
        return with_claim_date(super().get_queryset(request)).prefetch_related(
            models.Prefetch(
                "stances", queryset=Stance.objects.select_related("proposition").order_by("pk")
            )
        )

    def has_annotate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("debate.add_stance")

    @admin.display(description="claim")
    def summary_excerpt(self, claim: Claim) -> str:
        return excerpt(claim.summary)

    @admin.display(description="date", ordering="claim_date")
    def claim_date(self, claim: Claim) -> str:
        if claim.post_id:
            return dateformat.format(claim.claim_date, "j M Y")
        if claim.claim_date is None:
            return "article, undated"
        return f"{dateformat.format(claim.claim_date, 'j M Y')}, article"

    @admin.display(description="stances, review")
    def stance_badges(self, claim: Claim) -> str:
        # One column for both keeps the list readable beside the filters at laptop widths.
        stances = list(claim.stances.all())
        if not stances:
            return format_html('<span class="tl-muted">{}</span>', "not yet annotated")
        badges = format_html_join(
            " ", "{}", ((stance_badge(entry),) for entry in agreed_stances(stances))
        )
        counts = Counter(stance.review_state for stance in stances)
        order = [ReviewState.DRAFT, ReviewState.PUBLISHED, ReviewState.REVIEWED]
        states = format_html_join(
            " ",
            '<span class="tl-state tl-state--{}">{} {}</span>',
            ((state, counts[state], state.label) for state in order if counts[state]),
        )
        return format_html(
            '<div class="tl-badges">{}</div><div class="tl-states">{}</div>', badges, states
        )

    # The annotate-next queue -------------------------------------------------------------

    def queue_choice(self, request: HttpRequest) -> tuple[Proposition | None, str]:
        """The proposition (and scope) the editor is working through, from the page's URL."""
        raw = request.POST.get("_next_proposition") or request.GET.get("annotate") or ""
        scope = request.POST.get("_next_scope") or request.GET.get("queue") or "any"
        proposition = Proposition.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        return proposition, "mine" if scope == "mine" else "any"

    def queue_context(self, request: HttpRequest, claim: Claim | None) -> dict:
        proposition, scope = self.queue_choice(request)
        propositions = list(Proposition.objects.order_by("label"))
        if proposition is None and propositions:
            proposition = propositions[0]
        remaining = None
        if proposition is not None:
            queue = pending(proposition, request.user if scope == "mine" else None)
            if claim is not None:
                queue = queue.exclude(pk=claim.pk)
            remaining = queue.count()
        return {
            "queue_propositions": propositions,
            "queue_proposition": proposition,
            "queue_scope": scope,
            "queue_remaining": remaining,
        }

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        raw = request.GET.get("annotate", "")
        # Arriving from "Save and annotate next": the new stance is toward that proposition.
        # The URL keeps it on the POST too, so an untouched blank row stays "unchanged".
        if (
            isinstance(inline, StanceInline)
            and raw.isdigit()
            and Proposition.objects.filter(pk=int(raw)).exists()
        ):
            kwargs["initial"] = [{"proposition": int(raw)}]
        return kwargs

    def annotate_next(self, request: HttpRequest, claim: Claim) -> HttpResponse:
        proposition, scope = self.queue_choice(request)
        self.message_user(request, f"Saved “{excerpt(claim.summary, 10)}”.", messages.SUCCESS)
        if proposition is None:
            self.message_user(request, "Choose a proposition to annotate next.", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:debate_claim_change", args=[claim.pk]))
        annotator = request.user if scope == "mine" else None
        following = next_claim(proposition, after=claim, annotator=annotator)
        if following is None:
            whose = "from you " if annotator else ""
            self.message_user(
                request,
                f"No claim is left without a stance {whose}on “{proposition.label}”.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:debate_claim_changelist"))
        query = urlencode({"annotate": proposition.pk, "queue": scope})
        url = reverse("admin:debate_claim_change", args=[following.pk])
        return HttpResponseRedirect(f"{url}?{query}")

    def response_change(self, request, obj):
        if "_annotate_next" in request.POST:
            return self.annotate_next(request, obj)
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if "_annotate_next" in request.POST:
            return self.annotate_next(request, obj)
        return super().response_add(request, obj, post_url_continue)

    # Pages --------------------------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        claim = self.get_object(request, object_id) if object_id else None
        context = {**(extra_context or {}), **self.queue_context(request, claim)}
        if claim is not None:
            context["stance_history"], context["history_truncated"] = stance_history(
                StanceRevision.objects.filter(claim=claim)
            )
        try:
            return super().changeform_view(request, object_id, form_url, context)
        except StanceConflict:
            # Two saves crossed between validation and writing; the transaction rolled back.
            self.message_user(request, RACE_MESSAGE, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_formset(self, request, form, formset, change):
        if formset.model is not Stance:
            return super().save_formset(request, form, formset, change)
        for stance in formset.save(commit=False):
            result = save_stance(stance, request.user)
            if result.notice:
                self.message_user(request, result.notice, messages.WARNING)
        delete_stances(formset.deleted_objects, request.user)
        formset.save_m2m()
        return None

    # Bulk action --------------------------------------------------------------------------

    @admin.action(description="Set a stance on the selected claims…", permissions=["annotate"])
    def set_stance(self, request: HttpRequest, queryset: QuerySet[Claim]):
        if not self.has_annotate_permission(request):  # not only hidden: refused
            self.message_user(request, "You may not add stances.", messages.ERROR)
            return None
        claims = list(Claim.objects.filter(pk__in=queryset.values("pk")).select_related("speaker"))
        if "apply" in request.POST:
            form = SetStanceForm(request.POST)
            if form.is_valid():
                result = set_stances(claims, user=request.user, **form.cleaned_data)
                label = form.cleaned_data["proposition"].label_for(form.cleaned_data["value"])
                if result.created:
                    self.message_user(
                        request,
                        f"Added your stance “{label}” to {len(result.created)} "
                        f"claim{'s' if len(result.created) != 1 else ''}.",
                        messages.SUCCESS,
                    )
                if result.skipped:
                    self.message_user(
                        request,
                        f"Left {len(result.skipped)} claim{'s' if len(result.skipped) != 1 else ''}"
                        " alone: you already have a stance toward that proposition there "
                        "(edit it on the claim's page).",
                        messages.WARNING,
                    )
                return None
        else:
            form = SetStanceForm()
        context = {
            **self.admin_site.each_context(request),
            "title": f"Set a stance on {len(claims)} claim{'s' if len(claims) != 1 else ''}",
            "opts": self.opts,
            "form": form,
            "claims": claims,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/debate/claim/set_stance.html", context)


@admin.register(Proposition)
class PropositionAdmin(AtomicActionsAdmin):
    list_display = ["label", "statement", "pro_label", "anti_label", "stance_count"]
    search_fields = ["label", "statement", "description"]
    prepopulated_fields = {"slug": ["label"]}
    fields = ["label", "slug", "statement", "description", "pro_label", "anti_label"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Proposition]:
        return super().get_queryset(request).annotate(stance_total=Count("stances"))

    @admin.display(description="stances", ordering="stance_total")
    def stance_count(self, proposition: Proposition) -> int:
        return proposition.stance_total


class DisputedFilter(admin.SimpleListFilter):
    title = "agreement"
    parameter_name = "agreement"

    def lookups(self, request, model_admin):
        return [("disputed", "annotators disagree")]

    def queryset(self, request, queryset):
        if self.value() != "disputed":
            return queryset
        split = (
            Stance.objects.public()
            .values("claim_id", "proposition_id")
            .annotate(values=Count("value", distinct=True))
            .filter(values__gt=1)
        )
        return queryset.filter(
            Exists(
                split.filter(claim_id=OuterRef("claim_id"), proposition_id=OuterRef("proposition"))
            )
        )


@admin.register(Stance)
class StanceAdmin(AtomicActionsAdmin):
    form = StanceAdminForm
    # Four columns, each carrying two facts, so the list fits beside the filters on a laptop.
    list_display = ["claim_excerpt", "badge", "review", "by"]
    list_filter = [
        "proposition",
        "value",
        "confidence",
        "review_state",
        DisputedFilter,
        ("annotator", admin.RelatedOnlyFieldListFilter),
        "claim__speaker",
    ]
    search_fields = ["claim__summary", "claim__quote", "rationale", "evidence"]
    autocomplete_fields = ["claim", "proposition"]
    radio_fields = STANCE_RADIOS
    date_hierarchy = "annotated_at"
    fields = ["claim", *STANCE_LAYOUT]
    readonly_fields = ["provenance"]
    actions = ["mark_reviewed", "publish_drafts"]

    def get_urls(self):
        own = [
            path(
                "preview/",
                self.admin_site.admin_view(admin_views.preview_rationale),
                name="debate_stance_preview",
            ),
            path(
                "agreement/",
                self.admin_site.admin_view(self.agreement_view),
                name="debate_stance_agreement",
            ),
        ]
        return own + super().get_urls()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Stance]:
        # Everything the list and the form show, in the one query. (A select_related here
        # makes the changelist skip list_select_related, so the list's needs are named too.)
        return (
            super()
            .get_queryset(request)
            .select_related(
                "claim__speaker",
                "proposition",
                "annotator",
                "created_by",
                "updated_by",
                "reviewed_by",
            )
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def has_review_permission(self, request: HttpRequest) -> bool:
        return is_reviewer(request.user)

    @admin.display(description="claim", ordering="claim__speaker__name")
    def claim_excerpt(self, stance: Stance) -> str:
        return f"{stance.claim.speaker.name}: {excerpt(stance.claim.summary, 10)}"

    @admin.display(description="stance", ordering="value")
    def badge(self, stance: Stance) -> str:
        return format_html(
            '<span class="tl-badge tl-badge--{}">{}</span> <small class="tl-muted">{}</small>',
            stance.value,
            stance.label,
            stance.proposition.label,
        )

    @admin.display(description="review state", ordering="review_state")
    def review(self, stance: Stance) -> str:
        confidence = (
            f"{stance.confidence} confidence" if stance.confidence else "confidence not stated"
        )
        return format_html(
            '<span class="tl-state tl-state--{}">{}</span> <small class="tl-muted">{}</small>',
            stance.review_state,
            stance.get_review_state_display(),
            confidence,
        )

    @admin.display(description="annotator", ordering="annotator__username")
    def by(self, stance: Stance) -> str:
        return format_html(
            '{} <small class="tl-muted">changed {}</small>',
            user_name(stance.annotator),
            dateformat.format(stance.updated_at, "j M Y"),
        )

    @admin.display(description="provenance")
    def provenance(self, stance: Stance) -> str:
        return provenance_html(stance)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        context = dict(extra_context or {})
        if object_id and str(object_id).isdigit():
            context["stance_history"], context["history_truncated"] = stance_history(
                StanceRevision.objects.filter(stance_number=int(object_id))
            )
        try:
            return super().changeform_view(request, object_id, form_url, context)
        except StanceConflict:
            self.message_user(request, RACE_MESSAGE, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        result = save_stance(obj, request.user)
        if result.notice:
            self.message_user(request, result.notice, messages.WARNING)

    def delete_model(self, request, obj):
        delete_stances([obj], request.user)

    def delete_queryset(self, request, queryset):
        stances = queryset.select_related("proposition", "annotator", "reviewed_by")
        delete_stances(stances, request.user)

    @admin.action(description="Mark the selected stances reviewed", permissions=["review"])
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[Stance]) -> None:
        try:
            changed, unchanged = set_review_state(queryset, ReviewState.REVIEWED, request.user)
        except PermissionDenied:
            self.message_user(request, "Only reviewers can mark stances reviewed.", messages.ERROR)
            return
        self.message_user(
            request,
            f"Marked {changed} stance{'s' if changed != 1 else ''} reviewed."
            + (f" {unchanged} already were." if unchanged else ""),
            messages.SUCCESS,
        )

    @admin.action(description="Publish the selected drafts", permissions=["change"])
    def publish_drafts(self, request: HttpRequest, queryset: QuerySet[Stance]) -> None:
        drafts = queryset.filter(review_state=ReviewState.DRAFT)
        changed, _ = set_review_state(drafts, ReviewState.PUBLISHED, request.user)
        others = queryset.count() - changed
        self.message_user(
            request,
            f"Published {changed} draft{'s' if changed != 1 else ''}."
            + (f" Left {others} that were not drafts as they were." if others else ""),
            messages.SUCCESS,
        )

    def agreement_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        include_drafts = request.GET.get("drafts") == "1"
        context = {
            **self.admin_site.each_context(request),
            "title": "Agreement between annotators",
            "opts": self.opts,
            "report": admin_views.agreement_report(include_drafts=include_drafts),
            "include_drafts": include_drafts,
        }
        return TemplateResponse(request, "admin/debate/stance/agreement.html", context)
