from django.urls import include, path, register_converter

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
    # The language switcher posts to set_language (issue 5).
    path("i18n/", include("django.conf.urls.i18n")),
    # The support staff console and Django admin, behind a staff login (issue 6).
    path("staff/", include("tracking_site.staff.urls")),
]
