"""The staff console's search forms: each turns its fields into the arguments of one carrier search."""

from __future__ import annotations

import re
from datetime import timedelta

from django import forms
from django.utils.functional import Promise, lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from carriers.base import InvalidNumber
from carriers.detect import split_numbers
from carriers.dhl_ecommerce import MAX_PICKUP_SEARCH_DAYS
from carriers.nzpost import validated_partial_reference
from carriers.postplus import MAX_NUMBERS_PER_CALL

# Identifiers staff type in: letters, digits and the punctuation carriers use in ids; nothing for a URL to trip on.
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
IDENTIFIER_HELP = _("Letters, digits, '-', '_' or '.', at most 64.")


def _days_after_start(days: int) -> str:
    return ngettext("At most %(days)d day after the start.", "At most %(days)d days after the start.", days) % {
        "days": days
    }


class DateInput(forms.DateInput):
    input_type = "date"


def check_identifier(value: str, refusal: Promise) -> str:
    """The identifier without its spaces; `refusal` ("That is not a manifest id.") when it is not one."""
    value = value.strip()
    if value and not IDENTIFIER.fullmatch(value):
        raise forms.ValidationError(f"{refusal} {IDENTIFIER_HELP}", code="invalid")
    return value


class ManifestSearchForm(forms.Form):
    manifest_id = forms.CharField(label=_("Manifest id"), max_length=64)

    def clean_manifest_id(self) -> str:
        return check_identifier(self.cleaned_data["manifest_id"], _("That is not a manifest id."))


class PickupSearchForm(forms.Form):
    pickup = forms.CharField(label=_("Pickup number"), max_length=20)
    # Translators: the first day of a date range ("From" ... "To").
    start_date = forms.DateField(label=_("From"), widget=DateInput())
    end_date = forms.DateField(
        # Translators: the last day of a date range ("From" ... "To").
        label=_("To"),
        widget=DateInput(),
        help_text=lazy(lambda: _days_after_start(MAX_PICKUP_SEARCH_DAYS), str)(),
    )
    city = forms.CharField(label=_("City"), required=False, max_length=64)
    # Translators: a state of the United States (DHL eCommerce's pickups).
    state = forms.CharField(label=_("State"), required=False, max_length=64)
    country = forms.CharField(label=_("Country"), required=False, max_length=2, help_text=_("Two letters, e.g. US."))
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=16)
    ordered_product_id = forms.CharField(label=_("Ordered product id"), required=False, max_length=64)

    def clean_pickup(self) -> str:
        return check_identifier(self.cleaned_data["pickup"], _("That is not a pickup number."))

    def clean_country(self) -> str:
        country = self.cleaned_data["country"].strip().upper()
        if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
            raise forms.ValidationError(gettext("A country is two letters, e.g. US."), code="invalid")
        return country

    def clean_postal_code(self) -> str:
        return check_identifier(self.cleaned_data["postal_code"], _("That is not a postal code."))

    def clean_ordered_product_id(self) -> str:
        return check_identifier(self.cleaned_data["ordered_product_id"], _("That is not a product id."))

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end:
            if end < start:
                self.add_error("end_date", gettext("The end date is before the start date."))
            elif end > start + timedelta(days=MAX_PICKUP_SEARCH_DAYS):
                days = MAX_PICKUP_SEARCH_DAYS
                self.add_error(
                    "end_date",
                    ngettext(
                        "The end date must be within %(days)d day of the start.",
                        "The end date must be within %(days)d days of the start.",
                        days,
                    )
                    % {"days": days},
                )
        return cleaned


class PartialReferenceForm(forms.Form):
    partial_reference = forms.CharField(label=_("Part of a reference"), max_length=40)

    def clean_partial_reference(self) -> str:
        try:
            return validated_partial_reference(self.cleaned_data["partial_reference"])
        except InvalidNumber as exc:
            raise forms.ValidationError(gettext(str(exc)), code="invalid") from None


class SenderNumbersForm(forms.Form):
    sender_numbers = forms.CharField(
        label=_("Sender parcel numbers"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text=format_lazy(
            _("The shop's own references, separated by spaces, commas or lines (up to {limit})."),
            limit=MAX_NUMBERS_PER_CALL,
        ),
    )

    def clean_sender_numbers(self) -> list[str]:
        numbers = list(dict.fromkeys(split_numbers(self.cleaned_data["sender_numbers"])))
        if not numbers:
            raise forms.ValidationError(gettext("Type at least one sender parcel number."), code="required")
        if len(numbers) > MAX_NUMBERS_PER_CALL:
            raise forms.ValidationError(
                ngettext(
                    "At most %(limit)d sender parcel number at a time (you typed %(count)d).",
                    "At most %(limit)d sender parcel numbers at a time (you typed %(count)d).",
                    MAX_NUMBERS_PER_CALL,
                )
                % {"limit": MAX_NUMBERS_PER_CALL, "count": len(numbers)},
                code="too_many",
            )
        bad = [number for number in numbers if not IDENTIFIER.fullmatch(number)]
        if bad:
            refusal = ngettext(
                "%(count)d of these is not a sender parcel number.",
                "%(count)d of these are not sender parcel numbers.",
                len(bad),
            ) % {"count": len(bad)}
            raise forms.ValidationError(f"{refusal} {IDENTIFIER_HELP}", code="invalid")
        return numbers
