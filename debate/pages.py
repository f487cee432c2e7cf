"""Speaker, proposition and stance-map pages (being built: issue 3)."""

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound


def speaker_list(request: HttpRequest) -> HttpResponse:
    return HttpResponseNotFound("Not built yet.")


def speaker_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponseNotFound("Not built yet.")


def proposition_list(request: HttpRequest) -> HttpResponse:
    return HttpResponseNotFound("Not built yet.")


def proposition_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponseNotFound("Not built yet.")


def stance_map(request: HttpRequest) -> HttpResponse:
    return HttpResponseNotFound("Not built yet.")
