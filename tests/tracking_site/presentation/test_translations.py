"""The catalogues: each language complete after makemessages, with its own plural forms and working date formats,
placeholders kept, and the committed .mo files what their .po sources say (locale/TRANSLATING.md)."""

import gettext
import os
import re
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import dateformat, translation

from tests.tracking_site.catalogues import LOCALE, PLACEHOLDER, TRANSLATED, catalogue, catalogue_path, entries, header
from tracking_site.presentation import local_times

# How many forms a count takes in each language, and which form a few counts take (CLDR's integer rules as GNU
# gettext writes them). Lithuanian has three: Django's own catalogue has a fourth for fractions we never count.
PLURALS = {
    "nl": (2, {0: 1, 1: 0, 2: 1, 21: 1}),
    "et": (2, {0: 1, 1: 0, 2: 1, 21: 1}),
    "fi": (2, {0: 1, 1: 0, 2: 1, 21: 1}),
    "sv": (2, {0: 1, 1: 0, 2: 1, 21: 1}),
    "lv": (3, {0: 2, 1: 0, 2: 1, 11: 1, 21: 0, 111: 1}),
    "lt": (3, {0: 2, 1: 0, 2: 1, 9: 1, 10: 2, 11: 2, 12: 2, 21: 0, 22: 1, 111: 2}),
    "es": (3, {0: 2, 1: 0, 2: 2, 1_000_000: 1}),
}
# The date-format letters our formats may use (locale/TRANSLATING.md); any other letter must be escaped.
DATE_LETTERS = set("lDjFEbMNnmdYyHGi")
DATE_CONTEXTS = ("date format", "date format in a sentence")


def test_the_site_speaks_english_dutch_and_the_languages_of_its_carriers_customers():
    assert [code for code, _name in settings.LANGUAGES] == ["en", "nl", "et", "lv", "lt", "fi", "sv", "es"]
    assert sorted(path.name for path in LOCALE.iterdir() if path.is_dir()) == sorted(TRANSLATED)


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalogue_counts_in_its_languages_plural_forms(language):
    forms, samples = PLURALS[language]
    found = header(catalogue_path(language).read_text(encoding="utf-8"))
    plural_forms = re.search(r"Plural-Forms: nplurals=(\d+); plural=(.+);", found)
    assert plural_forms is not None
    assert int(plural_forms.group(1)) == forms
    choose = gettext.c2py(plural_forms.group(2))
    assert {count: choose(count) for count in samples} == samples
    counted = [entry for entry in catalogue(language) if len(entry.english) == 2]
    assert counted and all(len(entry.translations) == forms for entry in counted)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> dict[str, str]:
    """Every catalogue as makemessages leaves it after reading the code and templates (a copy of the project)."""
    base, copy = Path(settings.BASE_DIR), tmp_path_factory.mktemp("project")
    for folder in ("tracking_site", "carriers", "templates", "locale"):
        shutil.copytree(base / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(base / "manage.py", copy / "manage.py")
    subprocess.run(  # the same command as `make messages`
        [sys.executable, "manage.py", "makemessages", "--all", "--no-obsolete", "--add-location", "file"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(copy), "DJANGO_SETTINGS_MODULE": "tracking_site.settings"},
        timeout=300,
    )
    return {
        language: (copy / "locale" / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
        for language in TRANSLATED
    }


@pytest.mark.parametrize("language", TRANSLATED)
def test_makemessages_leaves_no_empty_or_fuzzy_entry(regenerated, language):
    """Every string the code and templates ask for is translated, in every plural form, and none is a guess."""
    found = entries(regenerated[language])
    assert len(found) > 300
    assert [entry.english[0] for entry in found if "fuzzy" in entry.flags] == []
    assert [entry.english[0] for entry in found if not entry.complete] == []
    assert "#, fuzzy" not in regenerated[language]  # nor the header (msgfmt would drop its plural forms)


@pytest.mark.parametrize("language", TRANSLATED)
def test_compiled_catalogue_matches_its_source(language):
    with (catalogue_path(language).with_suffix(".mo")).open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    for entry in catalogue(language):
        if not entry.complete:
            continue  # an untranslated entry falls back to English either way
        key = f"{entry.context}\x04{entry.english[0]}" if entry.context else entry.english[0]
        if len(entry.english) == 2:
            assert [compiled.get((key, form)) for form in range(len(entry.translations))] == list(entry.translations)
        else:
            assert compiled.get(key) == entry.translations[0], entry.english[0]


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_survive_translation(language):
    for entry in catalogue(language):
        wanted = sorted(set(PLACEHOLDER.findall(" ".join(entry.english))))
        for translated in filter(None, entry.translations):
            assert sorted(set(PLACEHOLDER.findall(translated))) == wanted, entry.english[0]


@pytest.mark.parametrize("language", TRANSLATED)
def test_date_formats_use_date_letters_and_escape_every_other_letter(language):
    """A word in a format ("de", "klo") is written with a backslash before each letter, or Django reads it as a
    date letter; a translated format still shows the day (or the time) it formats."""
    formats = [entry for entry in catalogue(language) if entry.context in DATE_CONTEXTS and entry.complete]
    for entry in formats:
        letters = {char for char in re.sub(r"\\.", "", entry.translations[0]) if char.isascii() and char.isalpha()}
        assert letters <= DATE_LETTERS, (entry.english[0], letters - DATE_LETTERS)
    moment = datetime(2026, 12, 10, 14, 31)
    with translation.override(language):
        for shown in (local_times.DAY_FORMAT, local_times.SENTENCE_DAY_FORMAT, local_times.RANGE_START_FORMAT):
            assert "10" in dateformat.format(date(2026, 12, 10), shown)
        assert "14" in dateformat.format(moment, local_times.TIME_FORMAT)
        assert "31" in dateformat.format(moment, local_times.TIME_FORMAT)
