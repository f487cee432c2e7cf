"""The editors' workspace: every model listed, searchable and filterable, stances inline."""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from .models import Article, ArticlePost, Claim, Post, Proposition, Speaker, Stance


def excerpt(text: str, words: int = 14) -> str:
    return Truncator(text).words(words, truncate="…")


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
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
class ArticleAdmin(admin.ModelAdmin):
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
class PostAdmin(admin.ModelAdmin):
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


class StanceFormSet(BaseInlineFormSet):
    """Refuse a second stance by the same editor on the same proposition before the database
    would: the annotator is not a form field, so the model form cannot check it itself."""

    user = None

    def clean(self) -> None:
        super().clean()
        seen: set[int] = set()
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            proposition = form.cleaned_data.get("proposition")
            if proposition is None:
                continue
            annotator_id = form.instance.annotator_id or getattr(self.user, "pk", None)
            if annotator_id != getattr(self.user, "pk", None):
                continue
            clash = proposition.pk in seen or (
                self.instance.pk is not None
                and Stance.objects.filter(
                    claim=self.instance, proposition=proposition, annotator_id=annotator_id
                )
                .exclude(pk=form.instance.pk)
                .exists()
            )
            if clash:
                form.add_error(
                    "proposition",
                    "You already have a stance on this claim for this proposition: edit that one.",
                )
            seen.add(proposition.pk)


COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})}}


class StanceInline(admin.StackedInline):
    model = Stance
    formset = StanceFormSet
    extra = 1
    autocomplete_fields = ["proposition"]
    fields = [
        "proposition",
        "value",
        "rationale",
        "evidence",
        "review_state",
        "annotator",
        "annotated_at",
    ]
    readonly_fields = ["annotator", "annotated_at"]
    formfield_overrides = COMPACT_TEXT

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.user = request.user
        return formset


class AnnotatedFilter(admin.SimpleListFilter):
    title = "annotation"
    parameter_name = "annotated"

    def lookups(self, request, model_admin):
        return [("no", "not yet annotated"), ("yes", "annotated")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(stances__isnull=True)
        if self.value() == "yes":
            return queryset.filter(stances__isnull=False).distinct()
        return queryset


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["summary_excerpt", "speaker", "source", "stance_badges"]
    list_filter = [AnnotatedFilter, "speaker", "stances__proposition", "stances__value"]
    list_select_related = ["speaker", "post", "article"]
    search_fields = ["summary", "quote", "post__text", "speaker__name"]
    autocomplete_fields = ["speaker", "post", "article"]
    fields = ["speaker", "summary", "post", "article", "quote"]
    inlines = [StanceInline]
    formfield_overrides = COMPACT_TEXT

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "summary":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Claim]:
        return super().get_queryset(request).prefetch_related("stances__proposition")

    @admin.display(description="claim")
    def summary_excerpt(self, claim: Claim) -> str:
        return excerpt(claim.summary)

    @admin.display(description="source")
    def source(self, claim: Claim) -> str:
        if claim.post_id:
            return f"post of {claim.post.posted_on:%d %b %Y}"
        return f"article: {excerpt(claim.article.title, 6)}"

    @admin.display(description="stances")
    def stance_badges(self, claim: Claim) -> str:
        stances = list(claim.stances.all())
        if not stances:
            return "not yet annotated"
        return format_html_join(
            " ",
            '<span title="{}">{} ({})</span>',
            ((s.proposition.statement, s.label, s.get_review_state_display()) for s in stances),
        )

    def save_formset(self, request, form, formset, change):
        # The annotator is whoever is logged in: never a form field anyone could forge.
        for stance in formset.save(commit=False):
            if isinstance(stance, Stance) and stance.annotator_id is None:
                stance.annotator = request.user
            stance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Proposition)
class PropositionAdmin(admin.ModelAdmin):
    list_display = ["label", "statement", "pro_label", "anti_label", "stance_count"]
    search_fields = ["label", "statement", "description"]
    prepopulated_fields = {"slug": ["label"]}
    fields = ["label", "slug", "statement", "description", "pro_label", "anti_label"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Proposition]:
        return super().get_queryset(request).annotate(stance_total=Count("stances"))

    @admin.display(description="stances", ordering="stance_total")
    def stance_count(self, proposition: Proposition) -> int:
        return proposition.stance_total


@admin.register(Stance)
class StanceAdmin(admin.ModelAdmin):
    list_display = ["claim_excerpt", "speaker", "proposition", "badge", "review_state", "annotator"]
    list_filter = ["proposition", "value", "review_state", "annotator", "claim__speaker"]
    list_select_related = ["claim__speaker", "proposition", "annotator"]
    search_fields = ["claim__summary", "claim__quote", "rationale", "evidence"]
    autocomplete_fields = ["claim", "proposition"]
    date_hierarchy = "annotated_at"
    fields = ["claim", "proposition", "value", "rationale", "evidence", "review_state"]
    formfield_overrides = COMPACT_TEXT

    @admin.display(description="claim")
    def claim_excerpt(self, stance: Stance) -> str:
        return excerpt(stance.claim.summary, 10)

    @admin.display(description="speaker", ordering="claim__speaker__name")
    def speaker(self, stance: Stance) -> str:
        return stance.claim.speaker.name

    @admin.display(description="stance", ordering="value")
    def badge(self, stance: Stance) -> str:
        return format_html("<strong>{}</strong>", stance.label)

    def save_model(self, request, obj, form, change):
        if obj.annotator_id is None:
            obj.annotator = request.user
        super().save_model(request, obj, form, change)
