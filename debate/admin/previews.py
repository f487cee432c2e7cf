"""The live preview of a rationale as it is typed: the workspace's one page that is not a
model's list or form.

Mounted by ``StanceAdmin.get_urls`` behind ``admin_site.admin_view`` (staff only); it checks
the debate permission it needs itself. (The agreement page is ``StanceAdmin.agreement_view``,
its figures ``debate.editing.report``.)
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_POST

from .forms import preview_html


@require_POST
def preview_rationale(request: HttpRequest) -> HttpResponse:
    """The rationale being typed, as readers will see it (HTMX fragment).

    htmx posts the whole form the textarea sits in (which carries the CSRF token) and names
    the textarea in the HX-Trigger-Name header; only that field is rendered.
    """
    user = request.user
    if not (user.has_perm("debate.add_stance") or user.has_perm("debate.change_stance")):
        raise PermissionDenied
    name = request.headers.get("HX-Trigger-Name", "")
    if not (name == "rationale" or name.endswith("-rationale")):
        return HttpResponseBadRequest("Say which rationale to preview.")
    return HttpResponse(preview_html(request.POST.get(name, "")))
