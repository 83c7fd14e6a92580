"""The flush: buffered observations into the database once per parcel, lane figures into the cache."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from carriers.model import Place, Status, TrackingEvent
from carriers.postplus import FeedEvent, FeedPage
from tests.tracking_site.conftest import InMemoryCarrier
from tests.tracking_site.estimates.helpers import delivered_parcel, lane_of_parcels
from tracking_site.estimates import flush_observations, observe
from tracking_site.estimates.buffer import take_buffered
from tracking_site.estimates.demo import DEMO_LANES, PARCELS_PER_LANE, load_demo_observations
from tracking_site.estimates.figures import LaneFigure, cached_figures, figure_key, figures_for
from tracking_site.estimates.flush import refresh_lane_figures
from tracking_site.estimates.models import DeliveryObservation
from tracking_site.estimates.observations import Lane
from tracking_site.lookup.clients import install_carriers
from tracking_site.lookup.service import lookup_parcels
from tracking_site.postplus_feed.store import store_events
from tracking_site.postplus_feed.sync import observe_feed_page

pytestmark = pytest.mark.django_db

LANE = Lane("postplus", "", "GB")


@pytest.fixture(autouse=True)
def _no_demo_observations():
    """The test database holds the demo's observations (loaded by migrate); these tests start from none."""
    DeliveryObservation.objects.all().delete()


def test_the_flush_stores_each_parcel_once_and_says_how_many_were_new():
    observe(lane_of_parcels(3))
    assert flush_observations() == 3
    cache.clear()  # the "seen" marks are gone: the same parcels are buffered again ...
    observe(lane_of_parcels(3))
    assert flush_observations() == 0  # ... and the database still counts each once
    assert DeliveryObservation.objects.count() == 3


def test_no_row_holds_a_tracking_number_or_a_place():
    parcels = lane_of_parcels(3)
    observe(parcels)
    flush_observations()
    rows = list(DeliveryObservation.objects.values())
    assert len(rows) == 3
    text = repr(rows)
    for parcel in parcels:
        assert parcel.tracking_number not in text and parcel.tracking_number.lower() not in text
    assert "Tallinn" not in text and "London" not in text
    assert {row["source"] for row in rows} == {"lookup"}


def test_a_lane_gets_a_figure_from_its_twentieth_parcel_on():
    parcels = lane_of_parcels(20)
    observe(parcels[:19])
    flush_observations()
    assert cached_figures([LANE]) == {}
    observe(parcels[19:])
    flush_observations()
    figure = cached_figures([LANE])[LANE]
    assert figure.count == 20
    # 72..91 hours: the 20th percentile at rank 4.8, the 80th at rank 16.2.
    assert figure == LaneFigure(round((72 + 3.8) * 3600), round((72 + 15.2) * 3600), 20)


def test_a_lane_with_too_few_parcels_of_its_service_uses_the_carrier_s_lane_to_the_country():
    observe([replace(parcel, service="Economy") for parcel in lane_of_parcels(20)])
    flush_observations()
    express = replace(delivered_parcel("LB999999999EE", timedelta(hours=1)), service="Express")
    figure = figures_for([express]).get((express.carrier, express.tracking_number))
    assert figure is not None and figure.count == 20


def test_a_lost_cache_gets_every_lane_back_at_the_next_flush():
    observe(lane_of_parcels(20))
    flush_observations()
    cache.clear()
    assert flush_observations() == 0
    assert cached_figures([LANE])[LANE].count == 20


def test_lookups_buffer_delivered_parcels_without_touching_the_database(django_assert_num_queries):
    parcels = {parcel.tracking_number: parcel for parcel in lane_of_parcels(2)}
    install_carriers({"postplus": InMemoryCarrier("postplus", parcels)})
    with django_assert_num_queries(0):
        outcomes = lookup_parcels(list(parcels), "postplus")
    assert all(outcome.found for outcome in outcomes)
    assert len(take_buffered()) == 2


def test_the_feed_sync_observes_parcels_a_page_shows_delivered():
    now = timezone.now()

    def event(number: str, index: int, hours_ago: float, code: str, message: str) -> FeedEvent:
        return FeedEvent(
            event_id=f"{number}-{index}",
            event_version="1",
            parcel_nr=number,
            destination_country="GB",
            carrier="Royal Mail",
            carrier_parcel_nr=number,
            event_code=code,
            event_message=message,
            event_time=now - timedelta(hours=hours_ago),
            event_location="London",
        )

    page = FeedPage(
        next_fetch_id="next",
        fetch_done=True,
        items=(
            event("LB000000001EE", 1, 80, "ACCEPTED_AT_HUB", "Parcel accepted at PostPlus hub"),
            event("LB000000001EE", 2, 2, "DELIVERED", "Parcel delivered"),
            event("LB000000002EE", 1, 10, "ACCEPTED_AT_HUB", "Parcel accepted at PostPlus hub"),
        ),
    )
    store_events(page.items)
    assert observe_feed_page(page) == 1  # the one delivered
    [observation] = take_buffered()
    assert observation.transit_seconds == 78 * 3600 and observation.source == "feed"


def test_the_demo_ships_enough_observations_for_its_lanes_and_only_in_demo_mode(settings):
    settings.TRACKING_DEMO = False
    assert load_demo_observations() == 0
    settings.TRACKING_DEMO = True
    assert load_demo_observations() == PARCELS_PER_LANE * len(DEMO_LANES)
    assert load_demo_observations() == 0  # once
    assert all(cached_figures([lane])[lane].count == PARCELS_PER_LANE for lane in DEMO_LANES)
    demo_key = figure_key(LANE)
    settings.TRACKING_DEMO = False  # a real site: made-up parcels never count, not even ones left in its cache
    assert figure_key(LANE) != demo_key
    assert refresh_lane_figures() == 0
    assert cached_figures(list(DEMO_LANES)) == {}


def test_an_in_transit_demo_parcel_gets_an_estimate_on_its_page(client, settings):
    settings.TRACKING_DEMO = True
    load_demo_observations()
    events = [
        TrackingEvent(timezone.now() - timedelta(hours=50), Status.IN_TRANSIT, "Accepted", Place(city="Tallinn")),
    ]
    parcel = replace(delivered_parcel("LB123456785EE", timedelta(hours=1)), status=Status.IN_TRANSIT)
    parcel = replace(parcel, events=tuple(events), delivered_at=None)
    install_carriers({"postplus": InMemoryCarrier("postplus", {parcel.tracking_number: parcel})})
    body = client.get(f"/track/postplus/{parcel.tracking_number}/").content.decode()
    assert "In transit: likely " in body
    assert "An estimate based on 40 parcels delivered on this route." in body
