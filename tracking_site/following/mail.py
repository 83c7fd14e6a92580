"""Email for followers: the double opt-in, the notifications, and the links every message carries.

Every message has a one-click unsubscribe (RFC 8058: `List-Unsubscribe` with an https link and
`List-Unsubscribe-Post`). Links sign the subscription's random key, never the address; the address appears
only in the To header of the messages themselves, never in a log line.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tracking_site.brand.contact import mail_contact_line
from tracking_site.brand.current import sender_address
from tracking_site.following.messages import ParcelNews, permalink
from tracking_site.following.models import EmailSubscription
from tracking_site.following.policy import FOLLOWING
from tracking_site.following.public_names import name_refusal
from tracking_site.presentation.links import absolute_url
from tracking_site.presentation.status_words import carrier_name

CONFIRM_SALT = "tracking_site.following.confirm"
UNSUBSCRIBE_SALT = "tracking_site.following.unsubscribe"


class UnsendableAddress(ValueError):
    """An address we will not send to; `reason` says why ("invalid", "not_ascii", "not_public")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sendable_address(typed: str) -> str:
    """The address as the mail backend writes it in the envelope; UnsendableAddress when we will not send there.

    That form is what is stored, hashed and limited: the backend folds look-alike letters of the domain (its IDNA
    encoding maps a fullwidth `ｅ` to `e`) and drops needless quotes of the local part, so `bomb@ｅxample.net` and
    `"bomb"@example.net` are the mailbox `bomb@example.net` and must count as it. A local part beyond ASCII
    would go out as an encoded word no mailbox has; a domain must be a public name (public_names.py).
    """
    typed = typed.strip()
    if not typed.rpartition("@")[0].isascii():
        raise UnsendableAddress("not_ascii")
    try:
        sent = sanitize_address(typed, "utf-8")
    except (ValueError, UnicodeError):  # not one address, or a domain IDNA cannot encode
        raise UnsendableAddress("invalid") from None
    local, _at, domain = sent.rpartition("@")
    if not local or name_refusal(domain):
        raise UnsendableAddress("not_public")
    return f"{local}@{domain.lower()}"


def is_sendable(address: str) -> bool:
    """Whether a stored address is one we send to (rows stored before today's checks may not be)."""
    try:
        sendable_address(address)
    except UnsendableAddress:
        return False
    return True


# Where the dots of a local part are not part of the mailbox: v.ictim@gmail.com is victim@gmail.com.
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def mailbox(address: str) -> str:
    """The inbox a sendable address delivers to, as far as we can tell: without its sub-address (`bomb+1@`,
    RFC 5233: the big providers deliver every tag to the one inbox) and, at Gmail, without dots. Without this
    `bomb+1@`, `bomb+2@`... would each have a limit of their own, all in one inbox."""
    local, _at, domain = address.casefold().rpartition("@")
    local = local.split("+", 1)[0] or local
    domain = DOTLESS_DOMAINS.get(domain, domain)
    if domain in DOTLESS_DOMAINS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def address_hash(address: str) -> str:
    """A keyed hash of a sendable address's mailbox: finds a duplicate and keys its limit without storing or
    logging it."""
    key = hashlib.sha256(f"following-address:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, mailbox(address).encode(), hashlib.sha256).hexdigest()


def confirm_token(subscription: EmailSubscription) -> str:
    return signing.dumps(str(subscription.key), salt=CONFIRM_SALT)


def unsubscribe_token(subscription: EmailSubscription) -> str:
    return signing.dumps(str(subscription.key), salt=UNSUBSCRIBE_SALT)


def key_from_confirm_token(token: str) -> uuid.UUID | None:
    """The subscription key a confirm link names, None when forged, mangled or older than the confirm window."""
    try:
        return uuid.UUID(
            signing.loads(token, salt=CONFIRM_SALT, max_age=timedelta(hours=FOLLOWING.current().confirm_hours))
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None


def key_from_unsubscribe_token(token: str) -> uuid.UUID | None:
    """The subscription key an unsubscribe link names (these links never expire), None when forged."""
    try:
        return uuid.UUID(signing.loads(token, salt=UNSUBSCRIBE_SALT))
    except (signing.BadSignature, ValueError, TypeError):
        return None


def confirm_url(subscription: EmailSubscription) -> str:
    return absolute_url(reverse("follow_email_confirm", args=[confirm_token(subscription)]))


def unsubscribe_url(subscription: EmailSubscription) -> str:
    return absolute_url(reverse("follow_email_unsubscribe", args=[unsubscribe_token(subscription)]))


def kept_until(subscription: EmailSubscription) -> datetime:
    """When a confirmed address is deleted: 60 days after it followed, 7 days after following ended if sooner."""
    latest = subscription.created_at + timedelta(days=FOLLOWING.current().keep_days_at_most)
    finished = subscription.parcel.finished_at
    if finished is not None:
        latest = min(latest, finished + timedelta(days=FOLLOWING.current().keep_days_after_delivery))
    return latest


def _message(subscription: EmailSubscription, subject: str, template: str, context: dict[str, object]) -> EmailMessage:
    unsubscribe = unsubscribe_url(subscription)
    body = render_to_string(template, {**context, "unsubscribe_url": unsubscribe, "keep_days": keep_days()})
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=sender_address(settings.DEFAULT_FROM_EMAIL),
        to=[subscription.address],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )


def keep_days() -> dict[str, int]:
    return {
        "after_delivery": FOLLOWING.current().keep_days_after_delivery,
        "at_most": FOLLOWING.current().keep_days_at_most,
        "confirm_hours": FOLLOWING.current().confirm_hours,
    }


def confirmation_message(subscription: EmailSubscription) -> EmailMessage:
    """The double opt-in: nothing but this one message goes to an address until its link is followed."""
    parcel = subscription.parcel
    with translation.override(subscription.language):
        names = {"carrier": carrier_name(parcel.carrier), "number": parcel.number}
        subject = _("Confirm: follow %(carrier)s parcel %(number)s") % names
        return _message(
            subscription,
            subject,
            "following/email/confirm.txt",
            {**names, "confirm_url": confirm_url(subscription), "permalink": permalink(parcel.carrier, parcel.number)},
        )


def notification_message(subscription: EmailSubscription, news: ParcelNews) -> EmailMessage:
    """A change of the parcel: its status in words, the arrival answer, the permalink."""
    with translation.override(subscription.language):
        contact = mail_contact_line(subscription.parcel.number, subscription.language)
        return _message(
            subscription, news.subject, "following/email/notification.txt", {"news": news, "contact": contact}
        )


def send(message: EmailMessage) -> None:
    """Send through Django's configured backend (EMAIL_TIMEOUT bounds a hanging server)."""
    with get_connection() as connection:
        connection.send_messages([message])
