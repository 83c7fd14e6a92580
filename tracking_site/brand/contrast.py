"""WCAG contrast for the operator's accent colour, against the backgrounds it is drawn on in each colour scheme.

The accent (`--accent` in static/css/site.css) colours links, the search button (under page-coloured text), the
current milestone's bar and mark, the newest scan's dot and a card's hover border. Text needs 4.5:1 (WCAG 1.4.3)
and those graphics 3:1 (1.4.11); an accent with 4.5:1 against both backgrounds of its scheme, the page and the
cards and boxes, passes every one of its uses. The focus ring keeps the site's own colour (`--focus`), chosen to
stand apart from any link colour, so a brand never weakens it.
"""

from __future__ import annotations

import colorsys
import math
import re
from dataclasses import dataclass

TEXT_CONTRAST = 4.5
HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


@dataclass(frozen=True)
class Background:
    scheme: str  # "light" or "dark"
    name: str  # what it is the background of, in a message
    colour: str


# The `--bg` and `--card` of static/css/site.css, per scheme (a test holds the two files to each other).
LIGHT = (Background("light", "page", "#ffffff"), Background("light", "card and box", "#f6f7f9"))
DARK = (Background("dark", "page", "#121212"), Background("dark", "card and box", "#1e1f22"))


@dataclass(frozen=True)
class Shortfall:
    """The background where an accent falls furthest short of the contrast its text needs."""

    background: Background
    ratio: float


def normalized(colour: str) -> str:
    """'#ABC' -> '#aabbcc'; the caller has checked the shape with HEX_COLOUR."""
    digits = colour[1:].lower()
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return f"#{digits}"


def _channels(colour: str) -> tuple[float, float, float]:
    digits = normalized(colour)[1:]
    red, green, blue = (int(digits[start : start + 2], 16) / 255 for start in (0, 2, 4))
    return red, green, blue


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of an sRGB colour."""

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in _channels(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def shown_ratio(ratio: float) -> str:
    """'4.49:1': rounded down, so a ratio shown as passing always passes."""
    return f"{math.floor(ratio * 100) / 100:.2f}:1"


def shortfall(accent: str, backgrounds: tuple[Background, ...]) -> Shortfall | None:
    """The background the accent has too little contrast against (the worst one), None when it has enough."""
    worst = min(backgrounds, key=lambda background: contrast_ratio(accent, background.colour))
    ratio = contrast_ratio(accent, worst.colour)
    return Shortfall(worst, ratio) if ratio < TEXT_CONTRAST else None


def nearest_passing_shade(accent: str, backgrounds: tuple[Background, ...]) -> str:
    """The same hue and saturation, darkened (light scheme) or lightened (dark scheme) by the least that gives
    4.5:1 against every background; black or white at the extreme, which always pass on these backgrounds."""
    hue, lightness, saturation = colorsys.rgb_to_hls(*_channels(accent))
    step = -0.005 if backgrounds[0].scheme == "light" else 0.005
    while 0 <= lightness <= 1:
        shade = _hex(colorsys.hls_to_rgb(hue, lightness, saturation))
        if shortfall(shade, backgrounds) is None:
            return shade
        lightness += step
    return "#000000" if step < 0 else "#ffffff"


def _hex(channels: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(min(max(channel, 0.0), 1.0) * 255):02x}" for channel in channels)
