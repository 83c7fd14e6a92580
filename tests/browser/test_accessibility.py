"""axe-core in Chromium on every page type, light and dark: any WCAG 2.2 A/AA or best-practice violation fails."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import nzpost as fake_nzpost
from carriers.model import FailureReason
from tests.browser.conftest import PageProblems, open_context
from tests.conftest import tune
from tests.tracking_site.conftest import InMemoryCarrier
from tracking_site.lookup.clients import install_carriers

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
# Every rule axe ships for WCAG 2.0-2.2 A/AA plus its best practices (landmarks, headings, region).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

PAGES = {
    "home": "/",
    "form error": "/track/?q=AB",
    "results": f"/track/?q={fake_dhl.OUT_FOR_DELIVERY},{fake_nzpost.DELIVERED_PACE_JOB},GM0000000000000001",
    "partial search": f"/track/?q=AB,{fake_nzpost.AWAITING_PICKUP_S10},{fake_nzpost.IN_TRANSIT_S10}",
    "parcel out for delivery": f"/track/dhl-ecommerce/{fake_dhl.OUT_FOR_DELIVERY}/",
    "parcel delivered": f"/track/dhl-ecommerce/{fake_dhl.DELIVERED_SIGNED}/",
    "parcel awaiting pickup": f"/track/dhl-ecommerce/{fake_dhl.AWAITING_PICKUP}/",
    "parcel info received": f"/track/nzpost/{fake_nzpost.INFO_RECEIVED_TICKET}/",
    "parcel delivery failed": f"/track/nzpost/{fake_nzpost.DELIVERY_FAILED_S10}/",
    "parcel in transit": "/track/postplus/LB123456785EE/",
    "parcel in transit with an estimate": f"/track/nzpost/{fake_nzpost.IN_TRANSIT_S10}/",
    "parcel awaiting pickup at a PostShop": f"/track/nzpost/{fake_nzpost.AWAITING_PICKUP_S10}/",
    "parcel returned": "/track/postplus/PPL250112009931/",
    "parcel returned, and why": f"/track/dhl-ecommerce/{fake_dhl.RETURNED_SHOP_ID}/",
    "parcel label not yet scanned": f"/track/dhl-ecommerce/{fake_dhl.INFO_RECEIVED}/",
    "parcel delivered by the last-mile carrier": "/track/postplus/RR204817360LV/",
    "parcel missed, with the next attempt": "/track/postplus/UA550182640LT/",
    "results, the ones needing you first": (
        f"/track/?q={fake_nzpost.IN_TRANSIT_S10},{fake_dhl.OUT_FOR_DELIVERY},{fake_nzpost.RETURNED_TICKET}"
    ),
    "not found": "/track/nzpost/CL000000000NZ/",
    "unknown carrier": "/track/fedex/X12345/",
    "bad number": "/track/nzpost/AB/",
    "404": "/no/such/page",
}

pytestmark = pytest.mark.browser


def axe_violations(page: Page, *, inject: bool = True) -> list[str]:
    """Run axe-core in the page; one line per violation and element."""
    # page.evaluate runs through the DevTools protocol, which the page's CSP does not govern; an injected
    # <script> tag (add_script_tag(content=...)) would be inline code and rightly blocked by our CSP.
    if inject:
        page.evaluate(AXE_SOURCE)
    results = page.evaluate(
        """async (tags) => {
            const options = {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]};
            const result = await axe.run(document, options);
            return result.violations.flatMap(
                (v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")}: ${n.failureSummary}`));
        }""",
        AXE_TAGS,
    )
    return list(results)


def check_page(
    browser: Browser, site: str, problems: PageProblems, path: str, visible: str = "", lang: str = "", **options: object
) -> int:
    """Open a page, run axe in the light and then the dark colour scheme; the page's HTTP status. `visible`: a
    selector that must be shown first (a part the page's script reveals); `lang`: the language the page must be in."""
    context = open_context(browser, site, problems, **options)
    page = context.new_page()
    response = page.goto(site + path)
    assert response is not None
    if lang:
        assert page.locator("html").get_attribute("lang") == lang
    if visible:
        expect(page.locator(visible)).to_be_visible()
    light = axe_violations(page)
    page.emulate_media(color_scheme="dark")
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    dark = axe_violations(page, inject=False)
    context.close()
    assert light == []
    assert dark == []
    problems.assert_none()
    return response.status


EXPECTED_STATUS = {"not found": 404, "unknown carrier": 404, "404": 404, "bad number": 400, "form error": 400}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_accessibility_violations(browser: Browser, site: str, problems: PageProblems, name):
    assert check_page(browser, site, problems, PAGES[name]) == EXPECTED_STATUS.get(name, 200)


def test_axe_reports_the_violations_it_finds(browser: Browser, site: str, problems: PageProblems):
    """Guards the guard: a page with known faults must fail, or a silent axe would pass everything."""
    context = open_context(browser, site, problems)
    page = context.new_page()
    page.set_content('<html><body><p style="color:#ccc;background:#fff">faint</p><input type="text"></body></html>')
    found = {line.split(":")[0] for line in axe_violations(page)}
    context.close()
    assert {"color-contrast", "label", "html-has-lang", "document-title"} <= found


@pytest.mark.parametrize("name", ["parcel out for delivery", "results"])
def test_a_page_noting_whose_day_today_is_has_no_accessibility_violations(browser, site, problems, name):
    """Seen from a zone on another day than Brooklyn's (Kiritimati and Pago Pago are 25 hours apart, so one of
    them is), the DHL parcel's "today" is not the visitor's: the day note shows."""
    brooklyn_day = datetime.now(ZoneInfo("America/New_York")).date()
    zone = next(
        z for z in ("Pacific/Kiritimati", "Pacific/Pago_Pago") if datetime.now(ZoneInfo(z)).date() != brooklyn_day
    )
    assert check_page(browser, site, problems, PAGES[name], visible=".day-note", timezone_id=zone) == 200


def test_dutch_parcel_page_has_no_accessibility_violations(browser: Browser, site: str, problems: PageProblems):
    assert check_page(browser, site, problems, PAGES["parcel delivery failed"], locale="nl-NL") == 200


def test_carrier_failure_page_has_no_accessibility_violations(browser, site, problems):
    install_carriers({"nzpost": InMemoryCarrier("nzpost", failure=FailureReason.TIMEOUT)})
    assert check_page(browser, site, problems, "/track/nzpost/CL092594238NZ/") == 504


def test_rate_limited_page_has_no_accessibility_violations(browser, site, problems, settings):
    tune(settings, rate_limits={"enabled": True})
    tune(settings, rate_limits={"pages": "1/h"})
    path = "/track/nzpost/CL092594238NZ/"
    context = open_context(browser, site, problems)
    context.new_page().goto(site + path)  # spends the budget
    context.close()
    assert check_page(browser, site, problems, path) == 429
