"""Privacy by construction, for following: markers planted in every private field of every carrier reach no
notification, feed, calendar entry, email or log line."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.tracking_site.following.conftest import followed, with_email, with_push
from tests.tracking_site.planted import MARKER_DIGITS, MARKER_PREFIX, demo_numbers
from tracking_site.following.tasks import follow_up

pytestmark = pytest.mark.django_db


def test_no_private_field_reaches_a_notification_feed_calendar_email_or_log(
    client, planted_carriers, push_service, push_sender, caplog
):
    caplog.set_level(logging.DEBUG)
    now = timezone.now()
    seen: list[str] = []
    numbers = [(slug, number) for slug, carrier_numbers in demo_numbers().items() for number in carrier_numbers]
    for index, (slug, number) in enumerate(numbers):
        # Followed when nothing was known yet, so the first refresh finds news for nearly every parcel.
        row = followed(
            number, carrier=slug, status="unknown", followed_since=now - timedelta(hours=1), next_check_at=now
        )
        with_push(row, push_service, f"browser-{index}")
        with_email(row, f"reader{index}@follower-mail.net")
        # The sign-up path too: its confirmation email.
        client.post(f"/track/{slug}/{number}/follow/email", {"email": f"new{index}@follower-mail.net"})
        for channel in ("feed.atom", "calendar.ics"):
            response = client.get(f"/track/{slug}/{number}/{channel}")
            assert response.status_code in (200, 404), (slug, number, channel)
            seen.append(response.content.decode())
    refreshed, delivered = follow_up(now, push_sender=push_sender)

    assert refreshed.checked == len(numbers) and refreshed.failed == 0
    # Every parcel but those still at "information received" had news: one push and one email each.
    assert refreshed.changed == len(push_service.received) >= len(numbers) - 3
    assert delivered.sent == 2 * refreshed.changed
    assert any("feed" in text for text in seen) and any("VEVENT" in text for text in seen)
    seen += [json.dumps(push.message, ensure_ascii=False) for push in push_service.received]
    seen += [
        "\n".join([message.subject, message.body, *map(str, message.extra_headers.values())]) for message in mail.outbox
    ]
    assert len(mail.outbox) > len(numbers)  # confirmations and notifications
    seen += [record.getMessage() for record in caplog.records]
    for text in seen:
        assert MARKER_PREFIX not in text
        assert MARKER_DIGITS not in text
