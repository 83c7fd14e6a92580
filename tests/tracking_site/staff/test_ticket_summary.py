"""The console's summary for a ticket: what the customer's page says, in the customer's language, with the link."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.utils import translation

from carriers.fakes import nzpost as fake_nzpost
from carriers.model import Place, Status, TrackingEvent, parcel_from_events
from tracking_site.staff.ticket_summary import ticket_summary

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
LINK = "https://track.example.com/track/postplus/LB123456785EE/"
RIGA = Place(city="Riga", country="LV")


def delivered_in_riga():
    return parcel_from_events(
        carrier="postplus",
        tracking_number="LB123456785EE",
        destination_country="LV",
        events=[
            TrackingEvent(NOW - timedelta(days=5), Status.IN_TRANSIT, "Accepted", Place(city="Tallinn")),
            # 14:06 UTC is 16:06 in Riga, on Sunday 6 December.
            TrackingEvent(datetime(2026, 12, 6, 14, 6, tzinfo=UTC), Status.DELIVERED, "Delivered", RIGA),
        ],
    )


def test_the_summary_is_the_customers_answer_with_days_by_their_dates_and_the_link():
    summary = ticket_summary(delivered_in_riga(), None, LINK, "en", NOW)
    assert summary == f"LB 123 456 785 EE, PostPlus: Delivered Sunday 6 December 16:06, Riga\n{LINK}"


def test_the_summary_speaks_the_customers_language_whatever_the_console_speaks():
    with translation.override("en"):
        summary = ticket_summary(delivered_in_riga(), None, LINK, "nl", NOW)
        assert translation.get_language() == "en"
    assert summary == f"LB 123 456 785 EE, PostPlus: Bezorgd zondag 6 december 16:06, Riga\n{LINK}"


def test_a_parcel_out_today_is_dated_not_called_today():
    parcel = parcel_from_events(
        carrier="postplus",
        tracking_number="LB123456785EE",
        destination_country="LV",
        events=[TrackingEvent(NOW - timedelta(hours=1), Status.OUT_FOR_DELIVERY, "With courier", RIGA)],
    )
    assert ticket_summary(parcel, None, "", "en", NOW) == (
        "LB 123 456 785 EE, PostPlus: Out for delivery: arriving Tuesday 8 December"
    )


def summaries(body: str) -> list[str]:
    found = re.findall(r'class="share-link" rows="3" readonly lang="\w+">(.*?)</textarea>', body, re.S)
    return [unescape(text) for text in found]


def test_the_console_offers_each_result_summed_up_in_the_language_chosen(staff_client, settings):
    settings.SITE_URL = "https://track.example.com"
    asked = {"partial_reference": "cp5831", "summary-language": "nl"}
    body = staff_client.post("/staff/search/nzpost-partial/", asked).content.decode()
    (summary,) = summaries(body)
    first, link = summary.split("\n")
    assert first == "CP 583 102 644 NZ, NZ Post: Bezorgpoging mislukt"
    assert link == f"https://track.example.com/track/nzpost/{fake_nzpost.DELIVERY_FAILED_S10}/"
    assert 'lang="nl"' in body and '<option value="nl" selected>Nederlands</option>' in body
    assert '<button type="button" class="copy-link" hidden>Copy summary</button>' in body


def test_the_language_menu_lists_the_sites_languages_as_they_are(staff_client, settings):
    settings.LANGUAGES = [*settings.LANGUAGES, ("de", "Deutsch")]
    body = staff_client.get("/staff/search/nzpost-partial/").content.decode()
    options = re.findall(r'<option value="(\w+)"', body)
    assert options == ["en", "nl", "et", "lv", "lt", "fi", "sv", "es", "de"]


def test_the_summary_says_what_the_customers_page_says(staff_client, client):
    asked = {"partial_reference": "cp5831", "summary-language": "nl"}
    (summary,) = summaries(staff_client.post("/staff/search/nzpost-partial/", asked).content.decode())
    with translation.override("nl"):
        page = client.get(f"/track/nzpost/{fake_nzpost.DELIVERY_FAILED_S10}/", HTTP_ACCEPT_LANGUAGE="nl")
    headline = re.search(r'<h1 class="headline">.*?</span> (.*?)</h1>', page.content.decode()).group(1)
    assert summary.split("\n")[0].endswith(f": {unescape(headline)}")


def test_without_a_choice_the_summary_is_in_the_consoles_language(staff_client):
    body = staff_client.post("/staff/search/nzpost-partial/", {"partial_reference": "cp5831"}).content.decode()
    (summary,) = summaries(body)
    assert summary.startswith("CP 583 102 644 NZ, NZ Post: ")
    assert 'lang="en"' in body
