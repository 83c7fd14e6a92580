"""The answer in every state, on a phone in Chromium: milestone bars that read without colour, "your time" once,
"today" that says whose day it is, a search box to go on to the next parcel, and every demo parcel's first screen.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from carriers.demo import demo_numbers
from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import nzpost as fake_nzpost
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, PageProblems, open_context

pytestmark = pytest.mark.browser

DEMO_PAGES = [(slug, number) for slug, numbers in demo_numbers().items() for number, _ in numbers]
# Each bar's look: its colour's contrast with what is behind it, the line's style and the mark on it.
BAR_LOOK = """(step) => {
  const rgb = (colour) => colour.match(/[\\d.]+/g).map(Number);
  const channel = (value) => {
    const v = value / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  let behind = step;
  while (behind && rgb(getComputedStyle(behind).backgroundColor)[3] === 0) {
    behind = behind.parentElement;
  }
  const style = getComputedStyle(step);
  const side = parseFloat(style.borderTopWidth) > 0 ? "Top" : "Left";
  const [bar, back] = [rgb(style[`border${side}Color`]), rgb(getComputedStyle(behind).backgroundColor)];
  const [light, dark] = [luminance(bar), luminance(back)].sort((a, b) => b - a);
  const mark = getComputedStyle(step, "::after");
  return {
    contrast: (light + 0.05) / (dark + 0.05),
    line: style[`border${side}Style`],
    mark: mark.content !== "none" && parseFloat(mark.width) > 0,
  };
}"""


def bar_looks(page: Page, selector: str) -> dict[str, dict[str, object]]:
    """The look of the first bar of each state under `selector`."""
    looks = {}
    for state in ("done", "current", "problem", "todo"):
        steps = page.locator(f"{selector} .step-{state}")
        if steps.count():
            looks[state] = steps.first.evaluate(BAR_LOOK)
    return looks


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("width_name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_milestone_bars_meet_3_to_1_and_tell_done_from_current_by_shape(
    browser: Browser, site: str, problems: PageProblems, scheme, width_name, viewport
):
    context = open_context(browser, site, problems, viewport=viewport, color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{site}/track/dhl-ecommerce/{fake_dhl.IN_TRANSIT_IMPB}/")
    parcel_bar = bar_looks(page, ".parcel .milestones")
    page.goto(f"{site}/track/?q={fake_dhl.IN_TRANSIT_IMPB},{fake_nzpost.DELIVERY_FAILED_S10}")
    card_bars = bar_looks(page, ".cards .milestones")
    context.close()
    problems.assert_none()
    for looks in (parcel_bar, card_bars):
        assert {"done", "current", "todo"} <= set(looks), looks
        for state, look in looks.items():
            assert look["contrast"] >= 3, (state, look)  # graphics: 3:1 against the page or the card
        shapes = {state: (look["line"], look["mark"]) for state, look in looks.items()}
        assert len(set(shapes.values())) == len(shapes), shapes  # every state its own shape, not colour alone
        assert shapes["done"] == ("solid", False) and shapes["current"] == ("solid", True)
        assert shapes["todo"][0] == "dotted"
    assert card_bars["problem"]["line"] == "dashed"


def parcel_day(page: Page) -> str:
    return page.locator(".day-note").get_attribute("data-parcel-days") or ""


def test_today_says_it_is_the_parcels_day_only_where_the_visitors_day_differs(
    browser: Browser, site: str, problems: PageProblems
):
    path = f"{site}/track/nzpost/{fake_nzpost.OUT_FOR_DELIVERY_TICKET}/"
    at_home = open_context(browser, site, problems, viewport=PHONE, timezone_id="Pacific/Auckland").new_page()
    at_home.goto(path)
    expect(at_home.get_by_role("heading", level=1)).to_have_accessible_name("Out for delivery: arriving today")
    expect(at_home.locator(".day-note")).to_be_hidden()  # the visitor's day is the parcel's
    day = parcel_day(at_home)
    # Kiritimati and Pago Pago are 25 hours apart: at any moment at least one of them is on another day.
    elsewhere = next(
        zone
        for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago")
        if datetime.now(ZoneInfo(zone)).date().isoformat() != day
    )
    away = open_context(browser, site, problems, viewport=PHONE, timezone_id=elsewhere).new_page()
    away.goto(path)
    note = away.locator(".day-note")
    expect(note).to_be_visible()
    expect(note).to_have_text(
        re.compile(r"^“Today” on this page is the parcel's day: \w+day \d{1,2} \w+ where it is\.$")
    )
    note_box, heading_box = note.bounding_box(), away.get_by_role("heading", level=1).bounding_box()
    assert note_box and heading_box and note_box["y"] > heading_box["y"]  # right under the answer it explains
    problems.assert_none()


def test_the_visitors_own_time_is_shown_once_beside_the_last_scan(browser: Browser, site: str, problems: PageProblems):
    page = open_context(browser, site, problems, viewport=PHONE, timezone_id="Europe/Amsterdam").new_page()
    page.goto(f"{site}/track/dhl-ecommerce/{fake_dhl.DELIVERY_ATTEMPTED}/")
    assert page.locator("ol.timeline li").count() > 3
    expect(page.locator(".viewer-time")).to_have_count(1)
    expect(page.locator(".last-scan .viewer-time")).to_contain_text("your time:")
    problems.assert_none()


def test_the_parcel_page_search_box_goes_on_to_the_next_parcel(browser: Browser, site: str, problems: PageProblems):
    page = open_context(browser, site, problems, viewport=PHONE).new_page()
    page.goto(f"{site}/track/nzpost/{fake_nzpost.AWAITING_PICKUP_S10}/")
    search = page.get_by_role("search", name="Track parcels")
    expect(page.get_by_role("heading", name="Track another parcel")).to_be_visible()
    box = search.get_by_role("textbox", name="Tracking numbers")
    expect(box).to_have_value("")
    box.fill(fake_nzpost.DELIVERY_FAILED_S10)
    box.press("Enter")
    expect(page).to_have_url(f"{site}/track/nzpost/{fake_nzpost.DELIVERY_FAILED_S10}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    problems.assert_none()


def test_a_results_page_puts_the_parcels_that_need_the_customer_first(
    browser: Browser, site: str, problems: PageProblems
):
    page = open_context(browser, site, problems, viewport=PHONE).new_page()
    typed = [fake_nzpost.IN_TRANSIT_S10, fake_dhl.OUT_FOR_DELIVERY, fake_nzpost.DELIVERY_FAILED_S10, "RR204817360LV"]
    page.goto(f"{site}/track/?q={','.join(typed)}")
    numbers = [text.replace(" ", "") for text in page.locator("li.card .card-number").all_inner_texts()]
    assert numbers == [
        fake_nzpost.DELIVERY_FAILED_S10,
        fake_dhl.OUT_FOR_DELIVERY,
        fake_nzpost.IN_TRANSIT_S10,
        "RR204817360LV",
    ]
    expect(page.locator("li.card").first).to_have_class(re.compile(r"status-delivery_failed"))
    problems.assert_none()


@pytest.mark.parametrize(("carrier", "number"), DEMO_PAGES)
def test_every_demo_parcel_answers_on_a_phones_first_screen(
    browser: Browser, site: str, problems: PageProblems, carrier, number
):
    """Also the screenshots of docs/screenshots/demo/ (copied from artifacts/screenshots/demo/ after a run)."""
    context = open_context(browser, site, problems, viewport=PHONE, timezone_id="Europe/Amsterdam")
    page = context.new_page()
    page.goto(f"{site}/track/{carrier}/{number}/")
    headline = page.get_by_role("heading", level=1)
    expect(headline).to_be_visible()
    answer = page.locator("header.answer").bounding_box()
    assert answer and answer["y"] + answer["height"] <= PHONE["height"]  # the whole answer on the first screen
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing sticks out sideways
    assert page.locator(".viewer-time").count() <= 1
    assert not re.search(r"Information received|Now with \w+ [^:]*delivers", page.locator("main").inner_text())
    folder = ARTIFACTS / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{carrier}-{number}.png").write_bytes(page.screenshot())
    context.close()
    problems.assert_none()
