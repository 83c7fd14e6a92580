"""Our words for statuses and carriers, in the visitor's language: the one status-label table of the site.

carriers/ knows nothing of Django or languages; carrier descriptions are shown as the carrier wrote them.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from carriers.model import Status
from carriers.registry import CARRIER_NAMES

STATUS_LABELS: dict[Status, Promise] = {
    Status.INFO_RECEIVED: _("Information received"),
    Status.IN_TRANSIT: _("In transit"),
    Status.OUT_FOR_DELIVERY: _("Out for delivery"),
    Status.AWAITING_PICKUP: _("Awaiting pickup"),
    Status.DELIVERED: _("Delivered"),
    Status.DELIVERY_FAILED: _("Delivery attempt failed"),
    Status.EXCEPTION: _("Exception"),
    Status.RETURNED: _("Returned to sender"),
    Status.UNKNOWN: _("Status unknown"),
}


def status_label(status: Status | str) -> str:
    """The status in words, in the visitor's language."""
    try:
        return str(STATUS_LABELS[Status(status)])
    except ValueError:
        return str(STATUS_LABELS[Status.UNKNOWN])


def carrier_name(slug: str) -> str:
    """The carrier's name as its client spells it; the slug itself for a carrier we do not know."""
    return CARRIER_NAMES.get(slug, slug)
