"""Template tags of the editors' workspace: what the admin's front page counts."""

from __future__ import annotations

from django import template

from ..admin.post_queue import queue_posts
from ..editing.post_queue import remaining

register = template.Library()


@register.simple_tag(takes_context=True)
def posts_to_annotate(context: template.Context) -> int:
    """How many posts have no claim yet, in the queue the admin's pages walk (one query)."""
    return remaining(queue_posts(context["request"]))
