"""PostPlus event codes: fetched once and cached, mapped to statuses through their flags, then their messages."""

from datetime import date

import httpx
import pytest

from carriers.fakes import postplus as fake_postplus
from carriers.fakes.postplus import EVENT_CODES_PATH
from carriers.model import Status
from carriers.postplus import EventCode
from carriers.registry import CarrierConfig, build_carriers
from tests.tracking_site.postplus_feed.feed_fakes import feed_client, feed_item
from tracking_site.lookup.clients import install_carriers
from tracking_site.lookup.event_codes import event_codes, extra_code_statuses
from tracking_site.lookup.service import lookup_parcels
from tracking_site.postplus_feed.store import FeedSource
from tracking_site.postplus_feed.sync import sync_feed

pytestmark = pytest.mark.django_db


def listed(code: str, message: str, *milestones: str) -> dict:
    """An entry of PostPlus's event-codes answer, as published: every flag, the named ones true."""
    flags = ("isPreAlert", "isStartclock", "isDeparted", "isAtDestination", "isStopclock", "isDelivered")
    return {"code": code, "message": message, **{flag: flag in milestones for flag in flags}}


@pytest.mark.parametrize(
    ("entry", "status"),
    [
        (listed("NEW_CODE", "Parcel placed in a parcel locker", "isStopclock"), Status.AWAITING_PICKUP),
        (listed("NEW_CODE", "Handed over to the courier, out for delivery"), Status.OUT_FOR_DELIVERY),
        (listed("NEW_CODE", "Delivery unsuccessful: address not found", "isStopclock"), Status.DELIVERY_FAILED),
        (listed("NEW_CODE", "Parcel returned to the shop"), Status.RETURNED),
        (listed("NEW_CODE", "Parcel left with a neighbour", "isStopclock", "isDelivered"), Status.DELIVERED),
        (listed("NEW_CODE", "Parcel sorted", "isDeparted"), Status.IN_TRANSIT),
        (listed("NEW_CODE", "Shop sent the parcel data", "isPreAlert"), Status.INFO_RECEIVED),
        (listed("NEW_CODE", "Parcel delivered to our hub", "isStartclock"), Status.IN_TRANSIT),  # flags first
    ],
)
def test_a_listed_code_takes_the_status_its_flags_then_its_standard_message_name(monkeypatch, entry, status):
    monkeypatch.setattr(fake_postplus, "EVENT_CODES", {"NEW_CODE": entry})
    client, _ = feed_client([])
    assert extra_code_statuses(client) == {"NEW_CODE": status}


def test_a_listed_code_whose_flags_and_message_name_no_status_is_left_to_the_events_own_message(monkeypatch):
    monkeypatch.setattr(fake_postplus, "EVENT_CODES", {"LABEL_PRINTED": listed("LABEL_PRINTED", "Label printed")})
    client, _ = feed_client([])
    assert extra_code_statuses(client) == {}


def test_the_code_list_is_fetched_once_then_served_from_the_cache():
    client, feed = feed_client([])
    first = event_codes(client)
    second = event_codes(client)
    assert first == second
    assert set(first) == set(fake_postplus.EVENT_CODES)
    assert first["DELIVERED"] == EventCode("DELIVERED", "Parcel delivered", frozenset({"isStopclock", "isDelivered"}))
    assert feed.calls_to(EVENT_CODES_PATH) == 1


def test_an_unavailable_code_list_gives_the_keyword_fallback_and_is_not_asked_again_at_once():
    client, feed = feed_client([])
    feed.fake.fail_with = 503
    assert extra_code_statuses(client) == {}
    assert extra_code_statuses(client) == {}
    assert feed.calls_to(EVENT_CODES_PATH) == 1


def test_stored_events_with_a_code_only_the_list_knows_get_its_status(monkeypatch):
    monkeypatch.setitem(
        fake_postplus.EVENT_CODES, "LOCKER_DROP", listed("LOCKER_DROP", "Parcel placed in a parcel locker")
    )
    item = feed_item("PPL1000001", "E1", "1", code="LOCKER_DROP", message="Your parcel is waiting for you")
    client, _ = feed_client([item])
    sync_feed(client, since=date(2025, 1, 13))
    install_carriers({"postplus": client}, sources=[FeedSource()])
    parcel = lookup_parcels(["PPL1000001"], "postplus")[0].result.parcel
    assert parcel.status is Status.AWAITING_PICKUP


def test_an_unknown_code_falls_back_to_the_events_own_message_then_to_unknown():
    items = [
        feed_item("PPL1000001", "E1", "1", code="SOMETHING_NEW", message="Parcel arrived at hub"),
        feed_item("PPL1000002", "E2", "1", code="SOMETHING_ELSE", message="Your parcel is waiting for you"),
    ]
    client, _ = feed_client(items)
    sync_feed(client, since=date(2025, 1, 13))
    install_carriers({"postplus": client}, sources=[FeedSource()])
    first, second = lookup_parcels(["PPL1000001", "PPL1000002"], "postplus")
    assert first.result.parcel.status is Status.IN_TRANSIT
    assert second.result.parcel.status is Status.UNKNOWN


def test_a_code_only_the_list_knows_reads_the_same_through_the_api_and_through_the_feed(monkeypatch):
    monkeypatch.setitem(
        fake_postplus.EVENT_CODES, "LOCKER_DROP", listed("LOCKER_DROP", "Parcel placed in a parcel locker")
    )
    item = feed_item("PPL1000001", "E1", "1", code="LOCKER_DROP", message="Your parcel is waiting for you")
    config = CarrierConfig(postplus_api_key=fake_postplus.DEMO_API_KEY, postplus_base_url="http://postplus.test")
    transports = {"postplus": httpx.WSGITransport(app=fake_postplus.FakePostPlus([item]))}
    api = build_carriers(config, transports=transports, postplus_code_statuses=extra_code_statuses)["postplus"]

    client, _ = feed_client([item])
    sync_feed(client, since=date(2025, 1, 13))
    install_carriers({"postplus": client}, sources=[FeedSource()])
    through_feed = lookup_parcels(["PPL1000001"], "postplus")[0].result.parcel.status

    assert api.track("PPL1000001").parcel.status is through_feed is Status.AWAITING_PICKUP


def test_an_unavailable_code_list_does_not_break_an_api_lookup():
    item = feed_item("PPL1000001", "E1", "1", code="SOMETHING_NEW", message="Parcel arrived at hub")
    fake = fake_postplus.FakePostPlus([item])
    config = CarrierConfig(postplus_api_key=fake_postplus.DEMO_API_KEY, postplus_base_url="http://postplus.test")

    def refusing_the_code_list(environ, start_response):
        if environ["PATH_INFO"] == EVENT_CODES_PATH:
            start_response("503 Unavailable", [("Content-Type", "application/json")])
            return [b"{}"]
        return fake(environ, start_response)

    transports = {"postplus": httpx.WSGITransport(app=refusing_the_code_list)}
    api = build_carriers(config, transports=transports, postplus_code_statuses=extra_code_statuses)["postplus"]

    assert api.track("PPL1000001").parcel.status is Status.IN_TRANSIT  # from the event's own message
