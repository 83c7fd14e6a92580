"""Confirmation emails: when a sign-up's goes out, and how many an address may hold that it has not confirmed.

Anyone can type anyone's address, so a sign-up is never refused for its address: that would let three strangers'
posts block the owner's own sign-up, and tell a stranger the address had been asked for. What is limited is the
confirmations an address has not confirmed: at most RATELIMIT_CONFIRMATIONS_ADDRESS (`3/d`: three sent within a
day). Strangers cannot confirm, so they can make a mailbox take no more than that; a confirmation its owner
confirmed no longer counts, nor does one they stopped with its link (that deletes it). Beyond the limit a
sign-up's confirmation waits for room, and the newest waiting one goes first: an owner who stops a stranger's
confirmation gets their own within the minute (`send_waiting_confirmations`, a periodic task).

The address is keyed by the form the mail backend sends (mail.sendable_address), so look-alike spellings of one
mailbox share one limit. Claiming a confirmation holds the address's rows locked, so concurrent sign-ups cannot
send past the limit (PostgreSQL; SQLite runs one writer at a time).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django_ratelimit.core import _split_rate

from tracking_site.following.mail import confirmation_message, is_sendable, send
from tracking_site.following.models import EmailSubscription
from tracking_site.following.policy import FOLLOWING
from tracking_site.protection.rate_limits import RATE_LIMITS

logger = logging.getLogger("tracking_site.following")

WAITING_BATCH = 200  # addresses one run of send_waiting_confirmations looks at, at most


def address_limit() -> tuple[int, timedelta]:
    """How many unconfirmed confirmations an address may have been sent, and within how long."""
    # Written as every other rate limit is, so it is read by the same parser.
    count, seconds = _split_rate(RATE_LIMITS.current().confirmations_address)
    return count, timedelta(seconds=seconds)


def confirmation_due(subscription: EmailSubscription, now: datetime) -> bool:
    """Whether a sign-up's confirmation should go out: not confirmed, and not sent within the limit's period."""
    if subscription.confirmed_at is not None:
        return False
    sent = subscription.confirmation_sent_at
    return sent is None or sent <= now - address_limit()[1]


def address_room(address_hash: str, now: datetime) -> int:
    """How many more confirmations the address may be sent now."""
    if not RATE_LIMITS.current().enabled:
        return WAITING_BATCH
    count, period = address_limit()
    unconfirmed = EmailSubscription.objects.filter(
        address_hash=address_hash, confirmed_at__isnull=True, confirmation_sent_at__gt=now - period
    ).count()
    return max(count - unconfirmed, 0)


def claim_confirmation(subscription_id: int, now: datetime) -> EmailSubscription | None:
    """The subscription, marked as mailed now, if its confirmation is due and its address has room; else None."""
    with transaction.atomic():
        address_hash = (
            EmailSubscription.objects.filter(pk=subscription_id).values_list("address_hash", flat=True).first()
        )
        if address_hash is None:
            return None
        rows = EmailSubscription.objects.select_for_update().filter(address_hash=address_hash).order_by("pk")
        list(rows.values_list("pk", flat=True))  # every row of the address locked: one claim at a time
        subscription = EmailSubscription.objects.select_related("parcel").filter(pk=subscription_id).first()
        if subscription is None or not confirmation_due(subscription, now) or address_room(address_hash, now) < 1:
            return None
        subscription.confirmation_sent_at = now
        # The link works for the whole confirm window from the moment it is sent.
        subscription.delete_after = now + timedelta(hours=FOLLOWING.current().confirm_hours)
        subscription.save(update_fields=["confirmation_sent_at", "delete_after"])
    return subscription


def send_confirmation(subscription_id: int, now: datetime) -> bool:
    """Send a sign-up's confirmation if it is due and its address has room; False when it waits (or is gone).

    A mail server that fails raises OSError (smtplib's errors are OSErrors) and the confirmation waits again.
    """
    subscription = claim_confirmation(subscription_id, now)
    if subscription is None:
        return False
    if not is_sendable(subscription.address):  # stored before today's checks: never sent there
        subscription.delete()
        logger.info("email outcome=unsendable_address_deleted")
        return False
    try:
        send(confirmation_message(subscription))
    except OSError:
        EmailSubscription.objects.filter(pk=subscription.pk, confirmation_sent_at=now).update(confirmation_sent_at=None)
        raise
    return True


def send_waiting_confirmations(now: datetime) -> int:
    """Send the confirmations that waited for room, where their address has some now; how many went out."""
    waiting = EmailSubscription.objects.filter(
        confirmed_at__isnull=True, confirmation_sent_at__isnull=True, delete_after__gt=now
    )
    sent = 0
    for address_hash in waiting.order_by().values_list("address_hash", flat=True).distinct()[:WAITING_BATCH]:
        room = address_room(address_hash, now)
        newest = waiting.filter(address_hash=address_hash).order_by("-created_at", "-pk")
        for subscription_id in newest.values_list("pk", flat=True)[:room]:
            try:
                sent += send_confirmation(subscription_id, now)
            except OSError as exc:  # its text can hold the address: only the type is logged
                logger.warning("email outcome=confirmation_failed error=%s", type(exc).__name__)
    if sent:
        logger.info("following confirmations_sent=%d", sent)
    return sent
