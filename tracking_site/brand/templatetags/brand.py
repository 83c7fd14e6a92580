"""`{% load brand %}`: the operator's links with the page's tracking number, and the block that reaches them."""

from __future__ import annotations

from django import template
from django.template import Context
from django.utils.translation import get_language

from tracking_site.brand.contact import NEEDS_SOMEONE, SenderContact, sender_contact
from tracking_site.brand.model import with_number as fill_number
from tracking_site.brand.pages import PageLink

register = template.Library()


@register.simple_tag(takes_context=True)
def link_url(context: Context, link: PageLink) -> str:
    """`{% link_url link %}`: the `{number}` placeholder filled with the page's parcel (its `number`), emptied on
    a page of no parcel."""
    number = context.get("number")
    return fill_number(link.url, number if isinstance(number, str) else "")


@register.inclusion_tag("brand/_reach_sender.html")
def reach_sender(number: str, why: str = NEEDS_SOMEONE) -> dict[str, SenderContact | None]:
    """The operator's contact and returns links for a parcel; renders nothing without them."""
    return {"sender": sender_contact(number, get_language() or "en", why)}
