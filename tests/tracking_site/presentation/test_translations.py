"""The catalogues: Dutch is complete, and the committed .mo files match their .po sources."""

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"


def po_entries(path: Path) -> list[tuple[str, list[str]]]:
    return po_entries_from_text(path.read_text(encoding="utf-8"))


def po_entries_from_text(text: str) -> list[tuple[str, list[str]]]:
    """(msgid, [msgstr...]) for each entry of a .po file, header excluded (enough of the format for our files)."""
    entries = []
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                fields[key] = match.group(2)
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        if fields.get("msgid"):
            strings = [value for name, value in sorted(fields.items()) if name.startswith("msgstr")]
            entries.append((unquote(fields["msgid"]), [unquote(value) for value in strings]))
    return entries


def unquote(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def test_languages_are_english_and_dutch():
    assert [code for code, _ in settings.LANGUAGES] == ["en", "nl"]


def test_dutch_catalogue_translates_every_string_and_has_no_fuzzy_entries():
    po = LOCALE / "nl" / "LC_MESSAGES" / "django.po"
    entries = po_entries(po)
    assert len(entries) > 50
    untranslated = [msgid for msgid, strings in entries if not all(strings)]
    assert untranslated == []
    assert "#, fuzzy" not in po.read_text(encoding="utf-8")


@pytest.mark.parametrize("language", ["en", "nl"])
def test_compiled_catalogue_matches_its_source(language):
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for msgid, strings in po_entries(folder / "django.po"):
        if not strings[0]:
            continue  # untranslated English entries fall back to the msgid
        assert compiled.gettext(msgid) == strings[0] or compiled.ngettext(msgid, "", 1) == strings[0], msgid


def test_placeholders_survive_translation():
    for msgid, strings in po_entries(LOCALE / "nl" / "LC_MESSAGES" / "django.po"):
        wanted = sorted(re.findall(r"%\(\w+\)[sd]|\{\w+\}", msgid))
        for translated in strings:
            assert sorted(re.findall(r"%\(\w+\)[sd]|\{\w+\}", translated)) == wanted, msgid


def test_catalogue_holds_every_string_the_code_and_templates_ask_for(tmp_path):
    """makemessages over a copy of the project adds nothing untranslated: no new string slipped past Dutch."""
    base = Path(settings.BASE_DIR)
    for folder in ("tracking_site", "carriers", "templates", "locale"):
        shutil.copytree(base / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(base / "manage.py", tmp_path / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "nl", "--no-obsolete"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path), "DJANGO_SETTINGS_MODULE": "tracking_site.settings"},
        timeout=120,
    )
    regenerated = (tmp_path / "locale" / "nl" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in regenerated
    untranslated = [msgid for msgid, strings in po_entries_from_text(regenerated) if not all(strings)]
    assert untranslated == []
