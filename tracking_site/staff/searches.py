"""The staff console's searches: which carrier call each one makes, and how failures read."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from carriers.base import UNEXPECTED_SHAPE, CarrierClient, CarrierUnavailable
from carriers.detect import DHL_ECOMMERCE, NZPOST, POSTPLUS
from carriers.dhl_ecommerce import DhlEcommerceClient
from carriers.model import FailureReason, Parcel
from carriers.nzpost import NzPostClient
from carriers.postplus import PostPlusClient
from tracking_site.lookup.clients import get_carriers
from tracking_site.postplus_feed.store import postplus_api
from tracking_site.presentation.failures import FAILURES, failure_text
from tracking_site.presentation.status_words import carrier_name
from tracking_site.staff.forms import ManifestSearchForm, PartialReferenceForm, PickupSearchForm, SenderNumbersForm

logger = logging.getLogger("tracking_site.staff")


@dataclass(frozen=True)
class StaffResult:
    """One parcel found; `asked` is the reference staff typed when it differs from the tracking number."""

    parcel: Parcel
    asked: str = ""


@dataclass(frozen=True)
class SearchOutcome:
    results: tuple[StaffResult, ...] = ()
    failure: str = ""
    http_status: int = 200


@dataclass(frozen=True)
class Search:
    """A staff search: its form, the carrier it asks, and the call that runs it."""

    slug: str
    title: Promise
    description: Promise
    form: type[forms.Form]
    carrier: str
    run: Callable[[Any, Mapping[str, Any]], list[StaffResult]]


def _manifest(client: DhlEcommerceClient, data: Mapping[str, Any]) -> list[StaffResult]:
    return [StaffResult(parcel) for parcel in client.search_manifest(data["manifest_id"])]


def _pickup(client: DhlEcommerceClient, data: Mapping[str, Any]) -> list[StaffResult]:
    parcels = client.search_pickup(
        data["pickup"],
        data["start_date"],
        data["end_date"],
        city=data["city"],
        state=data["state"],
        country=data["country"],
        postal_code=data["postal_code"],
        ordered_product_id=data["ordered_product_id"],
    )
    return [StaffResult(parcel) for parcel in parcels]


def _partial(client: NzPostClient, data: Mapping[str, Any]) -> list[StaffResult]:
    return [StaffResult(parcel) for parcel in client.search_partial(data["partial_reference"])]


def _sender_numbers(client: PostPlusClient, data: Mapping[str, Any]) -> list[StaffResult]:
    found = client.fetch_by_sender_numbers(data["sender_numbers"])
    return [StaffResult(found[number], asked=number) for number in data["sender_numbers"] if number in found]


SEARCHES: dict[str, Search] = {
    search.slug: search
    for search in (
        Search(
            "dhl-manifest",
            _("DHL eCommerce: a manifest"),
            _("Every package of one manifest, all pages."),
            ManifestSearchForm,
            DHL_ECOMMERCE,
            _manifest,
        ),
        Search(
            "dhl-pickup",
            _("DHL eCommerce: a pickup and dates"),
            _("Every package of one pickup shipped between two dates at most a week apart, all pages."),
            PickupSearchForm,
            DHL_ECOMMERCE,
            _pickup,
        ),
        Search(
            "nzpost-partial",
            _("NZ Post: part of a reference"),
            _("Parcels whose reference contains what you type (4 to 40 letters and digits)."),
            PartialReferenceForm,
            NZPOST,
            _partial,
        ),
        Search(
            "postplus-sender",
            _("PostPlus: the shop's own references"),
            _("Parcels by the sender's parcel numbers (the shop's order references)."),
            SenderNumbersForm,
            POSTPLUS,
            _sender_numbers,
        ),
    )
}


def carrier_api(slug: str) -> CarrierClient | None:
    """The API client of an enabled carrier; PostPlus's searches need the PostPlus client itself."""
    client = get_carriers().get(slug)
    return postplus_api(client) if slug == POSTPLUS else client


def run_search(search: Search, data: Mapping[str, Any]) -> SearchOutcome:
    """The search's parcels, or a message for staff; never an exception."""
    client = carrier_api(search.carrier)
    if client is None:
        return SearchOutcome(
            failure=gettext("%(carrier)s is not switched on for this site.") % {"carrier": carrier_name(search.carrier)}
        )
    try:
        results = search.run(client, data)
    except CarrierUnavailable as exc:
        return SearchOutcome(failure=failure_text(search.carrier, exc.reason), http_status=_status(exc.reason))
    except UNEXPECTED_SHAPE as exc:
        logger.error("staff_search=%s outcome=unexpected_shape error=%s", search.slug, type(exc).__name__)
        reason = FailureReason.BAD_RESPONSE
        return SearchOutcome(failure=failure_text(search.carrier, reason), http_status=_status(reason))
    logger.info("staff_search=%s results=%d", search.slug, len(results))
    return SearchOutcome(results=tuple(results))


def _status(reason: FailureReason) -> int:
    return FAILURES[reason].http_status
