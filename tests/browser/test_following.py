"""Following a parcel in Chromium: the controls, push with a stubbed PushManager, email without JavaScript, axe.

Headless Chromium cannot make a real push subscription (no push service to reach): the page's script runs
against a stubbed PushManager, the service worker it registers is the real /sw.js, and the subscription it
posts is stored by the real server.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Browser, BrowserContext, Page, expect

from carriers.fakes import dhl_ecommerce as fake_dhl
from tests.browser.conftest import PageProblems, open_context
from tests.browser.test_accessibility import axe_violations
from tests.conftest import tune
from tracking_site.following.models import EmailSubscription, PushSubscription
from tracking_site.following.vapid import new_private_key

pytestmark = pytest.mark.browser

MOVING = fake_dhl.OUT_FOR_DELIVERY
PARCEL = f"/track/dhl-ecommerce/{MOVING}/"
ENDPOINT = "https://fcm.googleapis.com/fcm/send/browser-test-subscription"
# A browser's keys (any valid P-256 point and a 16-byte secret will do for the server's checks).
P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
AUTH = "tBHItJI5svbpez7KI4CCXg"

# The stubbed push service side of the browser: permission granted, subscribe() hands back a subscription
# whose toJSON() is what Chromium gives, and remembers it (across reloads, as a browser does) for getSubscription().
STUB_PUSH = f"""
(() => {{
  const remembered = "stub-push-subscribed";
  const subscription = {{
    endpoint: "{ENDPOINT}",
    toJSON: () => ({{endpoint: "{ENDPOINT}", expirationTime: null, keys: {{p256dh: "{P256DH}", auth: "{AUTH}"}}}}),
    unsubscribe: async () => {{ sessionStorage.removeItem(remembered); return true; }},
  }};
  window.__subscribeCalls = [];
  PushManager.prototype.subscribe = async function (options) {{
    window.__subscribeCalls.push({{
      userVisibleOnly: options.userVisibleOnly, keyBytes: new Uint8Array(options.applicationServerKey).length}});
    sessionStorage.setItem(remembered, "1");
    return subscription;
  }};
  PushManager.prototype.getSubscription = async function () {{
    return sessionStorage.getItem(remembered) ? subscription : null;
  }};
  Object.defineProperty(Notification, "permission", {{get: () => "default"}});
  Notification.requestPermission = async () => "granted";
}})();
"""
NO_PUSH = "delete window.PushManager;"


@pytest.fixture
def vapid(settings):
    settings.VAPID_PRIVATE_KEY = new_private_key()


def push_context(browser: Browser, site: str, problems: PageProblems, script: str, **options) -> BrowserContext:
    context = open_context(browser, site, problems, **options)
    context.add_init_script(script)
    return context


def test_the_follow_controls_appear_with_the_feed_and_calendar(page: Page, site: str, vapid):
    page.goto(site + PARCEL)
    follow = page.get_by_role("region", name="Follow this parcel")
    expect(follow).to_be_visible()
    expect(follow.get_by_label("Email me when it changes")).to_be_visible()
    expect(follow.get_by_role("link", name="News feed of every scan (Atom)")).to_have_attribute(
        "type", "application/atom+xml"
    )
    expect(follow.get_by_role("link", name="Expected delivery day in your calendar")).to_have_attribute(
        "type", "text/calendar"
    )
    assert page.locator('head link[rel=alternate][type="application/atom+xml"]').count() == 1


def test_push_subscribes_through_the_real_service_worker_and_stops_again(browser, site, problems, vapid):
    context = push_context(browser, site, problems, STUB_PUSH)
    page = context.new_page()
    page.goto(site + PARCEL)
    button = page.get_by_role("button", name="Notify me on this device")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator(".push-status")).to_have_text(re.compile("Notifications are on"))
    assert page.evaluate("window.__subscribeCalls") == [{"userVisibleOnly": True, "keyBytes": 65}]
    scope = page.evaluate("navigator.serviceWorker.getRegistration().then(r => r && r.scope)")
    assert scope == site + "/"
    stored = PushSubscription.objects.get()
    assert (stored.endpoint, stored.p256dh, stored.auth, stored.parcel.number) == (ENDPOINT, P256DH, AUTH, MOVING)

    page.reload()  # the page remembers this device follows the parcel
    stop = page.get_by_role("button", name="Stop notifications on this device")
    expect(stop).to_be_visible()
    stop.click()
    expect(page.locator(".push-status")).to_have_text(re.compile("Notifications are off"))
    expect(page.get_by_role("button", name="Notify me on this device")).to_be_visible()
    assert PushSubscription.objects.count() == 0
    context.close()
    problems.assert_none()


def test_where_the_browser_cannot_subscribe_there_is_no_push_button(browser, site, problems, vapid):
    context = push_context(browser, site, problems, NO_PUSH)
    page = context.new_page()
    page.goto(site + PARCEL)
    expect(page.get_by_label("Email me when it changes")).to_be_visible()
    expect(page.get_by_role("button", name="Notify me on this device")).to_be_hidden()
    context.close()
    problems.assert_none()


def test_the_email_form_works_without_javascript(browser, site, problems):
    context = open_context(browser, site, problems, java_script_enabled=False)
    page = context.new_page()
    page.goto(site + PARCEL)
    page.get_by_label("Email me when it changes").fill("reader@follower-mail.net")
    page.get_by_role("button", name="Follow by email").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    assert "reader@follower-mail.net" not in page.content()
    assert len(mail.outbox) == 1 and EmailSubscription.objects.count() == 1
    confirm = re.search(r"https?://[^/\s]+(/follow/email/confirm/\S+/)", mail.outbox[0].body)
    assert confirm is not None
    page.goto(site + confirm.group(1))
    page.get_by_role("button", name="Confirm and follow").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are following this parcel")
    assert EmailSubscription.objects.get().confirmed_at is not None
    context.close()
    problems.assert_none()


def test_an_invalid_address_is_explained_without_javascript(browser, site, problems):
    context = open_context(browser, site, problems, java_script_enabled=False)
    page = context.new_page()
    # The form page leaves checking to the server (novalidate), which explains what is wrong.
    page.goto(site + f"/track/dhl-ecommerce/{MOVING}/follow/email")
    page.get_by_label("Email address").fill("no-at-sign")
    page.get_by_role("button", name="Follow by email").click()
    expect(page.get_by_role("alert")).to_have_text("That does not look like an email address.")
    expect(page.get_by_label("Email address")).to_have_attribute("aria-invalid", "true")
    context.close()
    problems.assert_none()


def axe_clean(page: Page) -> None:
    light = axe_violations(page)
    page.emulate_media(color_scheme="dark")
    dark = axe_violations(page, inject=False)
    assert light == [] and dark == []


def test_the_parcel_page_with_its_follow_controls_is_axe_clean(browser, site, problems, vapid):
    context = push_context(browser, site, problems, STUB_PUSH)
    page = context.new_page()
    page.goto(site + PARCEL)
    expect(page.get_by_role("button", name="Notify me on this device")).to_be_visible()
    axe_clean(page)
    page.get_by_role("button", name="Notify me on this device").click()
    expect(page.locator(".push-status")).to_have_text(re.compile("Notifications are on"))
    axe_clean(page)
    context.close()
    problems.assert_none()


def test_the_email_pages_are_axe_clean(browser, site, problems):
    context = open_context(browser, site, problems)
    page = context.new_page()
    page.goto(site + f"/track/dhl-ecommerce/{MOVING}/follow/email")
    axe_clean(page)
    page.emulate_media(color_scheme="light")
    page.get_by_label("Email address").fill("reader@follower-mail.net")
    page.get_by_role("button", name="Follow by email").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    axe_clean(page)
    links = re.findall(r"https?://[^/\s]+(/follow/email/(?:confirm|unsubscribe)/\S+/)", mail.outbox[0].body)
    confirm, unsubscribe = links[0], links[1]
    for path, heading, button in (
        (confirm, "Confirm your email address", "Confirm and follow"),
        (unsubscribe, "Stop these emails", "Stop and delete my address"),
    ):
        page.emulate_media(color_scheme="light")
        page.goto(site + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        axe_clean(page)
        page.get_by_role("button", name=button).click()
        axe_clean(page)
    page.goto(site + "/follow/email/confirm/not-a-token/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    axe_clean(page)
    context.close()
    problems.assert_none()


def test_a_full_parcel_is_said_on_the_confirmation_page_which_is_axe_clean(browser, site, problems, settings):
    tune(settings, following={"max_subscriptions_per_parcel": 0})  # no room for anyone
    context = open_context(browser, site, problems)
    page = context.new_page()
    page.goto(site + f"/track/dhl-ecommerce/{MOVING}/follow/email")
    page.get_by_label("Email address").fill("reader@follower-mail.net")
    page.get_by_role("button", name="Follow by email").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")  # as for any sign-up
    confirm = re.search(r"https?://[^/\s]+(/follow/email/confirm/\S+/)", mail.outbox[0].body)
    assert confirm is not None
    page.goto(site + confirm.group(1))
    page.get_by_role("button", name="Confirm and follow").click()
    expect(page.get_by_role("alert")).to_have_text("This parcel cannot take more followers.")
    assert EmailSubscription.objects.count() == 0
    axe_clean(page)
    context.close()
    problems.assert_none()


def test_the_service_worker_shows_a_pushed_message_in_the_devices_language(browser, site, problems, vapid):
    import json

    context = push_context(browser, site, problems, STUB_PUSH, locale="nl-NL")
    context.grant_permissions(["notifications"], origin=site)
    page = context.new_page()
    page.goto(site + PARCEL)
    page.get_by_role("button", name="Stuur mij een melding op dit apparaat").click()
    expect(page.locator(".push-status")).to_have_text(re.compile("Meldingen staan aan"))
    cdp = context.new_cdp_session(page)
    registrations: list[str] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(r["registrationId"] for r in event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(100):  # DevTools events arrive while Playwright waits: wait for the registration's
        if registrations:
            break
        page.wait_for_timeout(50)
    assert registrations
    message = {
        "url": site + PARCEL,
        "tag": f"dhl-ecommerce/{MOVING}",
        "texts": {
            "en": {"title": "Out for delivery", "body": "today"},
            "nl": {"title": "Bij de bezorger", "body": "vandaag"},
        },
    }
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": site, "registrationId": registrations[0], "data": json.dumps(message)},
    )
    shown = page.wait_for_function(
        "navigator.serviceWorker.ready.then(r => r.getNotifications())"
        ".then(list => list.length ? list.map(n => [n.title, n.body, n.tag]) : null)"
    )
    assert shown.json_value() == [["Bij de bezorger", "vandaag", f"dhl-ecommerce/{MOVING}"]]
    context.close()
    problems.assert_none()
