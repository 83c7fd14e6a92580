"""The site's URLs plus /__bench/bare: the cheapest Django view, served by the same processes and middleware."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from tracking_site.urls import urlpatterns as site_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [*site_urlpatterns, path("__bench/bare", bare)]
