"""Brand files for tests: the made-up shop of docs/brand-example/, or one written for the test."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings as django_settings

EXAMPLE = Path(django_settings.BASE_DIR) / "docs" / "brand-example"
EXAMPLE_NAME = "Fjell & Fern"
CONTACT = "https://fjell-and-fern.example/help/contact?parcel="
CONTACT_NL = "https://fjell-and-fern.example/nl/klantenservice?pakket="
RETURNS = "https://fjell-and-fern.example/returns/start?tracking="


@pytest.fixture
def example_brand(settings) -> Path:
    """The site under docs/brand-example/brand.toml, as a fresh clone configured with it runs."""
    settings.SITE_BRAND = str(EXAMPLE / "brand.toml")
    return EXAMPLE / "brand.toml"


@pytest.fixture
def brand_file(tmp_path, settings) -> Callable[[str], Path]:
    """`brand_file(toml)`: the site under a brand file with this text, beside copies of the example's logos."""

    def write(text: str) -> Path:
        for logo in ("logo.svg", "logo-dark.svg"):
            shutil.copy(EXAMPLE / logo, tmp_path / logo)
        path = tmp_path / "brand.toml"
        path.write_text(text, encoding="utf-8")
        settings.SITE_BRAND = str(path)
        return path

    return write
