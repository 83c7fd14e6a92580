"""Reading our .po catalogues in tests: enough of the format for the files makemessages writes, nothing more."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
# English is the source language: its words are the msgids, it has no catalogue.
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
FIELD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$')


@dataclass(frozen=True)
class Entry:
    """One entry: its English forms (msgid, and msgid_plural for counts) and its translations, one per plural form."""

    context: str
    english: tuple[str, ...]
    translations: tuple[str, ...]
    flags: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return bool(self.translations) and all(self.translations)

    @property
    def kept_as_english(self) -> bool:
        """Translated to itself on purpose ("Malta", a date format the language writes as English does)."""
        return self.complete and all(text in self.english for text in self.translations)


def catalogue_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def header(text: str) -> str:
    """The header entry's msgstr (Plural-Forms and the others), joined."""
    block = text.split("\n\n", 1)[0]
    return "".join(line[1:-1] for line in block.splitlines() if line.startswith('"')).replace("\\n", "\n")


def entries(text: str) -> list[Entry]:
    """Every entry of a catalogue's text but its header (and but obsolete `#~` ones)."""
    found = []
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        flags: tuple[str, ...] = ()
        key = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                flags = tuple(flag.strip() for flag in line[2:].split(","))
            if line.startswith("#"):
                continue
            if match := FIELD.match(line):
                key = match.group(1)
                fields[key] = match.group(2)
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        if not fields.get("msgid"):
            continue
        english = tuple(unquote(fields[name]) for name in ("msgid", "msgid_plural") if name in fields)
        forms = sorted((name for name in fields if name.startswith("msgstr")), key=lambda name: (len(name), name))
        translations = tuple(unquote(fields[form]) for form in forms)
        found.append(Entry(unquote(fields.get("msgctxt", "")), english, translations, flags))
    return found


def catalogue(language: str) -> list[Entry]:
    return entries(catalogue_path(language).read_text(encoding="utf-8"))


def unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda match: {"n": "\n", "t": "\t"}.get(match.group(1), match.group(1)), text)
