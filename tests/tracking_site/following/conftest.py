"""Following's fixtures: a DHL eCommerce fake whose parcels move on when a test says so, a push service, keys."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from carriers.demo import demo_config
from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.registry import build_carriers
from tests.conftest import tune
from tests.tracking_site.following.push_service import FakePushService
from tracking_site.following.models import EmailSubscription, FollowedParcel, PushSubscription
from tracking_site.following.vapid import new_private_key, vapid_signer
from tracking_site.lookup.clients import install_carriers

# The moment the tests' parcels are seen at; the refresh and delivery functions take it as `now`.
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
LABEL_ONLY = fake_dhl.INFO_RECEIVED  # a parcel with one scan: "information received"
FOLLOWER = "reader@follower-mail.net"  # tests/log_sweep.py fails any log line with a follower's address


class MovingDhl:
    """The real DHL eCommerce client against its fake API, over records the test moves along."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now
        self.fake = fake_dhl.FakeDhlEcommerce(fake_dhl.demo_records(now))
        self.carriers = build_carriers(demo_config(), transports={"dhl-ecommerce": httpx.WSGITransport(app=self.fake)})

    def record(self, number: str) -> dict[str, Any]:
        return next(record for record in self.fake.records() if record["package"]["dhlPackageId"] == number)

    def scan(self, number: str, event: tuple[int, str], hours_after_now: float = 0) -> None:
        """A new scan in New York, as DHL shapes it, newest first."""
        at = (self.now + timedelta(hours=hours_after_now)).astimezone(fake_dhl.ZONES["ET"])
        self.record(number)["events"].insert(
            0,
            {
                "date": at.strftime("%Y-%m-%d"),
                "time": at.strftime("%H:%M:%S"),
                "timeZone": "ET",
                "location": "New York, NY, US",
                "postalCode": "10036",
                "primaryEventId": event[0],
                "primaryEventDescription": event[1],
                "secondaryEventId": 0,
                "secondaryEventDescription": None,
            },
        )

    def expect(self, number: str, day: date) -> None:
        self.record(number)["package"]["expectedDelivery"] = day.isoformat()

    @property
    def tracking_calls(self) -> int:
        return self.fake.calls[fake_dhl.TRACKING_PATH]


@pytest.fixture
def moving_dhl(settings) -> MovingDhl:
    """Installed as the site's carriers; the parcel cache never answers for it (every refresh asks)."""
    tune(settings, parcel_cache={"fresh_seconds": 0})
    tune(settings, parcel_cache={"stale_seconds": 1})
    moving = MovingDhl()
    install_carriers(moving.carriers)
    return moving


@pytest.fixture
def vapid_key(settings) -> str:
    settings.VAPID_PRIVATE_KEY = new_private_key()
    return settings.VAPID_PRIVATE_KEY


@pytest.fixture
def push_service() -> Iterator[FakePushService]:
    with FakePushService() as service:
        yield service


@pytest.fixture
def push_sender(push_service, vapid_key):
    signer = vapid_signer()
    assert signer is not None
    return push_service.sender(signer)


def followed(number: str = LABEL_ONLY, carrier: str = "dhl-ecommerce", **fields: Any) -> FollowedParcel:
    """A followed row as the follow view leaves it: status as first seen, due for a check at NOW."""
    values: dict[str, Any] = {
        "status": "info_received",
        "followed_since": NOW - timedelta(hours=1),
        "next_check_at": NOW,
    }
    values.update(fields)
    return FollowedParcel.objects.create(carrier=carrier, number=number, **values)


def with_push(row: FollowedParcel, service: FakePushService, path: str = "browser-1") -> PushSubscription:
    keys = service.subscribe(path)
    target = keys.target(service.endpoint(path))
    return PushSubscription.objects.create(
        parcel=row, endpoint=target.endpoint, p256dh=target.p256dh, auth=target.auth, created_at=NOW
    )


def with_email(row: FollowedParcel, address: str = FOLLOWER, *, confirmed: bool = True) -> EmailSubscription:
    from tracking_site.following.mail import address_hash

    return EmailSubscription.objects.create(
        parcel=row,
        address=address,
        address_hash=address_hash(address),
        created_at=NOW - timedelta(hours=1),
        confirmed_at=NOW - timedelta(minutes=50) if confirmed else None,
        delete_after=NOW + timedelta(days=59) if confirmed else NOW + timedelta(hours=47),
    )
