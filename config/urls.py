from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    # Browsers ask for /favicon.ico on pages (the admin's) that do not name an icon.
    return HttpResponseRedirect(static("favicon.svg"))


admin.site.site_header = "Threadline editors"
admin.site.site_title = "Threadline editors"
admin.site.index_title = "Annotate the debate"


def healthz(request: HttpRequest) -> HttpResponse:
    # For load balancers, and the benchmark's floor: a bare view through all the middleware.
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz),
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("", include("debate.urls")),
]

# A friendly 404 in production: never "Resolver404" (debate/views/errors.py).
handler404 = "debate.views.errors.not_found"
