"""Claims, where editors annotate: the claim's source in full (``claim_source``), the stances
inline with their provenance and history, the filters that find what is left to do, "Save and
annotate next" (claims toward a proposition, or the posts still without a claim:
``post_queue``), and the bulk stance action."""

from __future__ import annotations

from collections import Counter

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import dateformat
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from ..editing.claims import claim_changed, delete_claims, stored_words
from ..editing.queue import next_claim, pending, with_claim_date
from ..editing.revisions import delete_stances, may_change, save_stance, set_stances
from ..models import Claim, Proposition, ReviewState, Stance, StanceRevision
from ..reading.agreed import agreed_stances
from ..text import parse_id
from . import post_queue
from .base import COMPACT_TEXT, excerpt, split_judgements
from .claim_source import ClaimForm, FixedSource, claim_fieldsets, fixed_source, source_html
from .display import STANCE_RELATED, StanceHistoryAdmin, provenance_html, stance_badge
from .forms import (
    STANCE_LAYOUT,
    STANCE_RADIOS,
    InlineStanceForm,
    SetStanceForm,
    StanceFormSet,
)


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
        return super().get_queryset(request).select_related(*STANCE_RELATED)

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
            return queryset.filter(pk__in=split_judgements().values("claim_id"))
        proposition = parse_id(value.removeprefix("missing-"))
        if value.startswith("missing-") and proposition is not None:
            return queryset.filter(
                ~Exists(Stance.objects.filter(claim=OuterRef("pk"), proposition_id=proposition))
            )
        return queryset


@admin.register(Claim)
class ClaimAdmin(StanceHistoryAdmin):
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
    form = ClaimForm
    readonly_fields = ["source"]
    inlines = [StanceInline]
    formfield_overrides = COMPACT_TEXT
    actions = ["set_stance"]

    # The claim's source ---------------------------------------------------------------------

    def get_fieldsets(self, request: HttpRequest, obj: Claim | None = None):
        return claim_fieldsets(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.fixed = fixed_source(request) if obj is None else FixedSource()
        return form

    @admin.display(description="source")
    def source(self, claim: Claim) -> str:
        return source_html(claim)

    def get_urls(self):
        # Before the model's own URLs, which would read "posts-to-annotate" as a claim's id.
        return post_queue.urls(self) + super().get_urls()

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
        number = parse_id(raw)
        proposition = Proposition.objects.filter(pk=number).first() if number is not None else None
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
        proposition = parse_id(request.GET.get("annotate", ""))
        # Arriving from "Save and annotate next": the new stance is toward that proposition.
        # The URL keeps it on the POST too, so an untouched blank row stays "unchanged".
        if (
            isinstance(inline, StanceInline)
            and proposition is not None
            and Proposition.objects.filter(pk=proposition).exists()
        ):
            kwargs["initial"] = [{"proposition": proposition}]
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
        if "_next_post" in request.POST:
            return post_queue.saved_then_next(request, self, obj)
        if "_annotate_next" in request.POST:
            return self.annotate_next(request, obj)
        response = super().response_add(request, obj, post_url_continue)
        if "_addanother" in request.POST and fixed_source(request).post is not None:
            # Another claim from the same post, shown in full again.
            debate = post_queue.queue_debate(request)
            return HttpResponseRedirect(post_queue.claim_form_url(obj.post, debate))
        return response

    # Pages --------------------------------------------------------------------------------

    def history_of(self, object_id: str) -> QuerySet[StanceRevision] | None:
        # Every stance the claim had, deleted ones too.
        number = parse_id(object_id)
        return None if number is None else StanceRevision.objects.filter(claim_id=number)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        source = FixedSource() if object_id else fixed_source(request)
        if source.post is not None:  # from Posts to annotate: its queue, not the propositions'
            queue = post_queue.queue_context(request, source.post)
        else:
            claim = self.get_object(request, object_id) if object_id else None
            queue = self.queue_context(request, claim)
        # A new claim with its source on top opens there, not scrolled on to the first field.
        context = {**(extra_context or {}), **queue, "no_autofocus": bool(source)}
        return super().changeform_view(request, object_id, form_url, context)

    def has_delete_permission(self, request: HttpRequest, obj: Claim | None = None) -> bool:
        # Deleting a claim deletes its stances: not when some are another annotator's and the
        # editor is no reviewer (delete_claims refuses it too).
        allowed = super().has_delete_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        stances = Stance.objects.filter(claim=obj).only("pk", "annotator_id")
        return all(may_change(stance, request.user) for stance in stances)

    def save_model(self, request, obj, form, change):
        # What the claim said before, for save_related: its stances are saved first.
        form.stored_words = stored_words(obj) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        notice = claim_changed(form.instance, getattr(form, "stored_words", None), request.user)
        if notice:
            self.message_user(request, notice, messages.WARNING)

    def delete_model(self, request, obj):
        delete_claims([obj], request.user)

    def delete_queryset(self, request, queryset):
        delete_claims(queryset, request.user)

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
        claims = list(
            Claim.objects.filter(pk__in=queryset.values("pk")).select_related("speaker", "article")
        )
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
