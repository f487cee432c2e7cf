"""Where the words come from: speakers, articles (with the import page), the posts they quote,
and each quoted post's place in its article."""

from __future__ import annotations

from django.contrib import admin
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import path

from ..imports.admin import import_article
from ..models import Article, ArticlePost, Post, Speaker
from ..text import parse_id
from .base import AtomicActionsAdmin, excerpt

# The article page lists its quoted posts this many at a time.
QUOTED_PAGE_SIZE = 50


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


@admin.register(Article)
class ArticleAdmin(AtomicActionsAdmin):
    """Articles, and the page that imports one whole (``debate.imports.admin``).

    The quoted posts are not an inline: an imported article may quote thousands, and a form
    row each would cost queries per row and send more fields than Django accepts
    (DATA_UPLOAD_MAX_NUMBER_FIELDS). The change page lists them instead, a page at a time in
    two queries, each linking to its own page (``QuotedPostAdmin``) to move or replace it.
    """

    list_display = ["title", "debate", "outlet", "published_on", "quoted_count"]
    list_filter = ["debate", "outlet", "published_on"]
    list_select_related = ["debate"]
    search_fields = ["title", "outlet", "body"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_on"

    def get_urls(self):
        # Before the model's own URLs, which would read "import" as an article's id.
        own = [
            path(
                "import/",
                self.admin_site.admin_view(import_article),
                name="debate_article_import",
            ),
        ]
        return own + super().get_urls()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return super().get_queryset(request).annotate(quoted_total=Count("quoted_posts"))

    @admin.display(description="posts quoted", ordering="quoted_total")
    def quoted_count(self, article: Article) -> int:
        return article.quoted_total

    def quoted_page(self, request: HttpRequest, object_id: str) -> Page | None:
        """One page of the article's quoted posts, in their order (``?quoted=`` chooses it)."""
        number = parse_id(object_id)
        if number is None:
            return None
        quoted = (
            ArticlePost.objects.filter(article_id=number)
            .select_related("post__speaker")
            .order_by("position")
        )
        return Paginator(quoted, QUOTED_PAGE_SIZE).get_page(request.GET.get("quoted"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {**(extra_context or {}), "quoted_page": self.quoted_page(request, object_id)}
        return super().change_view(request, object_id, form_url, context)


@admin.register(ArticlePost)
class QuotedPostAdmin(AtomicActionsAdmin):
    """A post's place in an article: added, moved or removed one at a time (the article's page
    links here), however many posts the article quotes."""

    list_display = ["article", "position", "post_summary"]
    list_display_links = ["position"]
    list_select_related = ["article", "post__speaker"]
    search_fields = ["article__title", "post__text", "post__speaker__name"]
    autocomplete_fields = ["article", "post"]
    fields = ["article", "position", "post"]

    @admin.display(description="post")
    def post_summary(self, quoted: ArticlePost) -> str:
        return f"{quoted.post.speaker.name}: {excerpt(quoted.post.text)}"


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
