"""Tracking numbers on a phone (390 px), in Chromium: typed as people have them, printed in their own groups that
wrap only between groups, copied bare; and the pages that print them or say "not found" pass axe (issue 21)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import nzpost as fake_nzpost
from tests.browser.conftest import ARTIFACTS, PHONE, PageProblems, open_context
from tests.browser.test_accessibility import check_page

pytestmark = pytest.mark.browser

POSTPLUS_OUT_FOR_DELIVERY = "CE310477291FI"
FOLLOW_PAGE = f"/track/postplus/{POSTPLUS_OUT_FOR_DELIVERY}/follow/email"
MISTYPED = "LB123456784EE"  # LB123456785EE with its check digit off by one
SEVERAL = "/track/?q=" + ",".join(
    [fake_dhl.IN_TRANSIT_IMPB, fake_nzpost.INFO_RECEIVED_TICKET, POSTPLUS_OUT_FOR_DELIVERY, MISTYPED]
)

# Every printed number's groups: whether each sits on one line, inside the page, and the lines the number takes.
GROUPS_LAID_OUT = """() => [...document.querySelectorAll(".number")].map((number) => {
  const groups = [...number.querySelectorAll(".group")].map((group) => {
    const box = group.getBoundingClientRect();
    const line = parseFloat(getComputedStyle(group).lineHeight);
    return {text: group.textContent, oneLine: box.height < 1.5 * line, inside: box.right <= innerWidth, top: box.top};
  });
  return {number: number.textContent, groups, lines: new Set(groups.map((group) => Math.round(group.top))).size};
})"""


@pytest.fixture
def phone(browser: Browser, site: str, problems: PageProblems) -> Page:
    context = open_context(browser, site, problems, viewport=PHONE)
    yield context.new_page()
    context.close()
    problems.assert_none()


def demo_parcel_pages() -> list[str]:
    from carriers.demo import demo_numbers

    return [f"/track/{slug}/{number}/" for slug, numbers in demo_numbers().items() for number, _ in numbers]


@pytest.mark.parametrize("path", [*demo_parcel_pages(), FOLLOW_PAGE, SEVERAL, "/"])
def test_numbers_are_never_broken_mid_group_on_a_phone(phone: Page, site: str, path: str):
    phone.goto(site + path)
    numbers = phone.evaluate(GROUPS_LAID_OUT)
    assert numbers, "the page prints a number"
    for number in numbers:
        assert all(group["oneLine"] and group["inside"] for group in number["groups"]), number
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_long_number_wraps_between_its_groups_and_nowhere_else(phone: Page, site: str):
    phone.goto(f"{site}/track/dhl-ecommerce/{fake_dhl.IN_TRANSIT_IMPB}/")
    phone.locator(".parcel-id").evaluate("(line) => { line.style.width = '11ch'; }")  # room for two groups a line
    (number,) = phone.evaluate(GROUPS_LAID_OUT.replace('".number"', '".parcel-id .number"'))
    assert [group["text"] for group in number["groups"]] == ["9261", "2903", "5731", "1200", "1745", "26"]
    assert number["lines"] >= 3
    assert all(group["oneLine"] for group in number["groups"])


@pytest.mark.parametrize(
    ("path", "selector", "number"),
    [
        (f"/track/postplus/{POSTPLUS_OUT_FOR_DELIVERY}/", ".parcel-id .number", POSTPLUS_OUT_FOR_DELIVERY),
        (FOLLOW_PAGE, "main .number", POSTPLUS_OUT_FOR_DELIVERY),
    ],
)
def test_copying_a_grouped_number_gives_the_bare_number(phone: Page, site: str, path, selector, number):
    phone.goto(site + path)
    phone.locator(selector).evaluate(
        "(element) => { const range = document.createRange(); range.selectNodeContents(element);"
        " getSelection().removeAllRanges(); getSelection().addRange(range); }"
    )
    assert phone.evaluate("getSelection().toString()") == number
    phone.keyboard.press("Control+C")
    assert phone.evaluate("navigator.clipboard.readText()") == number


def test_a_number_typed_as_printed_with_its_label_opens_its_parcel(phone: Page, site: str):
    phone.goto(site + "/")
    box = phone.get_by_label("Tracking numbers")
    box.fill("Tracking number: ce 310 477 291 fi.")
    box.press("Enter")
    expect(phone).to_have_url(f"{site}/track/postplus/{POSTPLUS_OUT_FOR_DELIVERY}/")
    expect(phone.locator(".parcel-id .number")).to_have_text(POSTPLUS_OUT_FOR_DELIVERY)


def test_a_mistyped_number_is_looked_up_and_the_answer_says_one_character_may_be_mistyped(phone: Page, site: str):
    phone.goto(f"{site}/track/?q=LB123456785EE,{MISTYPED}")
    card = phone.locator("li.card-missing")
    expect(card).to_contain_text("one character may be mistyped")
    expect(phone.locator("li.card-found")).to_have_count(1)


def test_screenshots_of_a_parcel_page_and_the_follow_page_on_a_phone(phone: Page, site: str):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, path in [
        ("numbers-parcel-phone", f"/track/postplus/{POSTPLUS_OUT_FOR_DELIVERY}/"),
        ("numbers-follow-phone", FOLLOW_PAGE),
        ("numbers-results-phone", SEVERAL),
    ]:
        phone.goto(site + path)
        expect(phone.get_by_role("heading", level=1)).to_be_visible()
        (ARTIFACTS / f"{name}.png").write_bytes(phone.screenshot(full_page=True))
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize(
    ("path", "locale", "status"),
    [
        (FOLLOW_PAGE, "en-GB", 200),
        (FOLLOW_PAGE, "nl-NL", 200),
        (f"/track/?q=LB123456785EE,{MISTYPED}", "en-GB", 200),
        (f"/track/postplus/{MISTYPED}/", "nl-NL", 404),
        ("/", "en-GB", 200),
    ],
)
def test_pages_that_print_numbers_pass_axe_at_phone_width_in_light_and_dark(
    browser: Browser, site: str, problems: PageProblems, path, locale, status
):
    assert check_page(browser, site, problems, path, viewport=PHONE, locale=locale) == status
