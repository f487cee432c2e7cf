"""Admin page to import an article (being built: issue 5)."""

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound


def import_article(request: HttpRequest) -> HttpResponse:
    return HttpResponseNotFound("Not built yet.")
