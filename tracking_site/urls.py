from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from tracking_site.brand.stylesheet import brand_stylesheet
from tracking_site.brand.web_manifest import brand_web_manifest
from tracking_site.metrics.endpoint import metrics
from tracking_site.web import api, health, openapi, views

urlpatterns = [
    path("", views.home, name="home"),
    path("track/", views.track, name="track"),
    # `str` takes any one path segment: the view validates the number, so a bad one gets a clear 400.
    path("track/<slug:carrier>/<str:number>/", views.parcel_page, name="parcel"),
    path("api/v1/parcels/<slug:carrier>/<str:number>", api.parcel_api, name="parcel_api"),
    path("api/v1/openapi.json", openapi.openapi_document, name="openapi"),
    path("healthz", health.healthz, name="healthz"),
    # Prometheus metrics, for METRICS_ALLOWED_IPS only (a 404 for anyone else).
    path("metrics", metrics, name="metrics"),
    # The language switcher posts here without a CSRF token: the worst a forged post can do is switch a
    # visitor's language, and a token would make every public page personal, so no browser or CDN could share
    # it. Django's set_language still refuses off-site `next` addresses.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    # The support staff console and Django admin, behind a staff login.
    path("staff/", include("tracking_site.staff.urls")),
    # The operator's accent colour as CSS custom properties (only with SITE_BRAND).
    path("brand.css", brand_stylesheet, name="brand_stylesheet"),
    path("manifest.webmanifest", brand_web_manifest, name="brand_web_manifest"),
    # Following a parcel: its feed, calendar entry, push and email sign-up, and the service worker.
    path("", include("tracking_site.following.urls")),
]

# JSON on every path under /api/, the site's own pages elsewhere (web/errors.py).
handler400 = "tracking_site.web.errors.bad_request"
handler403 = "tracking_site.web.errors.permission_denied"
handler404 = "tracking_site.web.errors.page_not_found"
handler500 = "tracking_site.web.errors.server_error"
