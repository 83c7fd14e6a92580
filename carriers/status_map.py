"""One shape for every carrier's status table: its event codes first, then words in its text.

Each carrier module ends with its `STATUS_MAP`: the codes it publishes (or we have seen) and the phrases that say
a status in its text, first match winning. Codes are strings whatever JSON type they came as ("600", "22",
"DELIVERED"); words are matched case-insensitively on whole words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .model import Status


def phrases(*alternatives: str) -> re.Pattern[str]:
    """A pattern matching any of the phrases as whole words, whatever their case and spacing."""
    body = "|".join(r"\s+".join(map(re.escape, phrase.split())) for phrase in alternatives)
    return re.compile(rf"\b(?:{body})\b", re.IGNORECASE)


@dataclass(frozen=True)
class StatusMap:
    """Code → status, then words → status. `refined_by_words`: statuses of codes so generic (DHL's "moving
    through the network" codes) that words naming something more specific win over them."""

    codes: Mapping[str, Status]
    words: tuple[tuple[re.Pattern[str], Status], ...] = ()
    refined_by_words: frozenset[Status] = field(default_factory=frozenset)

    def knows(self, code: str) -> bool:
        return normal_code(code) in self.codes

    def status(
        self, code: str, texts: Iterable[str] = (), *, extra_codes: Mapping[str, Status] | None = None
    ) -> Status:
        """The status of an event with this code and text: our table, then `extra_codes`, then the words."""
        key = normal_code(code)
        by_code = self.codes.get(key)
        if by_code is None and extra_codes:
            by_code = extra_codes.get(key)
        if by_code is not None and by_code not in self.refined_by_words:
            return by_code
        by_words = self.status_from_words(texts)
        return by_words or by_code or Status.UNKNOWN

    def status_from_words(self, texts: Iterable[str]) -> Status | None:
        """The status the first of `texts` that says one says, or None."""
        for text in texts:
            for pattern, status in self.words:
                if text and pattern.search(text):
                    return status
        return None


def normal_code(code: str) -> str:
    return code.strip().upper()
