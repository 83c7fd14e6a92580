"""What people do on the site, in a real Chromium: search, open permalinks, copy links, switch language."""

from __future__ import annotations

import re
import struct

import pytest
from playwright.sync_api import Browser, Page, expect

from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import nzpost as fake_nzpost
from carriers.fakes import postplus as fake_postplus
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, PageProblems, open_context

OUT_FOR_DELIVERY = fake_dhl.OUT_FOR_DELIVERY
NZ_IN_TRANSIT = fake_nzpost.IN_TRANSIT_S10
POSTPLUS_IN_TRANSIT = "LB123456785EE"
assert POSTPLUS_IN_TRANSIT in dict(fake_postplus.DEMO_NUMBERS)

pytestmark = pytest.mark.browser


def search(page: Page, site: str, text: str) -> None:
    page.goto(site + "/")
    page.get_by_label("Tracking numbers").fill(text)
    page.get_by_role("button", name="Track").click()


def test_searching_one_number_opens_its_timeline(page: Page, site: str):
    search(page, site, OUT_FOR_DELIVERY.lower())
    expect(page).to_have_url(f"{site}/track/dhl-ecommerce/{OUT_FOR_DELIVERY}/")
    expect(page.get_by_role("heading", level=1)).to_have_accessible_name("Out for delivery: arriving today")
    expect(page.locator(".parcel-id .number")).to_have_text(OUT_FOR_DELIVERY)  # grouped, and copied whole
    expect(page.locator(".milestones [aria-current=step]")).to_contain_text("Out for delivery")
    assert page.locator("ol.timeline > li").count() >= 3
    # The tab's title outlives the day: the day by its date.
    expect(page).to_have_title(
        re.compile(rf"^Out for delivery: arriving \w+day \d{{1,2}} \w+ · {OUT_FOR_DELIVERY} · Parcel tracking$")
    )


def test_searching_several_numbers_shows_a_card_each_and_a_shareable_link(page: Page, site: str):
    search(page, site, f"{OUT_FOR_DELIVERY}\n{NZ_IN_TRANSIT}, {POSTPLUS_IN_TRANSIT}")
    expect(page.locator("li.card")).to_have_count(3)
    expect(page.get_by_role("heading", level=1)).to_have_accessible_name("Your parcels")
    expected = f"{site}/track/?q={OUT_FOR_DELIVERY},{NZ_IN_TRANSIT},{POSTPLUS_IN_TRANSIT}"
    expect(page.get_by_label("Link to these results")).to_have_value(expected)


def test_a_multi_parcel_permalink_opens_and_leads_to_each_timeline(page: Page, site: str):
    page.goto(f"{site}/track/?q={NZ_IN_TRANSIT},{POSTPLUS_IN_TRANSIT}")
    expect(page.locator("li.card")).to_have_count(2)
    page.locator("li.card", has_text="NZ Post").click()  # the whole card is the link
    expect(page).to_have_url(f"{site}/track/nzpost/{NZ_IN_TRANSIT}/")
    # NZ Post gives UTC only: the page shows New Zealand time.
    expect(page.locator("ol.timeline time").first).to_have_text(re.compile(r"NZ[SD]T$"))


def test_copy_link_puts_the_permalink_on_the_clipboard(page: Page, site: str):
    page.goto(f"{site}/track/dhl-ecommerce/{OUT_FOR_DELIVERY}/")
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("status").filter(has_text="Link copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == f"{site}/track/dhl-ecommerce/{OUT_FOR_DELIVERY}/"


def test_copy_link_on_the_results_page_copies_the_multi_parcel_permalink(page: Page, site: str):
    page.goto(f"{site}/track/?q={NZ_IN_TRANSIT}%20{POSTPLUS_IN_TRANSIT}")
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_text("Link copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == f"{site}/track/?q={NZ_IN_TRANSIT},{POSTPLUS_IN_TRANSIT}"


def test_switching_language_translates_the_page_and_keeps_it(page: Page, site: str):
    page.goto(f"{site}/track/dhl-ecommerce/{OUT_FOR_DELIVERY}/")
    page.locator(".language summary").click()  # the languages are one tap away, in a disclosure
    page.get_by_role("button", name="Nederlands").click()
    expect(page).to_have_url(f"{site}/track/dhl-ecommerce/{OUT_FOR_DELIVERY}/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", name="Tijdlijn")).to_be_visible()
    expect(page.get_by_role("button", name="Link kopiëren")).to_be_visible()
    page.goto(site + "/")
    expect(page.get_by_role("heading", level=1)).to_have_accessible_name("Waar is mijn pakket?")
    page.get_by_text("Taal: Nederlands").click()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_accessible_name("Where is my parcel?")


def test_accept_language_picks_dutch_without_asking(browser: Browser, site: str, problems: PageProblems):
    context = open_context(browser, site, problems, locale="nl-NL")
    page = context.new_page()
    page.goto(site + "/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_label("Trackingnummers")).to_be_visible()
    context.close()
    problems.assert_none()


def test_times_are_added_in_the_viewers_zone_when_it_differs(browser: Browser, site: str, problems: PageProblems):
    path = f"/track/dhl-ecommerce/{OUT_FOR_DELIVERY}/"  # Brooklyn: America/New_York
    far = open_context(browser, site, problems, timezone_id="Pacific/Auckland").new_page()
    far.goto(site + path)
    last_scan = far.locator(".last-scan")
    expect(last_scan.locator(".viewer-time")).to_contain_text("your time:")
    expect(last_scan.locator("time")).to_have_text(re.compile(r"E[SD]T$"))  # the time where it happened stays first
    expect(far.locator(".viewer-time")).to_have_count(1)  # once per page, not under every scan
    near = open_context(browser, site, problems, timezone_id="America/New_York").new_page()
    near.goto(site + path)
    expect(near.locator(".last-scan time")).to_be_visible()
    assert near.locator(".viewer-time").count() == 0  # same zone: nothing added
    problems.assert_none()


def test_without_javascript_the_page_is_complete_and_the_link_is_in_a_field(
    browser: Browser, site: str, problems: PageProblems
):
    page = open_context(browser, site, problems, java_script_enabled=False).new_page()
    page.goto(f"{site}/track/dhl-ecommerce/{OUT_FOR_DELIVERY}/")
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()
    expect(page.get_by_label("Link to this parcel")).to_have_value(f"{site}/track/dhl-ecommerce/{OUT_FOR_DELIVERY}/")
    expect(page.locator(".milestones li")).to_have_count(4)
    assert page.locator("ol.timeline time").count() >= 3
    problems.assert_none()


def test_keyboard_users_get_a_skip_link_and_a_visible_focus_ring(page: Page, site: str):
    page.goto(f"{site}/track/dhl-ecommerce/{OUT_FOR_DELIVERY}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0  # moved on screen when focused
    assert skip.evaluate("(el) => getComputedStyle(el).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))


def test_print_leaves_out_the_search_sharing_and_footer(page: Page, site: str):
    page.goto(f"{site}/track/?q={NZ_IN_TRANSIT},{OUT_FOR_DELIVERY}")
    page.emulate_media(media="print")
    for hidden in (".share", ".search", ".site-footer"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("li.card")).to_have_count(2)
    expect(page.locator("li.card").first).to_be_visible()


def test_reduced_motion_turns_off_smooth_scrolling(page: Page, site: str):
    page.goto(site + "/")
    assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == "smooth"
    page.emulate_media(reduced_motion="reduce")
    assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == "auto"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize(("width_name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
@pytest.mark.parametrize(
    ("page_name", "path", "zone"),
    [
        # A recipient in Brooklyn looks at a Brooklyn parcel: their zone, so no second time is added.
        ("parcel", f"/track/dhl-ecommerce/{OUT_FOR_DELIVERY}/", "America/New_York"),
        ("results", f"/track/?q={NZ_IN_TRANSIT},{OUT_FOR_DELIVERY},{POSTPLUS_IN_TRANSIT}", "UTC"),
        ("pickup", f"/track/nzpost/{fake_nzpost.AWAITING_PICKUP_S10}/", "Pacific/Auckland"),
        ("estimate", f"/track/postplus/{POSTPLUS_IN_TRANSIT}/", "Europe/London"),
    ],
)
def test_screenshots_at_phone_and_desktop_widths(
    browser: Browser, site: str, problems: PageProblems, page_name, path, zone, width_name, viewport
):
    context = open_context(browser, site, problems, viewport=viewport, timezone_id=zone)
    page = context.new_page()
    page.goto(site + path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{page_name}-{width_name}.png"
    target.write_bytes(page.screenshot())
    assert png_size(target.read_bytes()) == (viewport["width"], viewport["height"])
    # Nothing sticks out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    context.close()
    problems.assert_none()
