"""Metadata for shared links: schema.org JSON-LD, so a post previews well where it is shared."""

import json
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from ..models import Post

# json.dumps leaves these as they are; inside <script> they could close the element.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data: dict[str, Any]) -> SafeString:
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))  # noqa: S308


def social_media_posting(request: HttpRequest, post: Post) -> dict[str, Any]:
    """schema.org ``SocialMediaPosting`` for a quoted post, citing the articles that quote it."""
    speaker = post.speaker
    author: dict[str, Any] = {"@type": "Person", "name": speaker.name}
    if speaker.handle:
        author["alternateName"] = f"@{speaker.handle}"
    if speaker.profile_url:
        author["url"] = speaker.profile_url
    page = request.build_absolute_uri(post.get_absolute_url())
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "SocialMediaPosting",
        "@id": page,
        "mainEntityOfPage": page,
        "url": post.permalink_url or page,
        "headline": f"{speaker.name} (@{post.handle_shown}), {post.posted_on:%-d %B %Y}",
        "articleBody": post.text,
        "datePublished": post.posted_at.isoformat() if post.time_known else str(post.posted_on),
        "author": author,
    }
    if post.quotes_id:
        data["sharedContent"] = {
            "@type": "SocialMediaPosting",
            "url": request.build_absolute_uri(post.quotes.get_absolute_url()),
        }
    if post.in_reply_to_id:
        data["isBasedOn"] = request.build_absolute_uri(post.in_reply_to.get_absolute_url())
    citations = [
        {
            "@type": "NewsArticle",
            "headline": source.article.title,
            "url": source.article.url
            or request.build_absolute_uri(source.article.get_absolute_url()),
        }
        for source in post.quoted_in.all()
    ]
    if citations:
        data["subjectOf"] = citations
    return data
