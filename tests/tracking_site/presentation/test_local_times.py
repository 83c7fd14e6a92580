"""Honest times: local where it happened, with the zone; UTC-only carriers shown in the destination's zone."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from carriers.model import Parcel, Status
from tracking_site.presentation.local_times import (
    date_in_sentence,
    gave_only_utc,
    local_text,
    long_date,
    relative_text,
    shown_time,
    zone_for_utc_times,
    zone_label,
)

NOW = datetime(2024, 5, 2, 20, 0, tzinfo=UTC)


def parcel(carrier: str, country: str = "") -> Parcel:
    return Parcel(carrier=carrier, tracking_number="X12345", status=Status.IN_TRANSIT, destination_country=country)


def test_dhl_time_is_shown_in_its_own_zone_with_the_zone_name():
    chicago = datetime(2024, 5, 2, 14, 31, tzinfo=ZoneInfo("America/Chicago"))
    shown = shown_time(chicago, NOW)
    assert shown.text == "Thu 2 May, 14:31 CDT"
    assert shown.iso == "2024-05-02T14:31:00-05:00"


def test_a_fixed_offset_is_named_by_its_offset():
    plus_two = datetime(2024, 5, 2, 9, 5, tzinfo=timezone(timedelta(hours=2)))
    assert shown_time(plus_two, NOW).text == "Thu 2 May, 09:05 UTC+2"
    assert zone_label(datetime(2024, 5, 2, tzinfo=timezone(timedelta(hours=5, minutes=30)))) == "UTC+5:30"
    assert zone_label(datetime(2024, 5, 2, tzinfo=timezone(timedelta(hours=-3)))) == "UTC-3"


def test_nz_post_utc_time_is_shown_in_new_zealand_time():
    utc = datetime(2024, 5, 2, 1, 0, tzinfo=UTC)
    shown = shown_time(utc, NOW, zone_for_utc_times(parcel("nzpost")))
    assert shown.text == "Thu 2 May, 13:00 NZST"
    assert shown.iso == "2024-05-02T13:00:00+12:00"


def test_postplus_utc_time_is_shown_in_the_destination_country_zone():
    utc = datetime(2024, 5, 2, 10, 0, tzinfo=UTC)
    assert shown_time(utc, NOW, zone_for_utc_times(parcel("postplus", "FI"))).text == "Thu 2 May, 13:00 EEST"


def test_a_real_local_offset_is_never_moved_to_another_zone():
    berlin = datetime(2024, 5, 2, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert shown_time(berlin, NOW, ZoneInfo("Pacific/Auckland")).text == "Thu 2 May, 10:00 CEST"
    london_winter = datetime(2024, 1, 2, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    assert not gave_only_utc(london_winter)


def test_unknown_destination_keeps_utc_rather_than_guessing():
    assert zone_for_utc_times(parcel("postplus", "US")) is None
    utc = datetime(2024, 5, 2, 10, 0, tzinfo=UTC)
    assert shown_time(utc, NOW, None).text == "Thu 2 May, 10:00 UTC"


def test_another_year_is_spelled_out():
    last_year = datetime(2023, 12, 30, 8, 0, tzinfo=UTC)
    assert local_text(last_year, NOW) == "Sat 30 Dec 2023, 08:00 UTC"


@pytest.mark.parametrize(
    ("moment", "words"),
    [
        (NOW - timedelta(seconds=20), "just now"),
        (NOW - timedelta(minutes=5), "5\xa0minutes\xa0ago"),  # no-break spaces keep the phrase on one line
        (NOW - timedelta(hours=3, minutes=20), "3\xa0hours\xa0ago"),
        (NOW - timedelta(days=2, hours=5), "2\xa0days\xa0ago"),
        (NOW + timedelta(days=1), "in\xa01\xa0day"),
    ],
)
def test_relative_time_in_words(moment, words):
    assert relative_text(moment, NOW) == words


def test_times_follow_each_languages_formats():
    chicago = datetime(2024, 5, 2, 14, 31, tzinfo=ZoneInfo("America/Chicago"))
    with translation.override("es"):
        assert local_text(chicago, NOW) == "jue 2 may, 14:31 CDT"
        assert local_text(datetime(2023, 12, 30, 8, 0, tzinfo=UTC), NOW) == "sáb 30 dic 2023, 08:00 UTC"
        assert long_date(date(2024, 5, 2), date(2024, 5, 1)) == "jueves 2 de mayo"  # a heading stands alone
        assert date_in_sentence(date(2024, 5, 2), date(2024, 5, 1)) == "el jueves 2 de mayo"
        assert date_in_sentence(date(2025, 1, 2), date(2024, 5, 1)) == "el jueves 2 de enero de 2025"
        assert relative_text(NOW - timedelta(hours=3), NOW) == "hace\xa03\xa0horas"


def test_times_are_translated_to_dutch():
    chicago = datetime(2024, 5, 2, 14, 31, tzinfo=ZoneInfo("America/Chicago"))
    with translation.override("nl"):
        assert local_text(chicago, NOW) == "do 2 mei, 14:31 CDT"
        assert relative_text(NOW - timedelta(hours=3), NOW) == "3\xa0uur\xa0geleden"


@pytest.mark.parametrize(
    ("language", "hours", "ago", "later"),
    [
        # Each language's own case after its "ago" and "in", for each plural form (Django's durations fit one case,
        # and its Lithuanian catalogue leaves them in English).
        ("lt", 1, "prieš 1 valandą", "po 1 valandos"),
        ("lt", 2, "prieš 2 valandas", "po 2 valandų"),
        ("lt", 11, "prieš 11 valandų", "po 11 valandų"),
        ("lv", 1, "pirms 1 stundas", "pēc 1 stundas"),
        ("lv", 3, "pirms 3 stundām", "pēc 3 stundām"),
        ("fi", 2, "2 tuntia sitten", "2 tunnin kuluttua"),
        ("et", 2, "2 tundi tagasi", "2 tunni pärast"),
        ("sv", 2, "för 2 timmar sedan", "om 2 timmar"),
    ],
)
def test_how_long_ago_is_a_whole_phrase_in_each_language(language, hours, ago, later):
    with translation.override(language):
        assert relative_text(NOW - timedelta(hours=hours), NOW).replace("\xa0", " ") == ago
        assert relative_text(NOW + timedelta(hours=hours), NOW).replace("\xa0", " ") == later
