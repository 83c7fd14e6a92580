"""What a delivered parcel teaches: its lane and its transit time from the first scan, under a keyed hash."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from carriers.model import Status
from tests.tracking_site.estimates.helpers import START, delivered_parcel
from tracking_site.estimates.observations import Lane, acceptance_scan, lane_of, observation_of, parcel_key

NUMBER = "LB123456785EE"


def test_transit_counts_from_the_first_scan_of_the_parcel_not_from_its_announcement():
    parcel = delivered_parcel(NUMBER, timedelta(hours=75))
    accepted = acceptance_scan(parcel)
    assert accepted is not None and accepted.occurred_at == START
    observation = observation_of(parcel, "lookup")
    assert observation is not None
    assert observation.transit_seconds == 75 * 3600
    assert observation.lane == Lane("postplus", "", "GB")
    assert observation.delivered_on == (START + timedelta(hours=75)).date()


def test_only_delivered_parcels_with_a_sensible_transit_count():
    parcel = delivered_parcel(NUMBER, timedelta(hours=75))
    assert observation_of(parcel, "lookup") is not None
    assert observation_of(replace(parcel, status=Status.IN_TRANSIT, delivered_at=None), "lookup") is None
    assert observation_of(delivered_parcel(NUMBER, timedelta(days=60)), "lookup") is not None
    assert observation_of(delivered_parcel(NUMBER, timedelta(days=61)), "lookup") is None  # lost and found
    assert observation_of(delivered_parcel(NUMBER, timedelta(hours=-1)), "lookup") is None  # clocks disagree


def test_a_parcel_whose_first_scan_is_its_delivery_teaches_nothing():
    parcel = delivered_parcel(NUMBER, timedelta(hours=75))
    delivered_only = replace(parcel, events=(parcel.events[0],))
    assert acceptance_scan(delivered_only) is not None
    assert observation_of(delivered_only, "lookup") is None


def test_nz_post_parcels_go_to_new_zealand_and_services_are_compared_without_case():
    parcel = delivered_parcel("CL092594238NZ", timedelta(hours=30), carrier="nzpost", country="")
    assert lane_of(parcel).destination == "NZ"
    assert lane_of(replace(parcel, service=" Parcel Ground ")).service == "parcel ground"


def test_the_key_names_the_parcel_without_holding_its_number(settings):
    key = parcel_key("postplus", NUMBER)
    assert key == parcel_key("postplus", NUMBER.lower())  # the same parcel, however it was typed
    assert key != parcel_key("postplus", "LB123456794EE") and key != parcel_key("nzpost", NUMBER)
    assert len(key) == 64 and NUMBER not in key and NUMBER.lower() not in key
    settings.SECRET_KEY = "another-site-secret"  # noqa: S105 - a test secret
    assert parcel_key("postplus", NUMBER) != key  # keyed: without the site's secret the number cannot be tried
