"""Reaching the sender: where a customer needs someone, the operator's contact and returns links come first
(before the carrier's), with the tracking number filled in and a sentence saying what to include.

The operator sent the parcel, knows the order and can ask the carrier on the customer's behalf; the carrier
knows neither the customer nor the order. None without a brand, or a brand with neither link.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tracking_site.brand.current import current_brand
from tracking_site.brand.model import with_number
from tracking_site.brand.pages import FOOTER_LINKS, PageLink

# Why the customer is here decides the first sentence.
NEEDS_SOMEONE, NOT_FOUND = "needs_someone", "not_found"
LEADS: dict[str, Promise] = {
    NEEDS_SOMEONE: _("Ask %(name)s first: they sent the parcel and can ask the carrier for you."),
    NOT_FOUND: _("Still not found a few days after %(name)s sent it? Ask them: they can check the number."),
}
INCLUDE = _("Tell them the tracking number, %(number)s, and your order number.")
MAIL_CONTACT = _("Questions about this parcel? Ask %(name)s: %(url)s")


@dataclass(frozen=True)
class SenderContact:
    lead: str
    links: tuple[PageLink, ...]  # contact, then returns; the number filled in
    include: str


def sender_contact(number: str, language: str, why: str = NEEDS_SOMEONE) -> SenderContact | None:
    """The operator's contact and returns links for the parcel `number`, worded in the active language."""
    brand = current_brand()
    if brand is None:
        return None
    name = brand.name.get(language)
    links = tuple(
        PageLink(str(FOOTER_LINKS[key]) % {"name": name}, with_number(url.get(language), number))
        for key in ("contact", "returns")
        if (url := getattr(brand.links, key)) is not None
    )
    if not links:
        return None
    return SenderContact(str(LEADS[why]) % {"name": name}, links, str(INCLUDE) % {"number": number})


def mail_contact_line(number: str, language: str) -> str:
    """A notification email's line with the operator's contact link; "" without one."""
    brand = current_brand()
    if brand is None or brand.links.contact is None:
        return ""
    url = with_number(brand.links.contact.get(language), number)
    return str(MAIL_CONTACT) % {"name": brand.name.get(language), "url": url}
