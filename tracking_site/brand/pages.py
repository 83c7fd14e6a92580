"""The brand as a page shows it, in one language: the name, the logo, the stylesheet, the notice, the footer links."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tracking_site.brand.model import Brand, BrandLinks, Logo

logger = logging.getLogger(__name__)

STATIC_PREFIX = "brand"  # the logos are static files under /static/brand/ (finders.py)

FOOTER_LINKS: dict[str, Promise] = {
    "contact": _("Contact %(name)s"),
    "returns": _("Returns"),
    "delivery_faq": _("Delivery questions"),
    "privacy": _("Privacy"),
}


@dataclass(frozen=True)
class PageLink:
    text: str
    url: str  # may still hold `{number}`: the template fills it with the page's parcel (`with_number`)


@dataclass(frozen=True)
class LogoImage:
    url: str
    dark_url: str  # "" when one logo suits both schemes
    alt: str


@dataclass(frozen=True)
class BrandPage:
    name: str
    accent: str  # the light scheme's accent, for the browser's theme colour; "" without one
    stylesheet: str  # the brand's own stylesheet (the accent as CSS custom properties); "" without an accent
    manifest: str  # the brand's web app manifest (its name for a phone's home screen)
    logo: LogoImage | None  # None without a logo (the header shows the name)
    notice: str
    notice_language: str  # the notice's language where the operator wrote none in the page's (its lang attribute)
    links: tuple[PageLink, ...]


def link_texts(links: BrandLinks, language: str, name: str) -> tuple[PageLink, ...]:
    """The operator's links that are set, worded in `language`, in the footer's order."""
    shown = []
    for key, words in FOOTER_LINKS.items():
        url = getattr(links, key)
        if url is not None:
            shown.append(PageLink(str(words) % {"name": name}, url.get(language)))
    return tuple(shown)


def static_url(file: str) -> str:
    """The logo's static URL; "" when the collected files lack it (collectstatic not run since SITE_BRAND was set),
    so the page shows the name instead of failing."""
    try:
        return static(f"{STATIC_PREFIX}/{file}")
    except ValueError:
        logger.error("SITE_BRAND: %s is not among the collected static files: run collectstatic", file)
        return ""


def logo_image(logo: Logo, language: str) -> LogoImage | None:
    url = static_url(logo.file)
    if not url:
        return None
    dark_url = static_url(logo.dark_file) if logo.dark_file else ""
    return LogoImage(url, dark_url, logo.alt.get(language))


@functools.lru_cache(maxsize=64)
def brand_page(brand: Brand, language: str) -> BrandPage:
    """Worked out once per brand and language: every page asks."""
    name = brand.name.get(language)
    with translation.override(language):
        return _page(brand, language, name)


def _page(brand: Brand, language: str, name: str) -> BrandPage:
    notice, written_in = brand.notice.pick(language) if brand.notice else ("", language)
    return BrandPage(
        name=name,
        accent=brand.accent.light if brand.accent else "",
        stylesheet=f"{reverse('brand_stylesheet')}?v={brand.fingerprint}" if brand.accent else "",
        manifest=f"{reverse('brand_web_manifest')}?v={brand.fingerprint}&lang={language}",
        logo=logo_image(brand.logo, language) if brand.logo else None,
        notice=notice,
        notice_language="" if same_language(written_in, language) else written_in,
        links=link_texts(brand.links, language, name),
    )


def same_language(one: str, other: str) -> bool:
    return one.lower().split("-")[0] == other.lower().split("-")[0]


@receiver(setting_changed)
def _forget_pages(*, setting: str, **kwargs: object) -> None:
    """Tests that change the brand or how static files are named get pages worked out again."""
    if setting in ("SITE_BRAND", "LANGUAGES", "STORAGES", "STATIC_URL", "STATIC_ROOT", "DEBUG"):
        brand_page.cache_clear()
