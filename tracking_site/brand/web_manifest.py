"""The web app manifest under a brand: a phone that adds the site to its home screen names it as the operator does,
in the visitor's language, with the brand's accent. Without a brand, pages link static/manifest.webmanifest."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from tracking_site.brand.current import current_brand
from tracking_site.brand.model import Brand

# The site's own icons (a brand's logo is a wordmark, not a square icon).
ICONS = (
    ("img/icon.svg", "any", "image/svg+xml"),
    ("img/icon-192.png", "192x192", "image/png"),
    ("img/icon-512.png", "512x512", "image/png"),
)


def manifest_for(brand: Brand, language: str) -> dict[str, object]:
    name = brand.name.get(language)
    return {
        "name": name,
        "short_name": name,
        "lang": language,
        "start_url": "/",
        "scope": "/",
        "display": "minimal-ui",
        "background_color": "#ffffff",
        "theme_color": brand.accent.light if brand.accent else "#0b57d0",
        "icons": [{"src": staticfiles_storage.url(src), "sizes": sizes, "type": kind} for src, sizes, kind in ICONS],
    }


@require_safe
def brand_web_manifest(request: HttpRequest) -> HttpResponse:
    brand = current_brand()
    if brand is None:
        raise Http404("This site has no brand: its manifest is a static file.")
    # Browsers fetch a manifest without cookies: the page names its language in the link.
    asked = request.GET.get("lang", "")
    language = asked if asked in dict(settings.LANGUAGES) else get_language()
    body = json.dumps(manifest_for(brand, language), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/manifest+json; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response
