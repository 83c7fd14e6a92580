"""The brand's own stylesheet: the accent of each colour scheme as the CSS custom property static/css/site.css
already draws with, so the Content-Security-Policy keeps `style-src 'self'` (no inline style anywhere).

Linked after site.css, with the brand's fingerprint as its version: a new brand file is a new address, so
browsers may keep this one for a year.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from tracking_site.brand.current import current_brand
from tracking_site.brand.model import Accent

YEAR_SECONDS = 365 * 24 * 3600


def stylesheet_text(accent: Accent) -> str:
    return (
        f"/* SITE_BRAND: the accent, checked for 4.5:1 against each scheme's page and card backgrounds. */\n"
        f":root {{ --accent: {accent.light}; }}\n"
        f"@media (prefers-color-scheme: dark) {{ :root {{ --accent: {accent.dark}; }} }}\n"
    )


@require_safe
def brand_stylesheet(request: HttpRequest) -> HttpResponse:
    brand = current_brand()
    if brand is None or brand.accent is None:
        raise Http404("This site has no brand colour.")
    response = HttpResponse(stylesheet_text(brand.accent), content_type="text/css; charset=utf-8")
    current = request.GET.get("v") == brand.fingerprint
    response["Cache-Control"] = f"public, max-age={YEAR_SECONDS}, immutable" if current else "no-cache"
    return response
