"""The brand file: the made-up shop's parses whole; every mistake is refused with its key named, at start."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from tests.tracking_site.brand.conftest import CONTACT, CONTACT_NL, EXAMPLE, EXAMPLE_NAME
from tracking_site.brand.checks import check_brand, refuse_a_broken_brand
from tracking_site.brand.current import current_brand
from tracking_site.brand.parse import BrandInvalid, load_brand

LANGUAGES = ["en", "nl"]
NAME = 'name = "Ok"\n'


def problems(path) -> list[str]:
    with pytest.raises(BrandInvalid) as refused:
        load_brand(path, LANGUAGES)
    return list(refused.value.problems)


def test_the_example_brand_has_everything_the_readme_shows():
    brand = load_brand(EXAMPLE / "brand.toml", LANGUAGES)
    assert brand.name.get("nl") == EXAMPLE_NAME
    assert brand.logo is not None and (brand.logo.file, brand.logo.dark_file) == ("logo.svg", "logo-dark.svg")
    assert brand.logo.alt.get("en") == EXAMPLE_NAME
    assert brand.accent is not None and brand.accent.light == "#1f6b4f" and brand.accent.dark_derived
    assert brand.links.contact is not None and brand.links.contact.get("nl").startswith(CONTACT_NL)
    assert brand.links.contact.get("de") == CONTACT + "{number}"  # a language it does not name: English
    assert brand.notice is not None and brand.notice.get("nl").startswith("Vertraging in Finland")
    assert brand.links.delivery_faq is not None and brand.links.privacy is not None


def test_the_fingerprint_changes_with_a_logo(brand_file, tmp_path):
    path = brand_file(NAME + '[logo]\nfile = "logo.svg"\nalt = "Ok"\n')
    before = load_brand(path, LANGUAGES).fingerprint
    (tmp_path / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    assert load_brand(path, LANGUAGES).fingerprint != before


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "name: required"),
        (NAME + "colour = 1\n", "colour: unknown key (known: name, accent, accent_dark, logo, links, notice)"),
        (NAME + '[links]\nfaq = "https://x.example/"\n', "links.faq: unknown key"),
        ('name = ""\n', "name: empty"),
        ('name = "' + "x" * 61 + '"\n', "name: 61 characters; at most 60"),
        ('name = "Two\\nlines"\n', "name: one line of plain text"),
        ('[name]\nnl = "Winkel"\n', "name: needs an 'en' entry"),
        ('[name]\nen = "Shop"\nde = "Laden"\n', "name.de: not one of the site's languages (en, nl)"),
        ("name = 3\n", "name: a string, or a table of strings by language code"),
        (NAME + '[links]\ncontact = "http://x.example/"\n', "links.contact: an https:// address (or mailto:)"),
        (NAME + '[links]\ncontact = "javascript:alert(1)"\n', "links.contact: an https:// address"),
        (NAME + '[links]\nreturns = "https://x.example/{order}"\n', "links.returns: {number} is the only placeholder"),
        (NAME + '[links]\nprivacy = "https://x.example/a b"\n', "links.privacy: an address has no spaces"),
        (NAME + '[logo]\nfile = "missing.svg"\nalt = "Ok"\n', "logo.file: no such file"),
        (NAME + '[logo]\nfile = "../logo.svg"\nalt = "Ok"\n', "logo.file: a file name in the brand file's folder"),
        (NAME + '[logo]\nfile = "brand.toml"\nalt = "Ok"\n', "logo.file: a logo is one of .svg, .png"),
        (NAME + '[logo]\nfile = "logo.svg"\n', "logo.alt: required"),
        (NAME + 'accent = "green"\n', "accent: a colour as #rrggbb"),
        (NAME + 'accent_dark = "#ffffff"\n', "accent_dark: needs `accent` as well"),
        ("name = [unclosed\n", "not a TOML file"),
    ],
)
def test_a_mistake_is_refused_naming_its_key(brand_file, text, problem):
    found = problems(brand_file(text))
    assert any(line.startswith(problem) for line in found), found


def test_an_svg_logo_with_a_script_is_refused(brand_file, tmp_path):
    path = brand_file(NAME + '[logo]\nfile = "bad.svg"\nalt = "Ok"\n')
    (tmp_path / "bad.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', encoding="utf-8")
    assert problems(path) == ["logo.file: an SVG logo may not hold scripts, event handlers or foreign objects"]


def test_a_logo_too_heavy_for_a_page_is_refused(brand_file, tmp_path):
    path = brand_file(NAME + '[logo]\nfile = "big.png"\nalt = "Ok"\n')
    (tmp_path / "big.png").write_bytes(b"\0" * 100_001)
    assert problems(path) == ["logo.file: 100001 bytes; at most 100000"]


def test_every_problem_is_named_at_once(brand_file):
    found = problems(brand_file('accent = "#ffff00"\n[links]\ncontact = "http://x.example/"\n'))
    assert [line.split(":")[0] for line in found] == ["name", "links.contact", "accent"]


def test_a_light_accent_that_fails_names_its_ratio_the_background_and_a_shade_that_passes(brand_file):
    (problem,) = problems(brand_file(NAME + 'accent = "#FFCC00"\n'))
    assert problem == (
        "accent: #ffcc00 has 1.41:1 against the light scheme's card and box background #f6f7f9; links and button "
        "text need 4.5:1 (bars 3:1). The nearest shade of it that passes is #8a6e00."
    )
    assert load_brand(brand_file(NAME + 'accent = "#8a6e00"\n'), LANGUAGES).accent is not None


def test_a_dark_accent_that_fails_is_refused_too(brand_file):
    (problem,) = problems(brand_file(NAME + 'accent = "#1f6b4f"\naccent_dark = "#1f6b4f"\n'))
    assert problem.startswith("accent_dark: #1f6b4f has 2.56:1 against the dark scheme's card and box background")


def test_a_passing_pair_is_kept_as_given(brand_file):
    brand = load_brand(brand_file(NAME + 'accent = "#1f6b4f"\naccent_dark = "#7ee2a0"\n'), LANGUAGES)
    assert brand.accent is not None and (brand.accent.light, brand.accent.dark) == ("#1f6b4f", "#7ee2a0")
    assert not brand.accent.dark_derived


def test_the_start_check_reports_each_problem_as_an_error(brand_file):
    brand_file(NAME + 'accent = "#ffcc00"\n[links]\ncontact = "http://x.example/"\n')
    errors = check_brand()
    assert [error.id for error in errors] == ["tracking_site.brand.E001"] * 2
    assert "links.contact" in errors[0].msg and "1.41:1" in errors[1].msg
    assert all(str(django_settings.SITE_BRAND) in error.msg for error in errors)


def test_a_passing_brand_and_no_brand_pass_the_start_check(example_brand, settings):
    assert check_brand() == []
    settings.SITE_BRAND = ""
    assert check_brand() == [] and current_brand() is None


def test_a_gunicorn_worker_refuses_to_start_with_a_broken_brand(brand_file):
    brand_file('accent = "#ffcc00"\n')
    with pytest.raises(ImproperlyConfigured, match=r"name: required(.|\n)*accent: #ffcc00 has 1.41:1"):
        refuse_a_broken_brand()


def test_a_derived_dark_shade_is_said_in_the_log(example_brand, caplog):
    with caplog.at_level(logging.INFO, logger="tracking_site.brand"):
        brand = current_brand()
    assert brand is not None and brand.accent is not None
    assert f"the dark scheme uses {brand.accent.dark}, derived from accent #1f6b4f (4.58:1" in caplog.text


def test_manage_py_stops_with_the_reason(tmp_path):
    """What an operator sees: `migrate` (run by `make run` and every deploy) refuses to go on."""
    (tmp_path / "brand.toml").write_text('name = "Shop"\naccent = "#ffcc00"\n', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        env={**os.environ, "SITE_BRAND": str(tmp_path / "brand.toml"), "DJANGO_SETTINGS_MODULE": "tests.settings"},
        timeout=120,
    )
    assert done.returncode != 0
    assert "(tracking_site.brand.E001)" in done.stderr and "accent: #ffcc00 has 1.41:1" in done.stderr
