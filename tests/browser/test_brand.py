"""A site configured with docs/brand-example/ (a made-up shop) in Chromium at 390 px: axe finds nothing in the
light or the dark scheme, the logo loads (the dark one on dark pages), the accent is the brand's, and screenshots
of the branded pages are saved for a person to look at (artifacts/screenshots/brand-*.png)."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import Browser, expect

from carriers.fakes import nzpost as fake_nzpost
from tests.browser.conftest import ARTIFACTS, PHONE, PageProblems, open_context
from tests.browser.test_accessibility import axe_violations, check_page
from tests.tracking_site.brand.conftest import EXAMPLE

pytestmark = pytest.mark.browser

BRANDED = {
    "home": "/",
    "parcel delivery failed": f"/track/nzpost/{fake_nzpost.DELIVERY_FAILED_S10}/",
    "parcel returned": "/track/postplus/PPL250112009931/",
    "parcel in transit": f"/track/nzpost/{fake_nzpost.IN_TRANSIT_S10}/",
    "not found": "/track/nzpost/CL000000000NZ/",
    "results with one not found": f"/track/?q={fake_nzpost.IN_TRANSIT_S10},CL000000000NZ",
    "404": "/no/such/page",
}
STATUS = {"not found": 404, "404": 404}


@pytest.fixture
def branded(settings) -> None:
    settings.SITE_BRAND = str(EXAMPLE / "brand.toml")


@pytest.mark.parametrize("name", list(BRANDED))
def test_a_branded_page_has_no_accessibility_violations_on_a_phone(
    browser: Browser, site: str, problems: PageProblems, branded, name
):
    assert check_page(browser, site, problems, BRANDED[name], viewport=PHONE) == STATUS.get(name, 200)


@pytest.mark.parametrize("language", [code for code, _name in django_settings.LANGUAGES])
def test_a_branded_page_in_each_of_the_sites_languages_has_no_accessibility_violations(
    browser, site, problems, branded, language
):
    path = BRANDED["parcel delivery failed"]
    assert check_page(browser, site, problems, path, lang=language, viewport=PHONE, locale=language) == 200


@pytest.mark.parametrize(
    ("scheme", "logo", "accent"),
    [("light", "logo.svg", "rgb(31, 107, 79)"), ("dark", "logo-dark.svg", "rgb(44, 152, 113)")],
)
def test_the_logo_and_the_accent_follow_the_colour_scheme(
    browser: Browser, site: str, problems: PageProblems, branded, scheme, logo, accent
):
    context = open_context(browser, site, problems, viewport=PHONE, color_scheme=scheme)
    page = context.new_page()
    page.goto(site + BRANDED["parcel delivery failed"])
    image = page.locator("img.brand-logo")
    expect(image).to_have_attribute("alt", "Fjell & Fern")
    page.wait_for_function("document.querySelector('img.brand-logo').complete")
    assert image.evaluate("img => img.naturalWidth") > 0
    assert image.evaluate("img => img.currentSrc").endswith(f"/static/brand/{logo}")
    contact = page.locator(".reach-sender a").first
    assert contact.evaluate("a => getComputedStyle(a).color") == accent
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"brand-phone-{scheme}.png").write_bytes(page.screenshot())
    (ARTIFACTS / f"brand-phone-{scheme}-full.png").write_bytes(page.screenshot(full_page=True))
    (ARTIFACTS / f"brand-what-now-phone-{scheme}.png").write_bytes(page.locator(".what-now").screenshot())
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
    problems.assert_none()


def test_the_not_found_page_screenshot(browser: Browser, site: str, problems: PageProblems, branded):
    context = open_context(browser, site, problems, viewport=PHONE)
    page = context.new_page()
    page.goto(site + BRANDED["not found"])
    expect(page.locator(".reach-sender")).to_be_visible()
    (ARTIFACTS / "brand-not-found-phone.png").write_bytes(page.screenshot(full_page=True))
    context.close()
    problems.assert_none()


def test_the_staff_summary_is_accessible_and_copies_whole(
    browser: Browser, site: str, problems: PageProblems, branded, django_user_model
):
    from django.test import Client

    user = django_user_model.objects.create_user("support", password="correct horse battery staple", is_staff=True)
    signed_in = Client()
    signed_in.force_login(user)
    context = open_context(browser, site, problems, viewport=PHONE)
    context.add_cookies([{"name": "sessionid", "value": signed_in.cookies["sessionid"].value, "url": site}])
    page = context.new_page()
    page.goto(site + "/staff/search/nzpost-partial/")
    page.get_by_label("Part of a reference").fill("cp5831")
    page.get_by_label("Customer's language (for the summaries)").select_option("nl")
    page.get_by_role("button", name="Search").click()
    summary = page.get_by_label("Summary for the ticket")
    expect(summary).to_have_value(
        f"CP 583 102 644 NZ, NZ Post: Bezorgpoging mislukt\n{site}/track/nzpost/{fake_nzpost.DELIVERY_FAILED_S10}/"
    )
    page.get_by_role("button", name="Copy summary").click()
    expect(page.locator(".ticket-summary .share-status")).to_have_text("Summary copied.")
    assert page.evaluate("navigator.clipboard.readText()") == summary.input_value()
    assert axe_violations(page) == []
    page.emulate_media(color_scheme="dark")
    assert axe_violations(page, inject=False) == []
    (ARTIFACTS / "brand-staff-summary-phone.png").write_bytes(page.screenshot(full_page=True))
    context.close()
    problems.assert_none()
