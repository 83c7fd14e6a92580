"""The search form: turns the search box into validated, normalized tracking numbers."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from carriers.base import InvalidNumber
from carriers.detect import MAX_NUMBERS_PER_SEARCH, normalize_number
from carriers.registry import CARRIER_NAMES
from carriers.search_text import search_entries

# The search box takes 25 numbers of 40 characters with separators; anything longer is not a search.
MAX_QUERY_LENGTH = 2000
AUTO = "auto"


def carrier_choices(enabled: list[str]) -> list[tuple[str, str]]:
    return [(AUTO, _("Detect automatically"))] + [(slug, CARRIER_NAMES[slug]) for slug in enabled]


def shown(raw: str) -> str:
    """A short, safe-to-echo form of a rejected input (templates escape it; this keeps it short)."""
    return raw if len(raw) <= 24 else raw[:20] + "…"


@dataclass(frozen=True)
class RejectedEntry:
    """Something typed that is not a tracking number, and why (in the visitor's language)."""

    shown: str
    reason: str


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tracking numbers"),
        max_length=MAX_QUERY_LENGTH,
        widget=forms.Textarea(
            attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false", "enterkeyhint": "search"}
        ),
        help_text=format_lazy(
            _("One or more, separated by spaces, commas or new lines (up to {limit})."), limit=MAX_NUMBERS_PER_SEARCH
        ),
        error_messages={
            "required": _("Type at least one tracking number."),
            "max_length": ngettext_lazy(
                "That is too long for a search: at most %(limit_value)d character.",
                "That is too long for a search: at most %(limit_value)d characters.",
                "limit_value",
            ),
        },
    )
    carrier = forms.ChoiceField(label=_("Carrier"), required=False)

    def __init__(self, *args: object, enabled_carriers: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = carrier_choices(enabled_carriers)
        self.fields["carrier"].initial = AUTO
        # Entries that are not tracking numbers: the valid ones are tracked all the same, these are named.
        self.rejected: list[RejectedEntry] = []

    def clean_q(self) -> list[str]:
        """The valid numbers, normalized and without repeats; invalid entries go to `rejected`.

        The text is read as people paste numbers (`carriers.detect.search_entries`: grouped numbers joined, labels
        and punctuation around a number dropped). Only a search with no valid number at all is an error.
        """
        parts = search_entries(self.cleaned_data["q"])
        if not parts:
            raise forms.ValidationError(gettext("Type at least one tracking number."), code="required")
        if len(parts) > MAX_NUMBERS_PER_SEARCH:
            raise forms.ValidationError(
                ngettext(
                    "Search at most %(limit)d number at a time (you typed %(count)d).",
                    "Search at most %(limit)d numbers at a time (you typed %(count)d).",
                    MAX_NUMBERS_PER_SEARCH,
                ),
                code="too_many",
                params={"limit": MAX_NUMBERS_PER_SEARCH, "count": len(parts)},
            )
        numbers: list[str] = []
        rejected: list[RejectedEntry] = []
        for part in parts:
            try:
                numbers.append(normalize_number(part))
            except InvalidNumber as exc:
                rejected.append(RejectedEntry(shown(part), gettext(str(exc))))
        if rejected and not numbers:
            raise forms.ValidationError(
                ngettext(
                    "This is not a tracking number: %(rejected)s. A tracking number has 5 to 40 letters, "
                    "digits or hyphens.",
                    "These are not tracking numbers: %(rejected)s. A tracking number has 5 to 40 letters, "
                    "digits or hyphens.",
                    len(rejected),
                ),
                code="invalid_number",
                params={"rejected": ", ".join(entry.shown for entry in rejected)},
            )
        self.rejected = rejected
        return list(dict.fromkeys(numbers))

    def clean_carrier(self) -> str | None:
        value = self.cleaned_data.get("carrier") or AUTO
        return None if value == AUTO else value
