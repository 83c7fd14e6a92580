"""WCAG contrast ratios, the backgrounds they are measured against, and the nearest shade that passes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tracking_site.brand.contrast import (
    DARK,
    LIGHT,
    contrast_ratio,
    nearest_passing_shade,
    relative_luminance,
    shortfall,
    shown_ratio,
)

SITE_CSS = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text(encoding="utf-8")


def css_colours(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", block))


def test_the_backgrounds_are_the_stylesheets_own():
    light_block = SITE_CSS.split("@media (prefers-color-scheme: dark)")[0]
    dark_block = re.search(r"@media \(prefers-color-scheme: dark\) \{(.*?)\n\}", SITE_CSS, re.S).group(1)
    for backgrounds, block in ((LIGHT, light_block), (DARK, dark_block)):
        colours = css_colours(block)
        assert [background.colour for background in backgrounds] == [colours["bg"], colours["card"]]


def test_the_sites_own_accents_pass_on_their_schemes():
    assert shortfall("#0b57d0", LIGHT) is None
    assert shortfall("#8ab4f8", DARK) is None


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [("#ffffff", "#000000", 21.0), ("#767676", "#ffffff", 4.54), ("#777777", "#ffffff", 4.48), ("#fff", "#fff", 1)],
)
def test_contrast_ratios_follow_wcag(first, second, ratio):
    assert contrast_ratio(first, second) == pytest.approx(ratio, abs=0.005)


def test_luminance_is_symmetric_in_shorthand():
    assert relative_luminance("#abc") == relative_luminance("#aabbcc")


def test_a_shown_ratio_is_rounded_down_so_it_never_looks_passing_when_it_fails():
    assert shown_ratio(4.4999) == "4.49:1"


def test_the_worst_background_is_named():
    short = shortfall("#4a90e2", LIGHT)  # a pale blue: worse on the grey cards than on the white page
    assert short is not None and short.background.name == "card and box"
    assert short.ratio == pytest.approx(contrast_ratio("#4a90e2", "#f6f7f9"))


@pytest.mark.parametrize(("colour", "backgrounds"), [("#ffcc00", LIGHT), ("#1f6b4f", DARK), ("#000080", DARK)])
def test_the_nearest_passing_shade_passes_and_a_little_less_change_would_not(colour, backgrounds):
    shade = nearest_passing_shade(colour, backgrounds)
    assert shortfall(shade, backgrounds) is None
    assert shortfall(colour, backgrounds) is not None
    # Moving it back towards the colour by two steps of 1/255 per channel fails again: it is the nearest.
    back = "#" + "".join(
        f"{max(min(int(shade[i : i + 2], 16) + (2 if backgrounds is LIGHT else -2), 255), 0):02x}" for i in (1, 3, 5)
    )
    assert shortfall(back, backgrounds) is not None
