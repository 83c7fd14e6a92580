"""The brand file (TOML) turned into a Brand, or every problem in it, each naming its key.

Parse, don't validate: everything a page, an email or the stylesheet takes from the file is checked here once,
so the rest of the site reads typed values. Texts are plain (templates escape them; emails and calendar entries
are plain text), one line each, and may be a string or a table by language code with English the fallback.
Addresses are https (or mailto), with `{number}` the one placeholder. Logos are files in the brand's folder,
within limits a page can carry; an SVG with scripts is refused (it is served from our own origin).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from tracking_site.brand.contrast import (
    DARK,
    HEX_COLOUR,
    LIGHT,
    Background,
    nearest_passing_shade,
    normalized,
    shortfall,
    shown_ratio,
)
from tracking_site.brand.model import (
    FALLBACK_LANGUAGE,
    NUMBER_PLACEHOLDER,
    Accent,
    Brand,
    BrandLinks,
    Localized,
    Logo,
)

TOP_KEYS = ("name", "accent", "accent_dark", "logo", "links", "notice")
LOGO_KEYS = ("file", "dark_file", "alt")
LINK_KEYS = ("contact", "returns", "delivery_faq", "privacy")
MAX_NAME, MAX_ALT, MAX_NOTICE, MAX_URL = 60, 120, 200, 500
LOGO_SUFFIXES = (".svg", ".png", ".webp", ".jpg", ".jpeg")
MAX_LOGO_BYTES = 100_000  # a page with its stylesheet and script weighs about 7 kB gzipped; a logo stays modest
LOGO_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")  # one file in the folder, a plain name a URL can carry
SVG_ACTIVE = re.compile(rb"<script|javascript:|\son[a-z]+\s*=|<foreignObject", re.IGNORECASE)
# A check of one value: the value cleaned, or None after noting its problem.
_Check = Callable[[str, str], str | None]


class BrandInvalid(ValueError):
    """The brand file cannot be used; `problems` says why, one line each, naming the key."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


def load_brand(path: Path, languages: Sequence[str]) -> Brand:
    """The brand described by the TOML file at `path`, for a site speaking `languages`."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BrandInvalid([f"cannot read the file ({exc.strerror or exc})"]) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BrandInvalid([f"not a TOML file: {exc}"]) from None
    return parse_brand(data, path.parent, languages, raw)


def parse_brand(data: Mapping[str, object], folder: Path, languages: Sequence[str], raw: bytes = b"") -> Brand:
    reader = _Reader(folder, languages)
    reader.unknown_keys("", data, TOP_KEYS)
    name = reader.text("name", data.get("name"), MAX_NAME, required=True)
    notice = reader.text("notice", data.get("notice"), MAX_NOTICE)
    links = reader.links(data.get("links"))
    logo = reader.logo(data.get("logo"))
    accent = reader.accent(data.get("accent"), data.get("accent_dark"))
    if reader.problems:
        raise BrandInvalid(reader.problems)
    assert name is not None  # required: a problem otherwise
    digest = hashlib.sha256(raw)
    for file in reader.files:
        digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return Brand(
        name=name,
        folder=folder,
        links=links,
        logo=logo,
        accent=accent,
        notice=notice,
        fingerprint=digest.hexdigest()[:16],
    )


class _Reader:
    """Reads values out of the file, noting a problem (and returning None) for each one it cannot use."""

    def __init__(self, folder: Path, languages: Sequence[str]) -> None:
        self.folder = folder
        self.languages = tuple(languages)
        self.problems: list[str] = []
        self.files: list[Path] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"{key}: {message}")

    def unknown_keys(self, prefix: str, table: Mapping[str, object], known: Iterable[str]) -> None:
        for key in table:
            if key not in known:
                self.problem(f"{prefix}{key}", f"unknown key (known: {', '.join(known)})")

    def localized(self, key: str, value: object, check: _Check) -> Localized | None:
        """A string for every language, or a table by language code that has English."""
        if isinstance(value, str):
            checked = check(key, value)
            return Localized.same_everywhere(checked) if checked is not None else None
        if not isinstance(value, dict):
            self.problem(key, "a string, or a table of strings by language code (en = ..., nl = ...)")
            return None
        pairs: list[tuple[str, str]] = []
        for language, text in value.items():
            if language not in self.languages:
                self.problem(f"{key}.{language}", f"not one of the site's languages ({', '.join(self.languages)})")
            elif not isinstance(text, str):
                self.problem(f"{key}.{language}", "a string")
            elif (checked := check(f"{key}.{language}", text)) is not None:
                pairs.append((language, checked))
        if FALLBACK_LANGUAGE not in value:
            self.problem(key, f"needs an '{FALLBACK_LANGUAGE}' entry: it stands in for the other languages")
            return None
        if len(pairs) != len(value):
            return None
        pairs.sort(key=lambda pair: pair[0] != FALLBACK_LANGUAGE)
        return Localized(tuple(pairs))

    def text(self, key: str, value: object, limit: int, *, required: bool = False) -> Localized | None:
        if value is None:
            if required:
                self.problem(key, "required")
            return None

        def check(where: str, text: str) -> str | None:
            text = text.strip()
            if not text:
                self.problem(where, "empty")
            elif len(text) > limit:
                self.problem(where, f"{len(text)} characters; at most {limit}")
            elif any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in text):
                self.problem(where, "one line of plain text: no line breaks or control characters")
            else:
                return text
            return None

        return self.localized(key, value, check)

    def url(self, key: str, value: object) -> Localized | None:
        def check(where: str, url: str) -> str | None:
            url = url.strip()
            example = url.replace(NUMBER_PLACEHOLDER, "0")
            parts = urlsplit(example)
            if len(url) > MAX_URL:
                self.problem(where, f"{len(url)} characters; at most {MAX_URL}")
            elif "{" in example or "}" in example:
                self.problem(where, f"{NUMBER_PLACEHOLDER} is the only placeholder an address may hold")
            elif any(char.isspace() or unicodedata.category(char) == "Cc" for char in example):
                self.problem(where, "an address has no spaces or control characters")
            elif parts.scheme == "mailto" and "@" in parts.path:
                return url
            elif parts.scheme != "https" or not parts.hostname:
                self.problem(where, "an https:// address (or mailto:)")
            else:
                return url
            return None

        return None if value is None else self.localized(key, value, check)

    def links(self, value: object) -> BrandLinks:
        if value is None:
            return BrandLinks()
        if not isinstance(value, dict):
            self.problem("links", f"a table ({', '.join(LINK_KEYS)})")
            return BrandLinks()
        self.unknown_keys("links.", value, LINK_KEYS)
        return BrandLinks(**{key: self.url(f"links.{key}", value.get(key)) for key in LINK_KEYS})

    def logo(self, value: object) -> Logo | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.problem("logo", f"a table ({', '.join(LOGO_KEYS)})")
            return None
        self.unknown_keys("logo.", value, LOGO_KEYS)
        file = self.logo_file("logo.file", value.get("file"), required=True)
        dark_file = self.logo_file("logo.dark_file", value.get("dark_file"), required=False)
        alt = self.text("logo.alt", value.get("alt"), MAX_ALT, required=True)
        if file is None or alt is None:
            return None
        return Logo(file=file, dark_file=dark_file or "", alt=alt)

    def logo_file(self, key: str, value: object, *, required: bool) -> str | None:
        if value is None:
            if required:
                self.problem(key, "required: the logo's file name, in the brand file's folder")
            return None
        if not isinstance(value, str) or not LOGO_NAME.fullmatch(value):
            self.problem(key, "a file name in the brand file's folder (letters, digits, '.', '-', '_')")
            return None
        path = self.folder / value
        if path.suffix.lower() not in LOGO_SUFFIXES:
            self.problem(key, f"a logo is one of {', '.join(LOGO_SUFFIXES)}")
        elif not path.is_file():
            self.problem(key, f"no such file: {path}")
        elif (size := path.stat().st_size) > MAX_LOGO_BYTES:
            self.problem(key, f"{size} bytes; at most {MAX_LOGO_BYTES}")
        elif path.suffix.lower() == ".svg" and SVG_ACTIVE.search(path.read_bytes()):
            self.problem(key, "an SVG logo may not hold scripts, event handlers or foreign objects")
        else:
            self.files.append(path)
            return value
        return None

    def accent(self, light: object, dark: object) -> Accent | None:
        if light is None:
            if dark is not None:
                self.problem("accent_dark", "needs `accent` as well")
            return None
        light_colour = self.colour("accent", light, LIGHT)
        if dark is None:
            if light_colour is None:
                return None
            return Accent(light_colour, nearest_passing_shade(light_colour, DARK), dark_derived=True)
        dark_colour = self.colour("accent_dark", dark, DARK)
        if light_colour is None or dark_colour is None:
            return None
        return Accent(light_colour, dark_colour, dark_derived=False)

    def colour(self, key: str, value: object, backgrounds: tuple[Background, ...]) -> str | None:
        if not isinstance(value, str) or not HEX_COLOUR.fullmatch(value):
            self.problem(key, "a colour as #rrggbb")
            return None
        colour = normalized(value)
        short = shortfall(colour, backgrounds)
        if short is None:
            return colour
        where = short.background
        self.problem(
            key,
            f"{colour} has {shown_ratio(short.ratio)} against the {where.scheme} scheme's {where.name} background "
            f"{where.colour}; links and button text need 4.5:1 (bars 3:1). The nearest shade of it that passes is "
            f"{nearest_passing_shade(colour, backgrounds)}.",
        )
        return None
