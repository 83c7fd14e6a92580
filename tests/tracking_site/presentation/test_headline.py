"""The answer a page opens with: the status with its "when" (today, tomorrow, a weekday, a date), late, estimates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from carriers.model import Parcel, Place, Status, TrackingEvent, parcel_from_events
from tracking_site.estimates.figures import LaneFigure
from tracking_site.presentation.arrival import CARRIER, ESTIMATE, ExpectedDelivery, expected_delivery
from tracking_site.presentation.headline import answer_for, build_headline
from tracking_site.presentation.local_times import day_words

CHICAGO = ZoneInfo("America/Chicago")
# Tuesday 1 December 2026, 10:00 in Chicago.
NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
TUESDAY = date(2026, 12, 1)


CHICAGO_IL = Place(city="Chicago", region="IL")


def dhl(status: Status, *, expected: date | None = None, place: Place = CHICAGO_IL) -> Parcel:
    start = datetime(2026, 11, 28, 9, tzinfo=CHICAGO)
    return parcel_from_events(
        carrier="dhl-ecommerce",
        tracking_number="GM2951173225174494",
        events=[
            TrackingEvent(start, Status.INFO_RECEIVED, "ELECTRONIC NOTIFICATION RECEIVED"),
            TrackingEvent(start + timedelta(hours=5), Status.IN_TRANSIT, "PICKED UP", Place(city="Melrose Park")),
            TrackingEvent(datetime(2026, 12, 1, 8, 31, tzinfo=CHICAGO), status, "SCAN", place),
        ],
        expected_delivery=expected,
    )


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (TUESDAY, "today"),
        (TUESDAY + timedelta(days=1), "tomorrow"),
        (TUESDAY - timedelta(days=1), "yesterday"),
        (TUESDAY + timedelta(days=4), "Saturday"),
        (TUESDAY - timedelta(days=6), "Wednesday"),
        (TUESDAY + timedelta(days=7), "Tuesday 8 December"),
        (date(2027, 1, 5), "Tuesday 5 January 2027"),
    ],
)
def test_day_words(day, words):
    assert day_words(day, TUESDAY) == words


def test_day_words_follow_the_language():
    with translation.override("nl"):
        assert day_words(TUESDAY, TUESDAY) == "vandaag"
        assert day_words(TUESDAY + timedelta(days=3), TUESDAY) == "vrijdag"


def carrier_date(day: date) -> ExpectedDelivery:
    return ExpectedDelivery(CARRIER, day, day)


@pytest.mark.parametrize(
    ("expected", "text", "late", "today"),
    [
        (TUESDAY, "In transit: arriving today", False, True),
        (TUESDAY + timedelta(days=1), "In transit: arriving tomorrow", False, False),
        (TUESDAY + timedelta(days=3), "In transit: arriving Friday", False, False),
        (TUESDAY - timedelta(days=2), "Late: was expected Sunday", True, False),
    ],
)
def test_a_carrier_date_in_words_and_late_once_it_passed(expected, text, late, today):
    answer = answer_for(dhl(Status.IN_TRANSIT, expected=expected), carrier_date(expected), NOW)
    assert (answer.text, answer.late, answer.arriving_today) == (text, late, today)


def test_today_is_the_parcels_today_not_the_servers():
    # 23:30 in Chicago on Monday is already Tuesday in UTC: the parcel's day is still Monday.
    monday_night = datetime(2026, 12, 1, 5, 30, tzinfo=UTC)
    monday = date(2026, 11, 30)
    parcel = replace(dhl(Status.IN_TRANSIT, expected=monday), events=dhl(Status.IN_TRANSIT).events[1:])
    assert answer_for(parcel, carrier_date(monday), monday_night).text == "In transit: arriving today"


def test_out_for_delivery_arrives_today_even_past_the_carriers_date():
    answer = answer_for(dhl(Status.OUT_FOR_DELIVERY), carrier_date(TUESDAY - timedelta(days=3)), NOW)
    assert answer.text == "Out for delivery: arriving today" and answer.arriving_today and not answer.late


def test_out_for_delivery_since_an_earlier_day_says_since_when_not_today():
    parcel = dhl(Status.OUT_FOR_DELIVERY)  # its scan: Tuesday 08:31 in Chicago
    answer = answer_for(parcel, None, NOW + timedelta(days=1))
    assert answer.text == "Out for delivery since yesterday" and not answer.arriving_today
    assert answer.printed == "Out for delivery since Tuesday 1 December"
    assert answer_for(parcel, None, NOW).printed == "Out for delivery: arriving Tuesday 1 December"


def test_a_late_evening_out_for_delivery_scan_still_arrives_today_after_midnight():
    parcel = dhl(Status.OUT_FOR_DELIVERY)  # its scan: Tuesday 08:31 in Chicago
    two_hours_later_next_day = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)  # Wednesday 00:00 in Chicago
    late = replace(
        parcel,
        events=(replace(parcel.events[0], occurred_at=datetime(2026, 12, 1, 22, 0, tzinfo=CHICAGO)),)
        + parcel.events[1:],
    )
    assert answer_for(late, None, two_hours_later_next_day).text == "Out for delivery: arriving today"


def test_waiting_at_a_pickup_point_says_where_and_never_late():
    parcel = dhl(Status.AWAITING_PICKUP, place=Place(depot="Brooklyn Post Office"))
    answer = answer_for(parcel, carrier_date(TUESDAY - timedelta(days=1)), NOW)
    assert answer.text == "Waiting for you at the pickup point, Brooklyn Post Office" and not answer.late


def test_delivered_says_when_and_where():
    parcel = dhl(Status.DELIVERED)
    assert answer_for(parcel, None, NOW).text == "Delivered today 08:31, Chicago"
    assert answer_for(parcel, None, NOW + timedelta(days=1)).text == "Delivered yesterday 08:31, Chicago"
    assert answer_for(parcel, None, NOW + timedelta(days=3)).text == "Delivered Tuesday 08:31, Chicago"


def test_a_place_in_the_answer_is_not_repeated_under_it():
    assert build_headline(dhl(Status.DELIVERED), None, NOW).place == ""
    assert build_headline(dhl(Status.IN_TRANSIT), None, NOW).place == "Chicago, IL"


def test_without_a_date_the_status_alone():
    assert answer_for(dhl(Status.IN_TRANSIT), None, NOW).text == "In transit"
    assert answer_for(dhl(Status.EXCEPTION), None, NOW).text == "Held up on the way"


# --- estimates ----------------------------------------------------------------------------------------------


def nz_parcel(accepted_hours_ago: float) -> Parcel:
    accepted = NOW - timedelta(hours=accepted_hours_ago)
    return parcel_from_events(
        carrier="nzpost",
        tracking_number="CL092594238NZ",
        events=[
            TrackingEvent(accepted - timedelta(hours=3), Status.INFO_RECEIVED, "Ready to send"),
            TrackingEvent(accepted, Status.IN_TRANSIT, "Picked up", Place(depot="Hamilton Fleet")),
        ],
    )


DAY = 86400


def test_an_estimate_counts_the_lanes_range_from_the_first_scan_in_local_dates():
    # Accepted Tue 1 Dec 05:00 NZDT (Mon 16:00 UTC); 2 to 4 days later: Thursday to Saturday in New Zealand.
    parcel = nz_parcel(24)
    expected = expected_delivery(parcel, LaneFigure(2 * DAY, 4 * DAY, 31))
    assert expected == ExpectedDelivery(ESTIMATE, date(2026, 12, 3), date(2026, 12, 5), 31)
    headline = build_headline(parcel, expected, NOW)
    # 16:00 UTC is Wednesday 05:00 in New Zealand: "tomorrow" is Thursday.
    assert headline.answer.text == "In transit: likely tomorrow to Saturday"
    assert headline.estimate_basis == "An estimate based on 31 parcels delivered on this route."


def test_an_estimate_whose_start_passed_starts_today_and_one_whose_end_passed_says_so():
    assert answer_for(
        nz_parcel(24), ExpectedDelivery(ESTIMATE, date(2026, 12, 1), date(2026, 12, 4), 20), NOW
    ).text == ("In transit: likely today to Friday")
    same_day = ExpectedDelivery(ESTIMATE, date(2026, 12, 1), date(2026, 12, 2), 20)
    assert answer_for(nz_parcel(24), same_day, NOW).text == "In transit: likely today"
    passed = ExpectedDelivery(ESTIMATE, date(2026, 11, 28), date(2026, 11, 30), 20)
    answer = answer_for(nz_parcel(24), passed, NOW)
    assert answer.text == "In transit: taking longer than usual" and not answer.late  # an estimate is no promise


def test_no_estimate_for_a_carrier_date_a_finished_parcel_or_one_never_scanned():
    figure = LaneFigure(2 * DAY, 4 * DAY, 31)
    with_date = dhl(Status.IN_TRANSIT, expected=TUESDAY)
    assert expected_delivery(with_date, figure) == carrier_date(TUESDAY)
    assert expected_delivery(dhl(Status.DELIVERED), figure) is None
    held = replace(nz_parcel(24), status=Status.EXCEPTION)
    assert expected_delivery(held, figure) is None
    announced = replace(nz_parcel(24), events=nz_parcel(24).events[1:], status=Status.INFO_RECEIVED)
    assert expected_delivery(announced, figure) is None


def test_the_json_form_of_both_sources():
    assert carrier_date(TUESDAY).as_json() == {
        "source": "carrier",
        "earliest": "2026-12-01",
        "latest": "2026-12-01",
        "based_on": None,
    }
    assert ExpectedDelivery(ESTIMATE, date(2026, 12, 3), date(2026, 12, 5), 31).as_json() == {
        "source": "estimate",
        "earliest": "2026-12-03",
        "latest": "2026-12-05",
        "based_on": 31,
    }
