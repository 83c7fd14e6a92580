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
from tracking_site.presentation.local_times import day_range_words, day_words
from tracking_site.presentation.timeline import timeline_days

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
        (TUESDAY + timedelta(days=4), "Saturday 5 December"),  # a weekday alone is a riddle a week on
        (TUESDAY - timedelta(days=6), "Wednesday 25 November"),
        (TUESDAY + timedelta(days=7), "Tuesday 8 December"),
        (date(2027, 1, 5), "Tuesday 5 January 2027"),
    ],
)
def test_day_words(day, words):
    assert day_words(day, TUESDAY) == words


@pytest.mark.parametrize(
    ("first", "last", "words"),
    [
        (date(2026, 12, 10), date(2026, 12, 12), ("Thursday 10", "Saturday 12 December")),
        (date(2026, 11, 30), date(2026, 12, 2), ("Monday 30 November", "Wednesday 2 December")),
        (date(2026, 12, 31), date(2027, 1, 2), ("Thursday 31 December 2026", "Saturday 2 January 2027")),
    ],
)
def test_a_range_names_its_days_by_date_and_the_month_once_where_shared(first, last, words):
    assert day_range_words(first, last, TUESDAY) == words
    with translation.override("nl"):
        assert day_range_words(date(2026, 12, 10), date(2026, 12, 12), TUESDAY) == (
            "donderdag 10",
            "zaterdag 12 december",
        )


def test_day_words_follow_the_language():
    with translation.override("nl"):
        assert day_words(TUESDAY, TUESDAY) == "vandaag"
        assert day_words(TUESDAY + timedelta(days=3), TUESDAY) == "vrijdag 4 december"


def carrier_date(day: date) -> ExpectedDelivery:
    return ExpectedDelivery(CARRIER, day, day)


@pytest.mark.parametrize(
    ("expected", "text", "late", "today"),
    [
        (TUESDAY, "In transit: arriving today", False, True),
        (TUESDAY + timedelta(days=1), "In transit: arriving tomorrow", False, False),
        (TUESDAY + timedelta(days=3), "In transit: arriving Friday 4 December", False, False),
        (TUESDAY - timedelta(days=2), "Late: was expected Sunday 29 November", True, False),
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
    assert answer_for(parcel, None, NOW + timedelta(days=3)).text == "Delivered Tuesday 1 December 08:31, Chicago"


def test_the_answer_is_said_in_the_languages_own_order_and_formats():
    """A date inside a sentence may take an article ("el martes"), and a time its own words ("a las")."""
    delivered = dhl(Status.DELIVERED)
    with translation.override("es"):
        assert answer_for(delivered, None, NOW + timedelta(days=1)).text == "Entregado ayer a las 08:31, Chicago"
        assert answer_for(delivered, None, NOW + timedelta(days=3)).text == (
            "Entregado el martes 1 de diciembre a las 08:31, Chicago"
        )
        in_transit = dhl(Status.IN_TRANSIT)
        coming = answer_for(in_transit, carrier_date(TUESDAY + timedelta(days=3)), NOW)
        assert coming.text == "En tránsito: llega el viernes 4 de diciembre"
        assert (
            answer_for(in_transit, carrier_date(TUESDAY + timedelta(days=1)), NOW).text == "En tránsito: llega mañana"
        )
        assert day_range_words(date(2026, 12, 10), date(2026, 12, 12), TUESDAY) == (
            "el jueves 10",
            "el sábado 12 de diciembre",
        )


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
    # A range names its days by their dates, never "tomorrow to Saturday".
    assert headline.answer.text == "In transit: likely Thursday 3 to Saturday 5 December"
    assert headline.answer.printed == headline.answer.text
    assert headline.estimate_basis == "An estimate based on 31 parcels delivered on this route."


def test_an_estimate_whose_start_passed_starts_today_and_one_whose_end_passed_says_so():
    assert answer_for(
        nz_parcel(24), ExpectedDelivery(ESTIMATE, date(2026, 12, 1), date(2026, 12, 4), 20), NOW
    ).text == ("In transit: likely Wednesday 2 to Friday 4 December")  # from today (in New Zealand), by date
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


# --- parcels not yet scanned: a label is not a place ---------------------------------------------------------


MELROSE_PARK = Place(city="Melrose Park", region="IL")


def label_only(carrier: str = "dhl-ecommerce", place: Place = MELROSE_PARK) -> Parcel:
    return parcel_from_events(
        carrier=carrier,
        tracking_number="GM295117494011076422",
        events=[
            TrackingEvent(NOW - timedelta(hours=3), Status.INFO_RECEIVED, "ELECTRONIC NOTIFICATION RECEIVED", place)
        ],
        expected_delivery=TUESDAY + timedelta(days=4),
    )


def test_a_label_not_yet_scanned_says_so_and_gives_no_place():
    parcel = label_only()
    headline = build_headline(parcel, carrier_date(parcel.expected_delivery), NOW)
    assert headline.answer.text == "The sender has created a label; DHL eCommerce has not scanned it yet"
    assert headline.answer.printed == headline.answer.text and not headline.answer.late
    assert headline.place == "" and not headline.scanned  # not "Last scan … Melrose Park"
    assert headline.next_step == "Expected Saturday 5 December"
    late = build_headline(parcel, carrier_date(TUESDAY - timedelta(days=2)), NOW)
    assert late.next_step == "It was expected Sunday 29 November" and not late.answer.late
    with translation.override("nl"):
        assert answer_for(parcel, None, NOW).text == (
            "De afzender heeft een label gemaakt; DHL eCommerce heeft het nog niet gescand"
        )


def test_an_nz_post_parcel_only_ready_to_send_shows_no_depot_anywhere():
    parcel = label_only("nzpost", Place(depot="Auckland Central Fleet"))
    headline = build_headline(parcel, None, NOW)
    assert headline.answer.text == "The sender has created a label; NZ Post has not scanned it yet"
    assert headline.place == "" and headline.next_step == ""
    assert timeline_days(parcel, NOW, "en")[0].events[0].place == ""


def test_once_scanned_the_labels_place_is_still_not_where_it_is():
    parcel = parcel_from_events(
        carrier="dhl-ecommerce",
        tracking_number="GM295117494011076422",
        events=[
            *label_only().events,
            TrackingEvent(NOW - timedelta(hours=1), Status.IN_TRANSIT, "PROCESSED"),  # a scan that names no place
        ],
    )
    headline = build_headline(parcel, None, NOW)
    assert headline.scanned and headline.place == "" and headline.answer.text == "In transit"


# --- the next action in the answer ----------------------------------------------------------------------------


def failed(description: str, hours_ago: float = 3) -> Parcel:
    return parcel_from_events(
        carrier="postplus",
        tracking_number="UA550182640LT",
        destination_country="LT",
        events=[
            TrackingEvent(NOW - timedelta(days=1), Status.OUT_FOR_DELIVERY, "", Place(city="Vilnius")),
            TrackingEvent(NOW - timedelta(hours=hours_ago), Status.DELIVERY_FAILED, description, Place(city="Vilnius")),
        ],
    )


def test_a_failed_delivery_says_when_the_carrier_tries_again():
    # 16:00 UTC is 18:00 in Vilnius: the scan was today there, so its "tomorrow" is Wednesday.
    parcel = failed("Delivery unsuccessful: recipient not available, new attempt tomorrow")
    answer = answer_for(parcel, None, NOW)
    assert answer.text == "Missed you: next attempt tomorrow"
    assert answer.printed == "Missed you: next attempt Wednesday 2 December"
    assert answer_for(parcel, None, NOW + timedelta(days=1)).text == "Missed you: next attempt today"
    # Once the attempt's day has passed the carrier's words are stale: the status alone.
    assert answer_for(parcel, None, NOW + timedelta(days=2)).text == "Delivery attempt failed"
    with translation.override("nl"):
        assert answer_for(parcel, None, NOW).text == "Gemist: volgende poging morgen"


def test_a_failed_delivery_without_a_next_day_says_only_that_it_failed():
    answer = answer_for(failed("We tried to deliver your item. We've left a card."), None, NOW)
    assert answer.text == "Delivery attempt failed"


def pickup(description: str, depot: str = "PostShop Lambton Quay") -> Parcel:
    return parcel_from_events(
        carrier="nzpost",
        tracking_number="RN277193855NZ",
        events=[
            TrackingEvent(NOW - timedelta(days=2), Status.IN_TRANSIT, "Picked up", Place(depot="Tauranga Fleet")),
            TrackingEvent(NOW - timedelta(hours=3), Status.AWAITING_PICKUP, description, Place(depot=depot)),
        ],
    )


def test_a_pickup_says_where_and_until_when_whenever_the_carrier_gives_it():
    parcel = pickup("Ready to collect. Please collect by 12 December.")
    answer = answer_for(parcel, None, NOW)
    assert answer.text == "Waiting for you at the pickup point, PostShop Lambton Quay, until Saturday 12 December"
    assert answer.printed == answer.text
    assert answer_for(pickup("Ready to collect within 7 days"), None, NOW).text.endswith(
        ", until Wednesday 9 December"
    )  # said on Wednesday 2 there
    assert answer_for(pickup("Ready to collect."), None, NOW).text == (
        "Waiting for you at the pickup point, PostShop Lambton Quay"
    )
    assert answer_for(pickup("Collect by 12 December", depot=""), None, NOW).text == (
        "Waiting for you at the pickup point until Saturday 12 December"
    )
    # A deadline already past is not repeated as if it still held.
    assert "until" not in answer_for(parcel, None, NOW + timedelta(days=20)).text


def returned(*earlier: tuple[Status, str], last: str = "Your item has been returned to the sender.") -> Parcel:
    hours = len(earlier) + 1
    events = [TrackingEvent(NOW - timedelta(hours=hours - i), s, d) for i, (s, d) in enumerate(earlier)]
    events.append(TrackingEvent(NOW - timedelta(minutes=30), Status.RETURNED, last, Place(depot="Nelson Fleet")))
    return parcel_from_events(carrier="nzpost", tracking_number="6640213398700152AKL007CP", events=events)


@pytest.mark.parametrize(
    ("parcel", "text"),
    [
        (
            returned((Status.DELIVERY_FAILED, "We tried to deliver your item but the address could not be found.")),
            "Returned: address not found",
        ),
        (
            returned((Status.DELIVERY_FAILED, "DELIVERY ATTEMPTED – ADDRESSEE UNKNOWN")),
            "Returned: recipient not known at the address",
        ),
        (
            returned(last="Parcel returned to sender: customs clearance not completed"),
            "Returned: customs clearance not completed",
        ),
        (returned(last="RETURNED TO SENDER - REFUSED BY RECIPIENT"), "Returned: refused at delivery"),
        (
            returned((Status.AWAITING_PICKUP, "Ready to collect"), last="Not collected: returned"),
            "Returned: not collected in time",
        ),
        # "Customs cleared" on the way is no reason for the return: the answer says only that it was returned.
        (
            returned((Status.IN_TRANSIT, "Customs cleared"), (Status.IN_TRANSIT, "Address label printed")),
            "Returned to sender",
        ),
    ],
)
def test_a_return_says_why_in_our_words(parcel, text):
    assert answer_for(parcel, None, NOW).text == text


def test_a_return_says_who_to_ask_the_sender_before_the_carrier():
    parcel = returned((Status.DELIVERY_FAILED, "The address could not be found."))
    step = build_headline(parcel, None, NOW).next_step
    assert step == (
        "Ask the sender what happens now: a new delivery or a refund. NZ Post can tell you where the parcel is."
    )
    assert step.index("sender") < step.index("NZ Post")
    with translation.override("nl"):
        assert answer_for(parcel, None, NOW).text == "Teruggestuurd: adres niet gevonden"
        assert build_headline(parcel, None, NOW).next_step.startswith("Vraag de afzender")
