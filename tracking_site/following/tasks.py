"""The Huey tasks of following (found by `manage.py run_huey`): refresh, notify, confirm, purge.

Every consumer schedules the periodic ones, so with two consumers each runs twice a minute: the work they do
is claimed row by row (schedule.py, delivery.py), so nothing is asked or sent twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tracking_site.following import confirmations
from tracking_site.following.delivery import DeliveryReport, deliver_due_notifications
from tracking_site.following.push import PushSender
from tracking_site.following.refresh import RefreshReport, refresh_due_parcels
from tracking_site.following.retention import purge_expired

logger = logging.getLogger("tracking_site.following")


def follow_up(now: datetime, *, push_sender: PushSender | None = None) -> tuple[RefreshReport, DeliveryReport]:
    """Ask about followed parcels that are due, then send what changed (and any retries that are due)."""
    return refresh_due_parcels(now), deliver_due_notifications(now, push_sender=push_sender)


@db_periodic_task(crontab(minute="*"))
def refresh_and_notify() -> None:
    follow_up(timezone.now())


@db_periodic_task(crontab(minute="*/15"))
def purge_expired_followers() -> None:
    purge_expired(timezone.now())


@db_task(retries=3, retry_delay=60)
def send_confirmation(subscription_id: int) -> None:
    """The double opt-in message, when its address has room (confirmations.py); holds the id, never the address."""
    try:
        confirmations.send_confirmation(subscription_id, timezone.now())
    except OSError as exc:  # smtplib's errors are OSErrors; their text can hold the address
        logger.warning("email outcome=confirmation_failed error=%s", type(exc).__name__)
        raise RuntimeError("the confirmation email could not be sent") from None


@db_periodic_task(crontab(minute="*"))
def send_waiting_confirmations() -> None:
    """Confirmations that waited for room in their address's limit, sent once there is some."""
    confirmations.send_waiting_confirmations(timezone.now())
