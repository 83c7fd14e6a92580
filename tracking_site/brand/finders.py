"""The brand's logos among the static files, under /static/brand/: only the files the brand file names.

A finder rather than the brand's folder in STATICFILES_DIRS: that would serve everything that happens to lie
beside the TOML file (a backup, a key, the project itself if SITE_BRAND sits in it). `collectstatic` collects
the logos like any static file, fingerprinted and compressed in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage

from tracking_site.brand.current import current_brand
from tracking_site.brand.pages import STATIC_PREFIX


def brand_logos() -> dict[str, str]:
    """'brand/logo.svg' -> its path on disk, for the brand's logos; nothing without a usable brand (the start
    checks say what is wrong with a broken one)."""
    try:
        brand = current_brand()
    except ImproperlyConfigured:
        return {}
    if brand is None or brand.logo is None:
        return {}
    files = [brand.logo.file, brand.logo.dark_file]
    return {f"{STATIC_PREFIX}/{file}": str(brand.folder / file) for file in files if file}


class BrandLogoFinder(BaseFinder):
    def check(self, **kwargs: Any) -> list[CheckMessage]:
        return []  # checks.py checks the brand file

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str] | None:
        found = brand_logos().get(path)
        if find_all:
            return [found] if found else []
        return found

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        brand = current_brand()
        if brand is None or brand.logo is None:
            return
        storage = FileSystemStorage(location=brand.folder)
        storage.prefix = STATIC_PREFIX  # read by collectstatic and whitenoise
        for file in (brand.logo.file, brand.logo.dark_file):
            if file:
                yield file, storage
