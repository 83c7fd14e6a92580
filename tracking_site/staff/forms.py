"""The staff console's search forms: each turns its fields into the arguments of one carrier search."""

from __future__ import annotations

import re
from datetime import timedelta

from django import forms

from carriers.base import InvalidNumber
from carriers.detect import split_numbers
from carriers.dhl_ecommerce import MAX_PICKUP_SEARCH_DAYS
from carriers.nzpost import validated_partial_reference
from carriers.postplus import MAX_NUMBERS_PER_CALL

# Identifiers staff type in: letters, digits and the punctuation carriers use in ids; nothing for a URL to trip on.
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
IDENTIFIER_HELP = "Letters, digits, '-', '_' or '.', at most 64."


class DateInput(forms.DateInput):
    input_type = "date"


def check_identifier(value: str, label: str) -> str:
    value = value.strip()
    if value and not IDENTIFIER.fullmatch(value):
        raise forms.ValidationError(f"That is not a {label}. {IDENTIFIER_HELP}", code="invalid")
    return value


class ManifestSearchForm(forms.Form):
    manifest_id = forms.CharField(label="Manifest id", max_length=64)

    def clean_manifest_id(self) -> str:
        return check_identifier(self.cleaned_data["manifest_id"], "manifest id")


class PickupSearchForm(forms.Form):
    pickup = forms.CharField(label="Pickup number", max_length=20)
    start_date = forms.DateField(label="From", widget=DateInput())
    end_date = forms.DateField(
        label="To", widget=DateInput(), help_text=f"At most {MAX_PICKUP_SEARCH_DAYS} days after the start."
    )
    city = forms.CharField(label="City", required=False, max_length=64)
    state = forms.CharField(label="State", required=False, max_length=64)
    country = forms.CharField(label="Country", required=False, max_length=2, help_text="Two letters, e.g. US.")
    postal_code = forms.CharField(label="Postal code", required=False, max_length=16)
    ordered_product_id = forms.CharField(label="Ordered product id", required=False, max_length=64)

    def clean_pickup(self) -> str:
        return check_identifier(self.cleaned_data["pickup"], "pickup number")

    def clean_country(self) -> str:
        country = self.cleaned_data["country"].strip().upper()
        if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
            raise forms.ValidationError("A country is two letters, e.g. US.", code="invalid")
        return country

    def clean_postal_code(self) -> str:
        return check_identifier(self.cleaned_data["postal_code"], "postal code")

    def clean_ordered_product_id(self) -> str:
        return check_identifier(self.cleaned_data["ordered_product_id"], "product id")

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end:
            if end < start:
                self.add_error("end_date", "The end date is before the start date.")
            elif end > start + timedelta(days=MAX_PICKUP_SEARCH_DAYS):
                self.add_error("end_date", f"The end date must be within {MAX_PICKUP_SEARCH_DAYS} days of the start.")
        return cleaned


class PartialReferenceForm(forms.Form):
    partial_reference = forms.CharField(label="Part of a reference", max_length=40)

    def clean_partial_reference(self) -> str:
        try:
            return validated_partial_reference(self.cleaned_data["partial_reference"])
        except InvalidNumber as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


class SenderNumbersForm(forms.Form):
    sender_numbers = forms.CharField(
        label="Sender parcel numbers",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text=f"The shop's own references, separated by spaces, commas or lines (up to {MAX_NUMBERS_PER_CALL}).",
    )

    def clean_sender_numbers(self) -> list[str]:
        numbers = list(dict.fromkeys(split_numbers(self.cleaned_data["sender_numbers"])))
        if not numbers:
            raise forms.ValidationError("Type at least one sender parcel number.", code="required")
        if len(numbers) > MAX_NUMBERS_PER_CALL:
            raise forms.ValidationError(
                f"At most {MAX_NUMBERS_PER_CALL} sender parcel numbers at a time (you typed {len(numbers)}).",
                code="too_many",
            )
        bad = [number for number in numbers if not IDENTIFIER.fullmatch(number)]
        if bad:
            raise forms.ValidationError(
                f"{len(bad)} of these are not sender parcel numbers. {IDENTIFIER_HELP}", code="invalid"
            )
        return numbers
