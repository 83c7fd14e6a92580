"""The operator's brand as the rest of the site sees it: typed, frozen, already checked (parse.py builds it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

FALLBACK_LANGUAGE = "en"
NUMBER_PLACEHOLDER = "{number}"


@dataclass(frozen=True)
class Localized:
    """A text or an address in each language the operator wrote it in; English stands in for the others."""

    by_language: tuple[tuple[str, str], ...]  # (language code, value); always has FALLBACK_LANGUAGE

    @classmethod
    def same_everywhere(cls, value: str) -> Localized:
        return cls(((FALLBACK_LANGUAGE, value),))

    def get(self, language: str | None) -> str:
        """The value for `language` ('nl', 'pt-br'), else for its base language ('pt'), else the English one."""
        return self.pick(language)[0]

    def pick(self, language: str | None) -> tuple[str, str]:
        """`get`'s value and the language it is written in (English where it stands in for `language`)."""
        values = dict(self.by_language)
        code = (language or FALLBACK_LANGUAGE).lower()
        for candidate in (code, code.split("-")[0]):
            if values.get(candidate):
                return values[candidate], candidate
        return values[FALLBACK_LANGUAGE], FALLBACK_LANGUAGE


def with_number(url: str, number: str) -> str:
    """A link setting with its `{number}` placeholder filled (URL-quoted); "" fills it where no parcel is named."""
    return url.replace(NUMBER_PLACEHOLDER, quote(number, safe=""))


@dataclass(frozen=True)
class Logo:
    file: str  # inside the brand's folder, served as static "brand/<file>"
    dark_file: str  # the logo for the dark scheme; "" when one logo suits both
    alt: Localized


@dataclass(frozen=True)
class Accent:
    light: str  # '#rrggbb', 4.5:1 against the light page and cards
    dark: str  # the same for the dark scheme
    dark_derived: bool  # the operator gave no dark shade: `dark` was worked out from `light`


@dataclass(frozen=True)
class BrandLinks:
    """The operator's pages; any may hold `{number}`, filled with the tracking number where a page names one."""

    contact: Localized | None = None
    returns: Localized | None = None
    delivery_faq: Localized | None = None
    privacy: Localized | None = None


@dataclass(frozen=True)
class Brand:
    name: Localized
    folder: Path  # the TOML file's folder: the logos are found there
    links: BrandLinks
    logo: Logo | None = None
    accent: Accent | None = None
    notice: Localized | None = None  # a short note on every page: "Holiday delays in Finland"
    fingerprint: str = ""  # of the file and its logos: the stylesheet's version and part of every page's ETag
