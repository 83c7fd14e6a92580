"""Which brand this site runs under: SITE_BRAND's file, read once per process and checked at start (checks.py).

The one place that reads the setting. Tests that change SITE_BRAND (or the site's languages) get the new brand:
the cache is cleared when either setting changes.
"""

from __future__ import annotations

import functools
import logging
from email.utils import formataddr, parseaddr
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tracking_site.brand.contrast import DARK, contrast_ratio, shown_ratio
from tracking_site.brand.model import Brand
from tracking_site.brand.parse import BrandInvalid, load_brand

logger = logging.getLogger(__name__)

# The site's name without a brand: what every page, feed and message said before brands existed.
UNBRANDED_NAME = _("Parcel tracking")
# DEFAULT_FROM_EMAIL's own default display name: a brand's name replaces it, an operator's own choice stays.
UNBRANDED_SENDER = "Parcel tracking"


def brand_path() -> Path | None:
    configured = settings.SITE_BRAND
    return Path(configured) if configured else None


def site_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def read_brand() -> Brand | None:
    """The brand SITE_BRAND names, None without one; BrandInvalid says what is wrong with its file."""
    path = brand_path()
    return None if path is None else load_brand(path, site_languages())


@functools.cache
def current_brand() -> Brand | None:
    """This process's brand; a file the start checks would refuse stops whatever asks, with the reason."""
    try:
        brand = read_brand()
    except BrandInvalid as exc:
        raise ImproperlyConfigured(f"SITE_BRAND {brand_path()}: {exc}") from None
    if brand is not None and brand.accent is not None and brand.accent.dark_derived:
        worst = min(contrast_ratio(brand.accent.dark, background.colour) for background in DARK)
        logger.info(
            "SITE_BRAND: no accent_dark given; the dark scheme uses %s, derived from accent %s (%s against its "
            "page and card backgrounds)",
            brand.accent.dark,
            brand.accent.light,
            shown_ratio(worst),
        )
    return brand


@receiver(setting_changed)
def _forget_brand(*, setting: str, **kwargs: object) -> None:
    if setting in ("SITE_BRAND", "LANGUAGES"):
        current_brand.cache_clear()


def site_name(language: str | None = None) -> str:
    """The site's name in `language` (default: the active one): the brand's, else "Parcel tracking"."""
    brand = current_brand()
    if brand is None:
        return str(UNBRANDED_NAME)
    return brand.name.get(language or get_language())


def sender_address(configured: str) -> str:
    """DEFAULT_FROM_EMAIL with the brand's name shown as the sender, unless the operator wrote a name of their own
    there; unchanged without a brand."""
    brand = current_brand()
    display, address = parseaddr(configured)
    if brand is None or not address or display not in ("", UNBRANDED_SENDER):
        return configured
    return formataddr((site_name(), address))
