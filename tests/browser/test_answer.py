"""The answer at a glance, in a real Chromium: the headline's "when", what to do now, searching, sharing, print."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import nzpost as fake_nzpost
from carriers.model import Place, Status, TrackingEvent, parcel_from_events
from tests.browser.conftest import PageProblems, open_context
from tests.tracking_site.conftest import InMemoryCarrier
from tracking_site.lookup.clients import install_carriers

pytestmark = pytest.mark.browser

POSTPLUS_IN_TRANSIT = "LB123456785EE"
# Navigator.share as a phone has it, recording what it was asked to share.
FAKE_SHARE_SHEET = """
Object.defineProperty(navigator, "share", {value: (data) => { window.sharedData = data; return Promise.resolve(); }});
Object.defineProperty(navigator, "canShare", {value: () => true});
"""


def fact(box: Locator, term: str) -> Locator:
    """The <dd> of a what-now fact, by its <dt>."""
    return box.locator(".facts > div").filter(has=box.page.locator("dt", has_text=term)).locator("dd")


def test_enter_searches_and_shift_enter_starts_a_new_line(page: Page, site: str):
    page.goto(site + "/")
    box = page.get_by_label("Tracking numbers")
    box.fill(fake_dhl.OUT_FOR_DELIVERY)
    box.press("Shift+Enter")
    box.press_sequentially(fake_nzpost.IN_TRANSIT_S10)
    expect(box).to_have_value(f"{fake_dhl.OUT_FOR_DELIVERY}\n{fake_nzpost.IN_TRANSIT_S10}")
    expect(page).to_have_url(f"{site}/")  # Shift+Enter did not search
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/track/\?q="))
    expect(page.locator("li.card")).to_have_count(2)


def test_without_javascript_enter_adds_a_line_and_the_button_searches(
    browser: Browser, site: str, problems: PageProblems
):
    page = open_context(browser, site, problems, java_script_enabled=False).new_page()
    page.goto(site + "/")
    box = page.get_by_label("Tracking numbers")
    box.fill(fake_dhl.OUT_FOR_DELIVERY)
    box.press("Enter")
    expect(box).to_have_value(f"{fake_dhl.OUT_FOR_DELIVERY}\n")
    page.get_by_role("button", name="Track").click()
    expect(page).to_have_url(f"{site}/track/dhl-ecommerce/{fake_dhl.OUT_FOR_DELIVERY}/")
    problems.assert_none()


def test_a_phone_with_a_share_sheet_gets_a_share_button(browser: Browser, site: str, problems: PageProblems):
    context = open_context(browser, site, problems, viewport={"width": 390, "height": 844}, has_touch=True)
    context.add_init_script(FAKE_SHARE_SHEET)
    page = context.new_page()
    page.goto(f"{site}/track/dhl-ecommerce/{fake_dhl.OUT_FOR_DELIVERY}/")
    page.get_by_role("button", name="Share").click()
    shared = page.evaluate("window.sharedData")
    assert shared["url"] == f"{site}/track/dhl-ecommerce/{fake_dhl.OUT_FOR_DELIVERY}/"
    # What is shared is read on another day: the day by its date, never "today".
    assert re.fullmatch(r"Out for delivery: arriving \w+day \d{1,2} \w+", shared["title"])
    context.close()
    problems.assert_none()


def test_without_a_share_sheet_copy_link_is_the_fallback(page: Page, site: str):
    page.goto(f"{site}/track/dhl-ecommerce/{fake_dhl.OUT_FOR_DELIVERY}/")
    assert page.evaluate("typeof navigator.share") == "undefined"  # desktop Chromium on Linux has none
    expect(page.get_by_role("button", name="Share")).to_be_hidden()
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_text("Link copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == f"{site}/track/dhl-ecommerce/{fake_dhl.OUT_FOR_DELIVERY}/"


def test_the_share_box_comes_after_the_timeline(page: Page, site: str):
    page.goto(f"{site}/track/dhl-ecommerce/{fake_dhl.OUT_FOR_DELIVERY}/")
    order = page.evaluate(
        """() => ["h1", ".milestones", ".timeline-section", ".share"].map(
            (selector) => document.querySelector(selector).getBoundingClientRect().top)"""
    )
    assert order == sorted(order)


def test_out_for_delivery_says_arriving_today_with_the_place_and_last_scan_under_it(page: Page, site: str):
    page.goto(f"{site}/track/dhl-ecommerce/{fake_dhl.OUT_FOR_DELIVERY}/")
    headline = page.get_by_role("heading", level=1)
    expect(headline).to_have_accessible_name("Out for delivery: arriving today")
    where = page.locator(".where-now")
    expect(where).to_contain_text("Brooklyn, NY, US")
    expect(where.locator("time")).to_have_text(re.compile(r"E[SD]T$"))
    headline_box, where_box = headline.bounding_box(), where.bounding_box()
    assert headline_box and where_box and where_box["y"] - (headline_box["y"] + headline_box["height"]) < 20
    size = float(headline.evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)"))
    number_size = float(page.locator(".parcel-id").evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)"))
    assert size > 1.5 * number_size  # the answer is the biggest text, the number secondary


def test_a_parcel_past_its_date_says_it_is_late(page: Page, site: str):
    now = timezone.now()
    events = [
        TrackingEvent(now - timedelta(days=6), Status.INFO_RECEIVED, "SHIPMENT DATA RECEIVED"),
        TrackingEvent(now - timedelta(days=5), Status.IN_TRANSIT, "DEPARTED FACILITY", Place(city="Chicago")),
    ]
    expected = (now - timedelta(days=3)).date()
    late = parcel_from_events(
        carrier="dhl-ecommerce", tracking_number="GM2951173225174494", events=events, expected_delivery=expected
    )
    install_carriers({"dhl-ecommerce": InMemoryCarrier("dhl-ecommerce", {late.tracking_number: late})})
    page.goto(f"{site}/track/dhl-ecommerce/{late.tracking_number}/")
    day = f"{expected:%A} {expected.day} {expected:%B}"  # a weekday with its date, not a weekday alone
    expect(page.get_by_role("heading", level=1)).to_have_accessible_name(f"Late: was expected {day}")
    expect(page.locator(".event-description").first).to_have_text("Departed facility")  # sentence case


def test_estimates_for_postplus_and_nz_post_say_how_many_parcels_they_rest_on(page: Page, site: str):
    for path in (f"/track/postplus/{POSTPLUS_IN_TRANSIT}/", f"/track/nzpost/{fake_nzpost.IN_TRANSIT_S10}/"):
        page.goto(site + path)
        expect(page.get_by_role("heading", level=1)).to_have_accessible_name(re.compile(r"^In transit: likely \w+"))
        expect(page.locator(".estimate-basis")).to_have_text("An estimate based on 40 parcels delivered on this route.")


def test_awaiting_pickup_says_where_to_collect_it_and_links_the_carrier(page: Page, site: str):
    page.goto(f"{site}/track/nzpost/{fake_nzpost.AWAITING_PICKUP_S10}/")
    expect(page.get_by_role("heading", level=1)).to_have_accessible_name(
        "Waiting for you at the pickup point, PostShop Lambton Quay"
    )
    box = page.get_by_role("region", name="What to do now")
    expect(fact(box, "Where to collect it")).to_have_text("PostShop Lambton Quay")
    expect(box.locator("q")).to_have_text(re.compile(r"^Your item is ready to collect from PostShop Lambton Quay"))
    link = box.get_by_role("link", name="See the pickup details on the NZ Post website")
    expect(link).to_have_attribute(
        "href", f"https://www.nzpost.co.nz/tools/tracking?trackid={fake_nzpost.AWAITING_PICKUP_S10}"
    )
    box_top = box.bounding_box()
    timeline_top = page.get_by_role("heading", name="Timeline").bounding_box()
    assert box_top and timeline_top and box_top["y"] < timeline_top["y"]


def test_a_failed_delivery_gets_the_box_too(page: Page, site: str):
    page.goto(f"{site}/track/nzpost/{fake_nzpost.DELIVERY_FAILED_S10}/")
    box = page.get_by_role("region", name="What to do now")
    expect(fact(box, "Where it was last scanned")).to_have_text("Christchurch Fleet")
    expect(box).to_contain_text("The carrier could not deliver it.")


def test_a_search_with_a_mistyped_entry_tracks_the_valid_numbers_and_names_the_other(page: Page, site: str):
    page.goto(site + "/")
    page.get_by_label("Tracking numbers").fill(f"{fake_dhl.OUT_FOR_DELIVERY}\nAB\n{fake_nzpost.IN_TRANSIT_S10}")
    page.get_by_role("button", name="Track").click()
    expect(page.locator("li.card")).to_have_count(2)
    expect(page.locator(".summary")).to_have_text("2 of 2 found · 1 arriving today · 1 not a tracking number")
    rejected = page.get_by_role("region", name="Not searched: these are not tracking numbers")
    expect(rejected).to_contain_text("AB: A tracking number has 5 to 40 characters.")
    expect(page.get_by_role("textbox", name="Tracking numbers")).to_have_value(
        f"{fake_dhl.OUT_FOR_DELIVERY}\nAB\n{fake_nzpost.IN_TRANSIT_S10}"
    )


def test_not_found_cards_look_different_and_name_the_carriers_asked(page: Page, site: str):
    page.goto(f"{site}/track/?q={fake_dhl.OUT_FOR_DELIVERY},CL000000000NZ")
    missing = page.locator("li.card-missing")
    expect(missing).to_contain_text("Not found at NZ Post or PostPlus")
    found = page.locator("li.card-found")
    assert missing.evaluate("(el) => getComputedStyle(el).borderStyle") == "dashed"
    assert found.evaluate("(el) => getComputedStyle(el).borderStyle") == "solid"
    expect(found.locator(".milestones-compact li")).to_have_count(4)


def test_not_found_and_invalid_pages_keep_a_search_box_with_what_was_typed(page: Page, site: str):
    page.goto(f"{site}/track/nzpost/CL000000000NZ/")
    expect(page.get_by_label("Tracking numbers")).to_have_value("CL000000000NZ")
    page.goto(f"{site}/track/nzpost/AB/")
    expect(page.get_by_label("Tracking numbers")).to_have_value("AB")
    page.get_by_label("Tracking numbers").fill(fake_nzpost.IN_TRANSIT_S10)
    page.get_by_label("Tracking numbers").press("Enter")
    expect(page).to_have_url(f"{site}/track/nzpost/{fake_nzpost.IN_TRANSIT_S10}/")


def test_print_shows_the_site_name_and_address_and_no_relative_times(page: Page, site: str):
    path = f"/track/dhl-ecommerce/{fake_dhl.OUT_FOR_DELIVERY}/"
    page.goto(site + path)
    page.emulate_media(media="print")
    expect(page.locator(".brand")).to_have_text("Parcel tracking")
    expect(page.locator(".page-address")).to_have_text(site + path)
    expect(page.locator(".page-address")).to_be_visible()
    for relative in page.locator(".relative").all():
        expect(relative).to_be_hidden()
    printed = page.locator("main").inner_text()
    assert not re.search(r"\bago\b|\bjust now\b|\btoday\b|\byesterday\b", printed)
    assert re.match(r"\W*Out for delivery: arriving \w+day \d{1,2} \w+$", page.locator("h1").inner_text())
    page.emulate_media(media="screen")
    expect(page.locator(".page-address")).to_be_hidden()


def test_the_timeline_groups_scans_by_day_with_one_time_each(browser: Browser, site: str, problems: PageProblems):
    page = open_context(browser, site, problems, timezone_id="Pacific/Auckland").new_page()
    page.goto(f"{site}/track/dhl-ecommerce/{fake_dhl.OUT_FOR_DELIVERY}/")
    headings = page.locator(".day-heading time").all_inner_texts()
    assert len(headings) >= 2 and len(set(headings)) == len(headings)
    assert all(re.fullmatch(r"[A-Z][a-z]+day \d{1,2} [A-Z][a-z]+( \d{4})?", heading) for heading in headings)
    first = page.locator("ol.timeline li").first
    expect(first.locator("time")).to_have_text(re.compile(r"^\d\d:\d\d E[SD]T$"))
    # The visitor's own time once per page, beside the last scan (with its day), never under every scan.
    expect(page.locator(".viewer-time")).to_have_count(1)
    expect(page.locator(".last-scan .viewer-time")).to_have_text(
        re.compile(r"^ \(your time: \w{3},? \d{1,2} \w{3},? \d\d:\d\d .+\)$")
    )
    expect(page.locator("ol.timeline .viewer-time")).to_have_count(0)
    problems.assert_none()


def test_a_dutch_page_marks_the_carriers_english_text(browser: Browser, site: str, problems: PageProblems):
    page = open_context(browser, site, problems, locale="nl-NL").new_page()
    page.goto(f"{site}/track/nzpost/{fake_nzpost.AWAITING_PICKUP_S10}/")
    expect(page.get_by_role("heading", level=1)).to_have_accessible_name(
        "Ligt voor u klaar bij het afhaalpunt, PostShop Lambton Quay"
    )
    # NZ Post's "ready to collect" code is one we understand: our Dutch words, its English quoted beside them.
    newest = page.locator("ol.timeline > li").first
    expect(newest.locator(".event-description")).to_have_text("Klaar om op te halen")
    expect(newest.locator(".event-description")).not_to_have_attribute("lang", "en")
    expect(newest.locator(".event-original q")).to_have_attribute("lang", "en")
    expect(newest.locator(".event-original q")).to_contain_text("PostShop Lambton Quay")
    expect(page.locator(".what-now q")).to_have_attribute("lang", "en")
    problems.assert_none()
