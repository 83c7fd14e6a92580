"""A search while one carrier is slow, in a real Chromium at phone width: the other parcels show by the search's
deadline, the slow carrier is named with a way to look again, the page is axe-clean, and looking again shows the
parcel once the carrier has answered."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping, Sequence

import pytest
from playwright.sync_api import Browser, expect

from carriers.model import TrackingResult
from tests.browser.conftest import ARTIFACTS, PHONE, PageProblems, open_context
from tests.browser.test_accessibility import axe_violations
from tests.conftest import tune
from tests.tracking_site.conftest import InMemoryCarrier, make_parcel
from tracking_site.lookup import parcel_cache
from tracking_site.lookup.clients import install_carriers

pytestmark = pytest.mark.browser

NZPOST = "CL092594238NZ"
DHL = "GM295117494011076408"


class HeldCarrier(InMemoryCarrier):
    """An in-memory carrier whose calls wait until the test lets them answer."""

    def __init__(self, slug: str, parcels: Mapping) -> None:
        super().__init__(slug, parcels)
        self.gate = threading.Event()

    def track_batch(self, numbers: Sequence[str], kind: str = "") -> Mapping[str, TrackingResult]:
        assert self.gate.wait(30), "the test never let the carrier answer"
        return super().track_batch(numbers, kind)


@pytest.fixture
def slow_nzpost(settings) -> Iterator[HeldCarrier]:
    tune(settings, lookup={"search_deadline_seconds": 0.5})
    nzpost = HeldCarrier("nzpost", {NZPOST: make_parcel("nzpost", NZPOST)})
    dhl = InMemoryCarrier("dhl-ecommerce", {DHL: make_parcel("dhl-ecommerce", DHL)})
    install_carriers({"nzpost": nzpost, "dhl-ecommerce": dhl, "postplus": InMemoryCarrier("postplus")})
    yield nzpost
    nzpost.gate.set()


def test_a_slow_carrier_is_named_and_looking_again_shows_its_parcel(
    browser: Browser, site: str, problems: PageProblems, slow_nzpost: HeldCarrier
):
    context = open_context(browser, site, problems, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{site}/track/?q={DHL}%20{NZPOST}")

    expect(page.get_by_text("Still waiting for NZ Post")).to_be_visible()
    expect(page.get_by_role("link", name=DHL)).to_be_visible()
    notice = page.get_by_role("status").filter(has_text="still being asked")
    expect(notice).to_be_visible()
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "slow-carrier-phone.png").write_bytes(page.screenshot(full_page=True))

    slow_nzpost.gate.set()
    for _ in range(200):  # the call goes on without the page; its answer lands in the parcel cache
        if parcel_cache.get("nzpost", NZPOST) is not None:
            break
        time.sleep(0.05)
    notice.get_by_role("link", name="Look again").click()

    expect(page.get_by_text("Still waiting")).to_have_count(0)
    expect(page.locator(".card-found")).to_have_count(2)
    context.close()
    problems.assert_none()
