"""A debate's hub: how its pages find their debate, and where the old one-debate URLs go.

Every page under ``/debates/<slug>/`` takes the debate as its first argument, resolved once
(``in_debate``). The addresses Threadline had before it held many debates (``/?speaker=...``,
``/map/``, ``/feed/``, ``/export.json``...) answer with a permanent redirect to the same view
of the debate that held them: the first debate there was.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_safe

from ..models import Debate
from ..versioning import current_version, remembered

DEBATE_TIMEOUT = 24 * 3600


def debate_named(slug: str) -> Debate:
    """The debate with this slug (a 404 if none), kept in the cache under the edit counter:
    a hub page's facets and cards come from the cache too, so a warm page costs no query for
    its debate, and any edit (a renamed debate included) gives a new key."""
    key = f"debate:{current_version().number}:{slug}"
    found = cache.get(key)
    if found is None:
        found = get_object_or_404(Debate, slug=slug)
        cache.set(key, found, DEBATE_TIMEOUT)
    return found


def in_debate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pass the view the Debate named by the URL's ``debate`` slug (a 404 if none)."""

    @wraps(view)
    def wrapped(request: HttpRequest, debate: str, *args: Any, **kwargs: Any) -> HttpResponse:
        # The page reads the counter too (its facets' keys): once per request is enough.
        with remembered(current_version()):
            return view(request, debate_named(debate), *args, **kwargs)

    return wrapped


def first_debate() -> Debate:
    """The debate the one-debate addresses meant: the first one made."""
    debate = Debate.objects.order_by("pk").first()
    if debate is None:
        raise Http404("There is no debate yet.")
    return debate


def moved(request: HttpRequest, name: str, *args: Any) -> HttpResponsePermanentRedirect:
    """A 301 to page ``name`` of the first debate, with the same query string."""
    url = reverse(f"debate:{name}", args=[first_debate().slug, *args])
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)


def legacy(name: str) -> Callable[..., HttpResponse]:
    """A view answering an old address with a redirect to page ``name`` of the first debate."""

    @require_safe
    def redirect(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return moved(request, name, *kwargs.values())

    redirect.__name__ = f"legacy_{name.replace('-', '_')}"
    return redirect
