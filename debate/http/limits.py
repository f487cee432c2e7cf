"""Request bodies are bounded before they are read.

- ``BodySizeLimitMiddleware``, first in ``MIDDLEWARE``: a request whose declared
  ``Content-Length`` is over ``THREADLINE_MAX_REQUEST_BYTES`` is answered 413 before anything
  (the CSRF middleware included, which reads a POST's body) touches its body.
- ``LimitedUploadHandler``, first in ``FILE_UPLOAD_HANDLERS``: an uploaded file is counted
  while it streams in and the upload stops at ``THREADLINE_MAX_UPLOAD_BYTES``, so nothing over
  the limit is spooled to disk. The view can say why (``upload_refused``).

The proxy in front refuses larger bodies first (docs/deploy.md, ``client_max_body_size``);
these hold without it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse

REFUSED_ATTRIBUTE = "threadline_upload_refused"


def declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads no body for a length it cannot parse


class BodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.THREADLINE_MAX_REQUEST_BYTES
        if declared_length(request) > limit:
            # Connection handling (the unread body) is the server's: WSGI forbids an
            # application's Connection header.
            return HttpResponse(
                f"Request body too large: the limit is {limit // (1024 * 1024)} MB.\n",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


class LimitedUploadHandler(FileUploadHandler):
    """Passes each file's chunks on to the next handler until the file is over the limit."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.THREADLINE_MAX_UPLOAD_BYTES:
            setattr(self.request, REFUSED_ATTRIBUTE, self.file_name or "the file")
            # connection_reset: Django stops parsing without reading the rest of the body.
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) makes the file


def upload_refused(request: HttpRequest) -> str | None:
    """The name of the file an upload stopped at for being over the limit, if any. Read it
    after ``request.POST`` or ``request.FILES``."""
    return getattr(request, REFUSED_ATTRIBUTE, None)
