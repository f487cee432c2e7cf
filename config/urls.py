from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    # Browsers ask for /favicon.ico on pages (the admin's) that do not name an icon.
    return HttpResponseRedirect(static("favicon.svg"))


admin.site.site_header = "Threadline editors"
admin.site.site_title = "Threadline editors"
admin.site.index_title = "Annotate the debate"

urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("", include("debate.urls")),
]
