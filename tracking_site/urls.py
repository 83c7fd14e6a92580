from django.urls import include, path, register_converter
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from . import views


class PathSegment:
    """Any single path segment; the view validates it (so bad numbers get a clear 400, not a bare 404)."""

    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PathSegment, "segment")

urlpatterns = [
    path("", views.home, name="home"),
    path("track/", views.track, name="track"),
    path("track/<slug:carrier>/<segment:number>/", views.parcel_page, name="parcel"),
    path("api/v1/parcels/<slug:carrier>/<segment:number>", views.parcel_api, name="parcel_api"),
    path("healthz", views.healthz, name="healthz"),
    # The language switcher posts here (issue 5). Without a CSRF token: the worst a forged post can do is
    # switch a visitor's language, and a token would make every public page personal, so no browser or CDN
    # could share it (issue 4). Django's set_language still refuses off-site `next` addresses.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    # The support staff console and Django admin, behind a staff login (issue 6).
    path("staff/", include("tracking_site.staff.urls")),
]
