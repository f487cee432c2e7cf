"""Atom feed of the timeline, honouring the timeline's filters (being built: issue 3)."""

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound


def timeline_feed(request: HttpRequest) -> HttpResponse:
    return HttpResponseNotFound("Not built yet.")
