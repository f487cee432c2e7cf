"""The 404 page: a friendly message, never the name of Django's internal exception."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponseNotFound
from django.template import loader
from django.urls import Resolver404


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponseNotFound:
    """Django's own handler passes the exception's message, or its class name when it has
    none that is a string ("Resolver404" for an unknown URL). Only our own messages ("No post
    has this number.") are worth showing a reader."""
    message = ""
    if isinstance(exception, Http404) and not isinstance(exception, Resolver404):
        first = exception.args[0] if exception.args else ""
        message = first if isinstance(first, str) else ""
    template = loader.get_template("404.html")
    return HttpResponseNotFound(template.render({"message": message}, request))
