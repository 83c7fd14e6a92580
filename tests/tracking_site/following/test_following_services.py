"""Following on the real services: a Huey consumer on Redis sending through a real SMTP server on loopback, and
two consumers on PostgreSQL sending each change once."""

from __future__ import annotations

import email
import email.policy
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from carriers.fakes import dhl_ecommerce as fake_dhl
from tests.conftest import tune
from tests.tracking_site.following.conftest import NOW, followed, with_email, with_push
from tracking_site.following.mail import confirm_token
from tracking_site.following.models import EmailSubscription, FollowedParcel, Notification, ParcelChange
from tracking_site.following.tasks import follow_up, refresh_and_notify

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

MOVING = fake_dhl.OUT_FOR_DELIVERY
FOLLOWER = "inbox@follower-mail.net"


class Inbox:
    """aiosmtpd's handler: keeps every message the server accepted."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        content = envelope.content  # type: ignore[attr-defined]
        self.messages.append(email.message_from_bytes(content, policy=email.policy.default))  # type: ignore[arg-type]
        self.recipients.append(list(envelope.rcpt_tos))  # type: ignore[attr-defined]
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} messages arrived"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    # aiosmtpd logs each envelope's addresses; that is the test server's log, not ours.
    quiet = logging.getLogger("mail.log")
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()
        quiet.setLevel(level)


@pytest.fixture
def queue_on_redis() -> Iterator[None]:
    """Tasks go to the Redis queue (not run inline) while the test runs."""
    assert settings.HUEY["huey_class"] == "huey.RedisHuey"
    HUEY.immediate = False
    HUEY.flush()
    try:
        yield
    finally:
        HUEY.flush()
        HUEY.immediate = True


def consumer_process(smtp_port: int) -> subprocess.Popen[str]:
    """`manage.py run_huey` in its own process, on this test's database and Redis, mailing the loopback server."""
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tracking_site.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "TRACKING_TUNING": "queue.log_level=INFO",
        "TRACKING_DEMO": "1",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SITE_URL": "http://testserver",
        "VAPID_PRIVATE_KEY": "",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", "--workers", "2"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_huey_consumer_on_redis_mails_confirmation_and_news_through_real_smtp(
    client, smtp_server, queue_on_redis, settings
):
    inbox, port = smtp_server
    consumer = consumer_process(port)
    try:
        response = client.post(f"/track/dhl-ecommerce/{MOVING}/follow/email", {"email": FOLLOWER})
        assert response.status_code == 302
        assert mail.outbox == []  # this process only queued it: the consumer sends
        inbox.wait_for(1)
        confirmation = inbox.messages[0]
        assert inbox.recipients[0] == [FOLLOWER]
        assert confirmation["Subject"] == f"Confirm: follow DHL eCommerce parcel {MOVING}"
        assert confirmation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        body = confirmation.get_content()
        confirm = re.search(r"http://testserver(/follow/email/confirm/\S+/)", body)
        assert confirm is not None
        assert client.post(confirm.group(1)).status_code == 200
        assert EmailSubscription.objects.get().confirmed_at is not None

        # What we knew before the carrier's latest news: the consumer's refresh finds it and mails it, once.
        FollowedParcel.objects.update(status="in_transit", next_check_at=timezone.now())
        refresh_and_notify()
        refresh_and_notify()  # a second run (a second consumer's, or a retry): nothing more is sent
        inbox.wait_for(2)
        time.sleep(1)  # room for a wrong third message to arrive before the count below
        assert len(inbox.messages) == 2
        news = inbox.messages[1]
        assert news["Subject"] == f"Out for delivery: DHL eCommerce parcel {MOVING}"
        unsubscribe = re.fullmatch(
            r"<http://testserver(/follow/email/unsubscribe/\S+/)>", str(news["List-Unsubscribe"]).strip()
        )
        assert unsubscribe is not None and news["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert unsubscribe.group(1) in news.get_content()
        client.post(
            unsubscribe.group(1), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert EmailSubscription.objects.count() == 0
    finally:
        consumer.send_signal(signal.SIGINT)
        output, _ = consumer.communicate(timeout=30)
    assert "executed in" in output  # the consumer really ran the tasks
    assert "follower-mail.net" not in output  # and logged no address


def test_two_consumers_on_postgresql_send_each_change_once(moving_dhl, push_service, push_sender):
    assert connection.vendor == "postgresql"
    numbers = [record["package"]["dhlPackageId"] for record in moving_dhl.fake.records()][:10]
    for index, number in enumerate(numbers):
        row = followed(number, status="unknown")
        with_push(row, push_service, f"browser-{index}")
        with_email(row, f"reader{index}@follower-mail.net")
    outcomes = at_once(2, lambda _index: follow_up(NOW, push_sender=push_sender))
    assert not [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    changed = ParcelChange.objects.count()
    assert changed >= 8  # all but parcels still at "information received"
    assert len(push_service.received) == changed and len(mail.outbox) == changed
    assert len({push.path for push in push_service.received}) == changed
    assert Notification.objects.filter(state=Notification.State.SENT).count() == 2 * changed


def at_once(count: int, action: Callable[[int], object]) -> list[object]:
    """`action(0)` ... `action(count - 1)`, each in its own thread (its own connection), released together."""
    start = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(index: int) -> None:
        try:
            start.wait(timeout=10)
            results[index] = action(index)
        except BaseException as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_confirmations_never_take_a_parcel_past_its_cap(settings):
    assert connection.vendor == "postgresql"
    tune(settings, following={"max_subscriptions_per_parcel": 3})
    row = followed(MOVING)
    waiting = [with_email(row, f"reader{index}@follower-mail.net", confirmed=False) for index in range(8)]
    EmailSubscription.objects.update(delete_after=timezone.now() + timedelta(hours=1))
    links = [f"/follow/email/confirm/{confirm_token(subscription)}/" for subscription in waiting]

    answers = at_once(len(links), lambda index: Client().post(links[index]).status_code)

    assert sorted(answers) == [200] * 3 + [409] * 5  # type: ignore[type-var]
    assert EmailSubscription.objects.filter(confirmed_at__isnull=False).count() == 3


def test_concurrent_sign_ups_of_one_address_get_its_confirmation_limit(settings):
    assert connection.vendor == "postgresql"
    tune(settings, rate_limits={"enabled": True})
    tune(settings, rate_limits={"follows": "100/h", "confirmations_ip": "100/h", "numbers": "100/h"})
    tune(settings, rate_limits={"confirmations_address": "2/d"})
    numbers = [fake_dhl.OUT_FOR_DELIVERY, fake_dhl.IN_TRANSIT_IMPB, fake_dhl.INFO_RECEIVED, fake_dhl.AWAITING_PICKUP]

    def sign_up(index: int) -> int:
        path = f"/track/dhl-ecommerce/{numbers[index]}/follow/email"
        return Client().post(path, {"email": FOLLOWER}, REMOTE_ADDR=f"203.0.113.{index}").status_code

    assert at_once(len(numbers), sign_up) == [302] * len(numbers)
    assert len(mail.outbox) == 2 and EmailSubscription.objects.count() == len(numbers)
