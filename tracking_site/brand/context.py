"""Every page's template gets `site_name` (the brand's, else "Parcel tracking") and `brand` (None without one)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language

from tracking_site.brand.current import current_brand, site_name
from tracking_site.brand.pages import brand_page


def brand(request: HttpRequest) -> dict[str, object]:
    current = current_brand()
    language = get_language() or settings.LANGUAGE_CODE
    return {"site_name": site_name(language), "brand": brand_page(current, language) if current else None}
