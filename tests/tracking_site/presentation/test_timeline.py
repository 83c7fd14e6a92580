"""The timeline: grouped by the local day of each scan, one time each, carrier text readable and marked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import translation

from carriers.model import Place, Status, TrackingEvent, parcel_from_events
from tracking_site.presentation.results_summary import ResultCounts, names_or, summary_line
from tracking_site.presentation.timeline import TimelineEvent, timeline_days

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)  # Tuesday 15:00 in New York


def test_scans_are_grouped_by_the_day_they_happened_there_newest_first():
    events = [
        TrackingEvent(
            datetime(2026, 11, 29, 23, 50, tzinfo=NEW_YORK), Status.IN_TRANSIT, "DEPARTED", Place(city="Newark")
        ),
        TrackingEvent(
            datetime(2026, 11, 30, 0, 10, tzinfo=NEW_YORK), Status.IN_TRANSIT, "ARRIVED", Place(city="Brooklyn")
        ),
        TrackingEvent(
            datetime(2026, 12, 1, 7, 5, tzinfo=NEW_YORK), Status.OUT_FOR_DELIVERY, "", Place(city="Brooklyn")
        ),
    ]
    parcel = parcel_from_events(carrier="dhl-ecommerce", tracking_number="GM2951173225174494", events=events)
    days = timeline_days(parcel, NOW, "en")
    assert [(day.heading, day.relative) for day in days] == [
        ("Tuesday 1 December", "today"),
        ("Monday 30 November", "yesterday"),
        ("Sunday 29 November", ""),
    ]
    assert [[event.clock for event in day.events] for day in days] == [["07:05 EST"], ["00:10 EST"], ["23:50 EST"]]
    newest = days[0].events[0]
    assert newest.description == "Out for delivery" and newest.lang == ""  # our words where the carrier said none
    assert days[1].events[0].description == "Arrived" and days[1].events[0].place == "Brooklyn"


def test_carrier_text_carries_its_language_on_a_page_in_another():
    parcel = parcel_from_events(
        carrier="nzpost",
        tracking_number="CL092594238NZ",
        events=[TrackingEvent(NOW - timedelta(hours=2), Status.IN_TRANSIT, "Processing at depot")],
    )
    with translation.override("nl"):
        [dutch] = timeline_days(parcel, NOW, "nl")[0].events
    assert (dutch.description, dutch.lang, dutch.original, dutch.original_lang) == (
        "Onderweg",
        "",
        "Processing at depot",
        "en",
    )
    [english] = timeline_days(parcel, NOW, "en")[0].events
    assert (english.description, english.lang, english.original) == ("Processing at depot", "", "")


def test_nz_post_utc_scans_fall_on_new_zealand_days():
    late_utc = datetime(2026, 12, 1, 12, 30, tzinfo=UTC)  # 01:30 on Wednesday in Auckland
    parcel = parcel_from_events(
        carrier="nzpost", tracking_number="CL092594238NZ", events=[TrackingEvent(late_utc, Status.IN_TRANSIT, "Scan")]
    )
    [day] = timeline_days(parcel, NOW, "en")
    assert day.iso == "2026-12-02" and day.events[0].clock == "01:30 NZDT"


def test_the_summary_line_counts_what_matters_and_leaves_out_zeros():
    assert summary_line(ResultCounts(searched=4, found=3, arriving_today=1)) == "3 of 4 found · 1 arriving today"
    line = summary_line(ResultCounts(searched=5, found=4, delivered=2, need_you=1, unanswered=1, rejected=2))
    assert line == "4 of 5 found · 1 needs you · 2 delivered · 1 not checked · 2 not tracking numbers"


def test_carriers_asked_are_listed_with_or():
    assert names_or([]) == ""
    assert names_or(["NZ Post"]) == "NZ Post"
    assert names_or(["NZ Post", "PostPlus"]) == "NZ Post or PostPlus"
    assert names_or(["DHL eCommerce", "NZ Post", "PostPlus"]) == "DHL eCommerce, NZ Post or PostPlus"


def nz_line(code: str, status: Status, description: str, language: str) -> TimelineEvent:
    """The timeline's line for one NZ Post scan, on a page in `language`."""
    scan = TrackingEvent(NOW - timedelta(hours=2), status, description, Place(depot="Wellington Fleet"), code=code)
    parcel = parcel_from_events(carrier="nzpost", tracking_number="CL092594238NZ", events=[scan])
    with translation.override(language):
        [line] = timeline_days(parcel, NOW, language)[0].events
    return line


def test_a_scan_we_understand_is_said_in_our_words_with_the_carriers_beside_them():
    said = "We tried to deliver your item but couldn't. We've left a card with details of what to do next."
    event = nz_line("42", Status.DELIVERY_FAILED, said, "es")
    assert event.description == "El repartidor intentó entregarlo" and event.lang == ""
    assert event.original == said and event.original_lang == "en"  # quoted in the carrier's language


def test_the_carriers_words_are_left_out_where_they_say_what_ours_say():
    english = nz_line("22", Status.DELIVERED, "DELIVERED", "en")
    assert english.description == "Delivered" and english.original == ""
    dutch = nz_line("22", Status.DELIVERED, "DELIVERED", "nl")
    assert dutch.description == "Bezorgd" and dutch.original == "Delivered" and dutch.original_lang == "en"


def test_a_scan_whose_code_we_do_not_know_is_said_by_its_status_with_the_carriers_words_beside():
    said = "Item sorted at the international gateway"
    spanish = nz_line("9999", Status.IN_TRANSIT, said, "es")
    assert spanish.description == "En tránsito" and spanish.lang == ""
    assert spanish.original == said and spanish.original_lang == "en"
    # On a page in the carrier's own language its words say more than a status, and stand alone.
    english = nz_line("9999", Status.IN_TRANSIT, said, "en")
    assert english.description == said and english.original == ""


def test_a_scan_of_unknown_status_keeps_the_carriers_words_marked_with_their_language():
    event = nz_line("9999", Status.UNKNOWN, "Item scanned", "es")
    assert event.description == "Item scanned" and event.lang == "en" and event.original == ""


def test_the_timeline_days_and_times_follow_the_languages_formats():
    parcel = parcel_from_events(
        carrier="dhl-ecommerce",
        tracking_number="GM2951173225174494",
        events=[TrackingEvent(datetime(2026, 11, 29, 23, 50, tzinfo=NEW_YORK), Status.IN_TRANSIT, "DEPARTED")],
    )
    with translation.override("es"):
        [day] = timeline_days(parcel, NOW, "es")
    assert day.heading == "domingo 29 de noviembre" and day.events[0].clock == "23:50 EST"
