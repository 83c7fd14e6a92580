"""Every page type, email, feed, calendar entry and push message, in every language of the site: no English word of
ours left (locale/TRANSLATING.md).

Our English words are the catalogue's msgids. A page in another language may show none of them, but those its
catalogue keeps as they are on purpose (translated to themselves: "Malta", a format written as English writes it).
Text marked as another language (`lang="en"`: a carrier's own words, a service's name, the demo's descriptions) is
not ours and is not read; neither are tracking numbers (`translate="no"`). Until a translator has filled a
language's catalogue, its tests here fail: that is what they are for.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from html.parser import HTMLParser

import icalendar
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone, translation

from carriers.demo import build_demo_carriers, demo_numbers
from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import nzpost as fake_nzpost
from carriers.model import FailureReason
from tests.conftest import tune
from tests.tracking_site.catalogues import PLACEHOLDER, TRANSLATED, catalogue
from tests.tracking_site.conftest import InMemoryCarrier
from tracking_site.following.mail import notification_message
from tracking_site.following.messages import parcel_news, push_payload
from tracking_site.following.models import EmailSubscription, FollowedParcel
from tracking_site.lookup.clients import install_carriers
from tracking_site.protection.rate_limits import too_many_requests
from tracking_site.staff.database_gate import database_unavailable_page
from tracking_site.web import errors

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
MOVING = fake_dhl.OUT_FOR_DELIVERY  # a parcel on its way: it can be followed, and has a day for the calendar
LINK = re.compile(r"http://testserver(/follow/email/(?:confirm|unsubscribe)/[^/\s]+/)")
FOLLOWER = "reader@follower-mail.net"


# --- what a reader of the page's language reads ---------------------------------------------------------------------


class OurText(HTMLParser):
    """The text a page shows and reads out in its own language: element text and the attributes people read or
    hear (title, labels, alt, meta content, the script's data-* sentences). Scripts, styles, tracking numbers and
    whatever is marked as another language are left out."""

    READ = frozenset({"title", "aria-label", "alt", "placeholder", "content"})
    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.skipped: list[str] = []  # the open elements of a part left out
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        lang = attributes.get("lang")
        foreign = lang is not None and lang.split("-")[0] != self.language
        if self.skipped or foreign or tag in ("script", "style") or attributes.get("translate") == "no":
            if tag not in self.VOID:
                self.skipped.append(tag)
            return
        self.parts += [value for name, value in attrs if value and (name in self.READ or name.startswith("data-"))]

    def handle_endtag(self, tag: str) -> None:
        if tag in self.skipped:
            while self.skipped.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if not self.skipped:
            self.parts.append(data)

    @classmethod
    def of(cls, html: str, language: str) -> str:
        reader = cls(language)
        reader.feed(html)
        reader.close()
        return " ".join(" ".join(reader.parts).split())


@functools.cache
def our_english(language: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(msgid, the shape of its English on a page) for each string `language` does not keep as English.

    A string left untranslated shows whole, its placeholders filled: the shape is its words with anything in the
    placeholders' places (at its ends, nothing). Shapes with fewer than three letters ("or", "in %(time)s") are
    left out: such a word may be the page language's own ("in" is Dutch and Swedish too); a date format's letters
    are no words either.
    """
    found = []
    for entry in catalogue(language):
        if entry.kept_as_english:
            continue
        for english in entry.english:
            pieces = PLACEHOLDER.split(re.sub(r"<[^>]+>", "", english))
            words = [" ".join(piece.split()) for piece in pieces if piece.strip()]
            if sum(char.isalpha() for char in "".join(words)) < 3 or not re.search(r"[^\W\d_]{2}", "".join(words)):
                continue
            shape = ".{1,80}?".join(r"\s+".join(map(re.escape, word.split(" "))) for word in words)
            found.append((english, re.compile(rf"(?<!\w){shape}(?!\w)")))
    return tuple(found)


def english_left(text: str, language: str) -> list[str]:
    """The strings of ours whose English is still in `text`, as written."""
    return sorted({english for english, shape in our_english(language) if shape.search(text)})


def page_text(response: HttpResponse, language: str) -> str:
    return OurText.of(response.content.decode(), language)


def assert_no_english_left(texts: dict[str, str], language: str) -> None:
    left = {name: found for name, text in texts.items() if (found := english_left(text, language))}
    assert left == {}


# --- the pages, one group at a time ---------------------------------------------------------------------------------


def visitor(language: str) -> Client:
    return Client(headers={"accept-language": language})


def public_pages(client: Client) -> dict[str, HttpResponse]:
    """The search, results, every demo parcel, and the pages for what cannot be shown."""
    paths = {
        "home": "/",
        "a search that is no tracking number": "/track/?q=AB",
        "results": f"/track/?q={fake_dhl.OUT_FOR_DELIVERY},{fake_nzpost.DELIVERED_PACE_JOB},GM0000000000000001",
        "results with a mistyped entry": f"/track/?q=AB,{fake_nzpost.AWAITING_PICKUP_S10},{fake_nzpost.IN_TRANSIT_S10}",
        "not found": "/track/nzpost/CL000000000NZ/",
        "unknown carrier": "/track/fedex/X12345/",
        "bad number": "/track/nzpost/AB/",
        "no such page": "/no/such/page",
    }
    for slug, numbers in demo_numbers().items():
        paths.update({f"parcel {slug} {number}": f"/track/{slug}/{number}/" for number, _ in numbers})
    return {name: client.get(path) for name, path in paths.items()}


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_search_results_and_every_parcel_page_are_all_in_the_visitors_language(language):
    pages = public_pages(visitor(language))
    assert len(pages) > 25
    assert {response.status_code for response in pages.values()} == {200, 400, 404}
    assert_no_english_left({name: page_text(response, language) for name, response in pages.items()}, language)


@pytest.mark.parametrize("language", TRANSLATED)
def test_failure_and_error_pages_are_in_the_visitors_language(language):
    carriers = build_demo_carriers()
    carriers["nzpost"] = InMemoryCarrier("nzpost", failure=FailureReason.TIMEOUT)
    install_carriers(carriers)
    client = visitor(language)
    texts = {
        "carrier failure": page_text(client.get("/track/nzpost/CL092594238NZ/"), language),
        "results with a failure": page_text(client.get(f"/track/?q=CL092594238NZ,{MOVING}"), language),
    }
    request = RequestFactory().get("/track/")
    with translation.override(language):
        answers = {
            "too many requests": too_many_requests(request, 30, as_json=False),
            "400": errors.bad_request(request, ValueError()),
            "403": errors.permission_denied(request, PermissionError()),
            "500": errors.server_error(request),
            "503": errors.database_unavailable(request),
        }
    texts.update({name: page_text(answer, language) for name, answer in answers.items()})
    assert_no_english_left(texts, language)


@pytest.mark.parametrize("language", TRANSLATED)
def test_following_by_email_speaks_the_followers_language_from_form_to_last_email(language, settings):
    client = visitor(language)
    form = f"/track/dhl-ecommerce/{MOVING}/follow/email"
    texts = {"form": page_text(client.get(form), language)}
    texts["form, not an address"] = page_text(client.post(form, {"email": "not an address"}), language)
    sent = client.post(form, {"email": FOLLOWER})
    texts["sent"] = page_text(client.get(sent["Location"]), language)
    confirmation = mail.outbox[-1]
    texts["confirmation email"] = f"{confirmation.subject} {confirmation.body}"
    confirm, unsubscribe = (LINK.findall(confirmation.body)[i] for i in (0, 1))
    texts["confirm"] = page_text(client.get(confirm), language)
    texts["confirmed"] = page_text(client.post(confirm), language)
    tune(settings, following={"max_subscriptions_per_parcel": 1})
    client.post(form, {"email": "second@follower-mail.net"})
    texts["full"] = page_text(client.post(LINK.findall(mail.outbox[-1].body)[0]), language)
    texts["link that does not work"] = page_text(client.get("/follow/email/confirm/not-a-token/"), language)

    subscription = EmailSubscription.objects.get(address=FOLLOWER)
    assert subscription.language == language
    row = subscription.parcel
    change = row.changes.create(
        version=1,
        status="in_transit",
        expected_delivery=timezone.localdate() + timedelta(days=2),
        created_at=row.followed_since,
    )
    notification = notification_message(subscription, parcel_news(change, subscription.language))
    texts["notification email"] = f"{notification.subject} {notification.body}"
    push = push_payload(change)["texts"][language]
    texts["push message"] = f"{push['title']} {push['body']}"

    texts["unsubscribe"] = page_text(client.get(unsubscribe), language)
    texts["unsubscribed"] = page_text(client.post(unsubscribe), language)
    assert_no_english_left(texts, language)


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_feed_and_the_calendar_entry_speak_the_language_their_link_names(language):
    feed = ET.fromstring(visitor("en").get(f"/track/dhl-ecommerce/{MOVING}/feed.atom?lang={language}").content)  # noqa: S314 - our own feed
    texts = {
        "feed": " ".join(
            element.text or "" for tag in ("title", "subtitle", "name") for element in feed.iter(f"{ATOM}{tag}")
        ),
        "feed entries": " ".join(OurText.of(element.text or "", language) for element in feed.iter(f"{ATOM}summary")),
    }
    calendar = icalendar.Calendar.from_ical(
        visitor("en").get(f"/track/dhl-ecommerce/{MOVING}/calendar.ics?lang={language}").content
    )
    [entry] = calendar.walk("VEVENT")
    texts["calendar entry"] = f"{entry['SUMMARY']} {entry['DESCRIPTION']}"
    texts["feed reader's problem"] = (
        visitor("en").get(f"/track/nzpost/CL000000000NZ/feed.atom?lang={language}").content.decode()
    )
    assert_no_english_left(texts, language)


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_staff_console_is_in_the_staffs_language(language, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    anonymous = visitor(language)
    texts = {"sign-in": page_text(anonymous.get("/staff/login/"), language)}
    staff = visitor(language)
    staff.force_login(get_user_model().objects.create_user("support", password="a long pass phrase", is_staff=True))
    texts["console"] = page_text(staff.get("/staff/"), language)
    for slug in ("dhl-manifest", "dhl-pickup", "nzpost-partial", "postplus-sender"):
        texts[f"search {slug}"] = page_text(staff.get(f"/staff/search/{slug}/"), language)
    texts["manifest found"] = page_text(
        staff.post("/staff/search/dhl-manifest/", {"manifest_id": fake_dhl.DEMO_MANIFEST_ID}), language
    )
    texts["pickup dates refused"] = page_text(
        staff.post(
            "/staff/search/dhl-pickup/",
            {"pickup": fake_dhl.DEMO_PICKUP, "start_date": "2026-12-10", "end_date": "2026-12-01", "country": "USA"},
        ),
        language,
    )
    texts["sender numbers refused"] = page_text(
        staff.post("/staff/search/postplus-sender/", {"sender_numbers": "ok-1 not/one"}), language
    )
    now = timezone.now()
    FollowedParcel.objects.create(
        carrier="dhl-ecommerce",
        number=MOVING,
        status="in_transit",
        followed_since=now - timedelta(days=9),
        latest_event_at=now - timedelta(days=8),
        next_check_at=now,
    )
    texts["stuck parcels"] = page_text(staff.get("/staff/stuck/?days=3"), language)
    with translation.override(language):
        texts["database unavailable"] = page_text(database_unavailable_page(RequestFactory().get("/staff/")), language)
    tune(settings, rate_limits={"enabled": True, "staff_login": "1/m"})
    for _ in range(2):
        refused = anonymous.post("/staff/login/", {"username": "support", "password": "guess"})
    assert refused.status_code == 429
    texts["too many sign-ins"] = page_text(refused, language)
    assert_no_english_left(texts, language)


# --- the check itself -----------------------------------------------------------------------------------------------


def test_english_left_finds_our_words_and_only_ours():
    """The check fails a page that forgot a translation, and passes the page language's own words and the carrier's
    English marked as such."""
    assert "Track another parcel" in english_left("Seguimiento · Track another parcel", "es")
    assert "%(carrier)s parcel %(number)s: every scan" in english_left("DHL eCommerce parcel GM29: every scan", "es")
    assert english_left("3 of 4 found", "es") == ["%(found)d of %(searched)d found"]
    assert english_left("Malta", "es") == []  # the catalogue keeps it as it is
    # Dutch words that are English too ("in", "website") are no English left.
    assert english_left("Ligt in een depot · Volg het op de website van NZ Post", "nl") == []
    marked = '<p>Entregado <q lang="en">Delivered</q> <span translate="no">Track</span></p>'
    assert OurText.of(marked, "es") == "Entregado"
    assert OurText.of('<p title="Timeline">Delivered <br> <img alt="Track"></p>', "es") == "Timeline Delivered Track"
