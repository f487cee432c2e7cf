"""Data out: the selection as JSON, CSV, W3C Web Annotation and AIF (being built: issue 3)."""

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound


def export_json(request: HttpRequest) -> HttpResponse:
    return HttpResponseNotFound("Not built yet.")


def export_csv(request: HttpRequest) -> HttpResponse:
    return HttpResponseNotFound("Not built yet.")


def export_annotations(request: HttpRequest) -> HttpResponse:
    return HttpResponseNotFound("Not built yet.")


def export_aif(request: HttpRequest) -> HttpResponse:
    return HttpResponseNotFound("Not built yet.")
