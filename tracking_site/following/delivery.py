"""Sending the outbox: each pending notification claimed by one sender, sent once, its outcome recorded.

Two consumers, or a task run again after a crash, cannot send one notification twice: a sender claims rows in
one conditional UPDATE (the rows it moved are its own), and a sent row is marked sent. Only a sender that dies
after the message left and before it marked the row leaves it to be sent again once its claim has lapsed.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F

from tracking_site.following.mail import is_sendable, notification_message, send
from tracking_site.following.messages import parcel_news, push_payload
from tracking_site.following.models import EmailSubscription, Notification, PushSubscription
from tracking_site.following.push import PushResult, PushSender, PushTarget

logger = logging.getLogger("tracking_site.following")

CLAIM_MINUTES = 5
# After a failed attempt, try again this much later; after the last, give up.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    removed: int = 0  # subscriptions deleted: the push service forgot them, or we will not send there


def claim_due_notifications(now: datetime, limit: int = 200) -> list[Notification]:
    """Pending notifications due now, claimed for this sender alone."""
    due = Notification.objects.filter(state=Notification.State.PENDING, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "pk"
    )
    ids = list(due.values_list("pk", flat=True)[:limit])
    claim = uuid.uuid4()
    Notification.objects.filter(pk__in=ids, state=Notification.State.PENDING, next_attempt_at__lte=now).update(
        next_attempt_at=now + timedelta(minutes=CLAIM_MINUTES), claim=claim
    )
    return list(
        Notification.objects.filter(claim=claim)
        .select_related("change__parcel", "push", "email__parcel")
        .order_by("pk")
    )


def deliver_due_notifications(now: datetime, *, push_sender: PushSender | None = None) -> DeliveryReport:
    """Send every due notification once; a push subscription the push service forgot is deleted."""
    totals = {"sent": 0, "retried": 0, "failed": 0, "removed": 0}
    claimed = claim_due_notifications(now)
    if any(n.push_id for n in claimed) and push_sender is None:
        push_sender = PushSender.from_settings()
    for notification in claimed:
        try:
            if notification.push is not None:
                result = _send_push(notification, notification.push, push_sender)
            elif notification.email is not None:
                result = _send_email(notification, notification.email)
            else:  # the subscription went while the row was claimed
                continue
        except Exception as exc:  # one message's bug must not stop the others; its text may hold an address
            logger.error("following outcome=send_crashed error=%s", type(exc).__name__)
            result = PushResult.RETRY
        outcome = _record(notification, result, now)
        totals[outcome] += 1
    report = DeliveryReport(**totals)
    if claimed:
        logger.info(
            "following delivery sent=%d retried=%d failed=%d removed=%d",
            report.sent,
            report.retried,
            report.failed,
            report.removed,
        )
    return report


def _send_push(notification: Notification, subscription: PushSubscription, sender: PushSender | None) -> PushResult:
    if sender is None:  # the VAPID key was removed: nothing can be sent to browsers any more
        return PushResult.REFUSED
    target = PushTarget(subscription.endpoint, subscription.p256dh, subscription.auth)
    return sender.send(target, push_payload(notification.change))


def _send_email(notification: Notification, subscription: EmailSubscription) -> PushResult:
    if not is_sendable(subscription.address):  # stored before today's checks (a local or reserved domain)
        logger.warning("email outcome=refused reason=address_not_public")
        return PushResult.REFUSED
    news = parcel_news(notification.change, subscription.language)
    try:
        send(notification_message(subscription, news))
    except smtplib.SMTPRecipientsRefused:
        logger.warning("email outcome=recipient_refused")
        return PushResult.REFUSED
    except (smtplib.SMTPException, OSError) as exc:
        # The exception's text can hold the address: only its type is logged.
        logger.warning("email outcome=send_failed error=%s", type(exc).__name__)
        return PushResult.RETRY
    return PushResult.SENT


def _record(notification: Notification, result: PushResult, now: datetime) -> str:
    """Store the outcome of one attempt; the name of the report's counter it adds to."""
    mine = Notification.objects.filter(pk=notification.pk, claim=notification.claim)
    if result is PushResult.SENT:
        mine.update(state=Notification.State.SENT, sent_at=now, claim=None, attempts=F("attempts") + 1)
        if notification.push_id:  # the browser's push service took it: a proven follower now
            PushSubscription.objects.filter(pk=notification.push_id, delivered_at__isnull=True).update(delivered_at=now)
        return "sent"
    if result in (PushResult.GONE, PushResult.REFUSED):
        # An endpoint we will never reach again, or an address the mail server refuses: forget it.
        if notification.push_id:
            PushSubscription.objects.filter(pk=notification.push_id).delete()
        else:
            EmailSubscription.objects.filter(pk=notification.email_id).delete()
        return "removed"
    if notification.attempts + 1 >= len(RETRY_DELAYS) + 1:
        mine.update(state=Notification.State.FAILED, claim=None, attempts=F("attempts") + 1)
        return "failed"
    delay = RETRY_DELAYS[notification.attempts]
    mine.update(next_attempt_at=now + delay, claim=None, attempts=F("attempts") + 1)
    return "retried"
