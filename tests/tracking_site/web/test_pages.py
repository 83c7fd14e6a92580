"""The pages people see: milestones, honest times, sharing, titles and meta, languages."""

import gzip
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from carriers.model import CarrierFailure, FailureReason, Place, Status, TrackingEvent, parcel_from_events
from tests.tracking_site.conftest import make_parcel
from tests.tracking_site.web.test_hostile_input import OUR_SCRIPT_TAG

pytestmark = pytest.mark.django_db

NZ = "CL092594238NZ"
DHL = "GM2951173225174494"
CHICAGO = ZoneInfo("America/Chicago")


def dhl_parcel(status: Status = Status.OUT_FOR_DELIVERY):
    start = timezone.now().astimezone(CHICAGO) - timedelta(hours=30)
    return parcel_from_events(
        carrier="dhl-ecommerce",
        tracking_number=DHL,
        events=[
            TrackingEvent(start, Status.INFO_RECEIVED, "SHIPMENT DATA RECEIVED", Place(city="Chicago", region="IL")),
            TrackingEvent(start + timedelta(hours=29), status, "OUT FOR DELIVERY", Place(city="Chicago", region="IL")),
        ],
        expected_delivery=date(2031, 5, 3),
    )


def text_of(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def text_of_fragment(body: str, css_class: str) -> str:
    """The text of the first <p> with this class."""
    match = re.search(rf'<p class="{css_class}">(.*?)</p>', body, re.S)
    assert match, css_class
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))).strip()


def test_parcel_page_shows_the_answer_milestones_and_last_update(client, carriers):
    carriers["dhl-ecommerce"].parcels[DHL] = dhl_parcel()
    response = client.get(f"/track/dhl-ecommerce/{DHL}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<span class="relative">Out for delivery: arriving today</span>' in body
    # On paper, read another day, the day is named: "today" would be wrong by then.
    assert re.search(r'<span class="print-only">Out for delivery: arriving \w+day \d+ \w+</span></h1>', body)
    assert '<ol class="milestones" aria-label="Progress">' in body
    assert re.search(r'class="step step-current" aria-current="step">.*Out for delivery', body)
    text = text_of(response)
    assert "We last asked DHL eCommerce just now." in text
    assert "(current step)" in text and "(not yet)" in text  # state in words, not by colour alone


def test_the_answer_comes_before_the_milestones_and_the_timeline(client, carriers):
    carriers["dhl-ecommerce"].parcels[DHL] = dhl_parcel(Status.IN_TRANSIT)
    body = client.get(f"/track/dhl-ecommerce/{DHL}/").content.decode()
    assert "In transit: arriving Saturday 3 May 2031" in body  # a date more than a week away, with its year
    order = [body.index(marker) for marker in ('class="headline"', 'class="where-now"', "milestones", "Timeline")]
    assert order == sorted(order)
    assert text_of_fragment(body, "where-now").startswith("Chicago, IL Last scan ")


def test_timeline_is_an_ordered_list_with_local_times_and_zones(client, carriers):
    carriers["dhl-ecommerce"].parcels[DHL] = dhl_parcel()
    body = client.get(f"/track/dhl-ecommerce/{DHL}/").content.decode()
    assert '<ol class="timeline">' in body
    times = re.findall(r'<time class="event-time" datetime="([^"]+)">([^<]+)</time>', body)
    assert len(times) == 2
    for iso, shown in times:
        assert iso.endswith(("-05:00", "-06:00"))
        assert re.fullmatch(r"\d\d:\d\d C[DS]T", shown)  # one time per scan: the day is its group's heading
    assert not re.search(r"\bago\b", body.split('id="timeline-heading"')[1].split("We last asked")[0])


def test_nz_post_utc_times_are_shown_in_new_zealand_time(client, carriers):
    carriers["nzpost"].parcels[NZ] = make_parcel("nzpost", NZ)
    body = client.get(f"/track/nzpost/{NZ}/").content.decode()
    assert '<time datetime="2024-05-01">Wednesday 1 May 2024</time>' in body
    assert '<time class="event-time" datetime="2024-05-01T21:00:00+12:00">21:00 NZST</time>' in body
    # The visitor's own time is added once per page, beside the last scan, never under every scan.
    assert body.count("data-viewer-time") == 1
    assert re.search(r'<span class="last-scan">Last scan <time datetime="[^"]+" data-viewer-time>', body)


def test_detours_are_shown_distinctly(client, carriers):
    carriers["nzpost"].parcels[NZ] = make_parcel("nzpost", NZ, Status.RETURNED, "Returned")
    body = client.get(f"/track/nzpost/{NZ}/").content.decode()
    assert re.search(r'class="step step-problem" aria-current="step">.*Returned to sender', body)
    assert "(needs attention)" in body


def test_title_and_share_meta_show_the_status_and_nothing_private(client, carriers):
    carriers["dhl-ecommerce"].parcels[DHL] = dhl_parcel()
    body = client.get(f"/track/dhl-ecommerce/{DHL}/").content.decode()
    # Titles outlive the day (tabs, bookmarks, links shared days later): the day by its date, never "today".
    title = re.search(r"<title>(.*?)</title>", body).group(1)
    assert re.fullmatch(rf"Out for delivery: arriving \w+day \d{{1,2}} \w+ · {DHL} · Parcel tracking", title)
    assert f'<meta property="og:title" content="Out for delivery · {DHL}">' in body
    assert f'<meta property="og:description" content="DHL eCommerce parcel {DHL}: Out for delivery.">' in body
    assert f'<meta property="og:url" content="http://testserver/track/dhl-ecommerce/{DHL}/">' in body
    assert '<meta property="og:locale" content="en_GB">' in body
    assert '<meta property="og:image" content="http://testserver/static/img/share.png">' in body
    assert '<meta name="twitter:card" content="summary_large_image">' in body
    metas = " ".join(re.findall(r"<meta [^>]+>", body))
    assert "Chicago" not in metas and "OUT FOR DELIVERY" not in metas  # no place or event text in previews


def test_parcel_page_has_a_copy_link_field_and_a_button_hidden_until_javascript(client, carriers):
    carriers["dhl-ecommerce"].parcels[DHL] = dhl_parcel()
    body = client.get(f"/track/dhl-ecommerce/{DHL}/").content.decode()
    assert f'value="http://testserver/track/dhl-ecommerce/{DHL}/" readonly>' in body
    assert '<button type="button" class="copy-link" hidden>Copy link</button>' in body
    assert OUR_SCRIPT_TAG in body


def test_results_page_is_a_permalink_that_offers_its_own_link(client, carriers):
    carriers["nzpost"].parcels[NZ] = make_parcel("nzpost", NZ)
    carriers["dhl-ecommerce"].parcels[DHL] = dhl_parcel()
    typed = client.get("/track/", {"q": f"{NZ}\n {DHL};GM0000000000000001"})
    permalink = f"/track/?q={NZ},{DHL},GM0000000000000001"
    assert f'value="http://testserver{permalink}" readonly>' in typed.content.decode()
    reopened = client.get(permalink)
    assert reopened.status_code == 200
    assert reopened.content.decode().count('<li class="card ') == 3
    assert "<title>3 parcels · Parcel tracking</title>" in reopened.content.decode()


def test_results_permalink_keeps_a_chosen_carrier(client, carriers):
    carriers["nzpost"].parcels[NZ] = make_parcel("nzpost", NZ)  # a page with nothing found offers no link
    client_response = client.get("/track/", {"q": f"{NZ} {DHL}", "carrier": "nzpost"})
    assert f'value="http://testserver/track/?q={NZ},{DHL}&amp;carrier=nzpost"' in client_response.content.decode()


def test_html_lang_follows_accept_language(client, carriers):
    assert '<html lang="en">' in client.get("/").content.decode()
    dutch = client.get("/", headers={"accept-language": "nl-NL,nl;q=0.9,en;q=0.5"}).content.decode()
    assert '<html lang="nl">' in dutch
    assert "Waar is mijn pakket?" in dutch


def test_dutch_parcel_page_translates_our_words_and_keeps_the_carriers(client, carriers):
    carriers["dhl-ecommerce"].parcels[DHL] = dhl_parcel()
    response = client.get(f"/track/dhl-ecommerce/{DHL}/", headers={"accept-language": "nl"})
    text = text_of(response)
    assert "Bij de bezorger" in text and "Tijdlijn" in text
    # Each scan in our Dutch words; the carrier's own beside them (in sentence case), marked as English.
    body = response.content.decode()
    assert '<span class="event-description">Bij de bezorger</span>' in body
    assert '<span class="event-original">DHL eCommerce: <q lang="en">Out for delivery</q></span>' in body
    assert '<span class="event-description">Label aangemaakt</span>' in body
    assert '<span class="event-original">DHL eCommerce: <q lang="en">Shipment data received</q></span>' in body
    assert "Timeline" not in text and "arriving" not in text


def test_dutch_form_and_failure_messages(client, carriers):
    carriers["nzpost"].failure = FailureReason.TIMEOUT
    failure = client.get(f"/track/nzpost/{NZ}/", headers={"accept-language": "nl"})
    # The page's wait is the answer's Retry-After (30 s for a timeout), in seconds while under a minute.
    assert failure["Retry-After"] == "30"
    assert "NZ Post antwoordde niet op tijd. Probeer het over ongeveer 30 seconden opnieuw." in text_of(failure)
    form = client.get("/track/", {"q": ""}, headers={"accept-language": "nl"})
    assert "Typ ten minste één trackingnummer." in text_of(form)
    bad = client.get("/track/nzpost/AB/", headers={"accept-language": "nl"})
    assert "Een trackingnummer heeft 5 tot 40 tekens." in text_of(bad)


def test_english_failure_message_reads_as_one_sentence_pair(client, carriers):
    carriers["nzpost"].failure = FailureReason.AUTH
    failure = client.get(f"/track/nzpost/{NZ}/")
    assert failure["Retry-After"] == "300"
    assert "NZ Post refused our connection (we are on it). Please try again in about 5 minutes." in text_of(failure)


@pytest.mark.parametrize(
    ("reason", "seconds", "words"),
    [
        (FailureReason.RATE_LIMITED, 2, "Please try again in about 2 seconds."),  # the budget's next slot
        (FailureReason.UNAVAILABLE, 30, "Please try again in about 30 seconds."),  # an open breaker's probe
    ],
)
def test_a_wait_the_site_knows_is_the_pages_the_apis_and_the_cards(client, monkeypatch, reason, seconds, words):
    from tracking_site.lookup import permalink
    from tracking_site.lookup.service import LookupOutcome
    from tracking_site.web import views

    def failing(numbers, carrier=None, **kwargs):
        return [LookupOutcome(n, CarrierFailure("nzpost", n, reason, retry_after_seconds=seconds)) for n in numbers]

    monkeypatch.setattr(views, "lookup_parcels", failing)
    monkeypatch.setattr(permalink, "lookup_parcels", failing)
    page = client.get(f"/track/nzpost/{NZ}/")
    assert page["Retry-After"] == str(seconds) and words in text_of(page)
    answer = client.get(f"/api/v1/parcels/nzpost/{NZ}")
    assert answer["Retry-After"] == str(seconds) and words in answer.json()["error"]["message"]
    cards = client.get("/track/", {"q": f"{NZ} CL092594241NZ"})
    assert text_of(cards).count(words) == 2


def test_a_busy_carrier_says_the_same_wait_as_its_retry_after(client, carriers):
    carriers["nzpost"].failure = FailureReason.RATE_LIMITED
    failure = client.get(f"/track/nzpost/{NZ}/")
    assert failure.status_code == 503 and failure["Retry-After"] == "30"
    assert "Please try again in about 30 seconds." in text_of(failure)


def test_language_switcher_needs_no_token_and_sticks(carriers):
    """Public pages carry no CSRF token (they stay shareable by caches); the switch still works and sticks."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    home = client.get("/")
    form = re.search(
        r'<details class="language">.*?<form action="/i18n/setlang/" method="post">.*?</form>',
        home.content.decode(),
        re.S,
    )
    assert form and '<button type="submit" name="language" value="nl" lang="nl"' in form.group(0)
    assert "csrfmiddlewaretoken" not in home.content.decode() and "csrftoken" not in home.cookies
    switched = client.post("/i18n/setlang/", {"language": "nl", "next": "/"})
    assert switched.status_code == 302 and switched["Location"] == "/"
    assert '<html lang="nl">' in client.get("/").content.decode()


def test_language_switcher_never_redirects_off_site(client, carriers):
    response = client.post("/i18n/setlang/", {"language": "nl", "next": "https://evil.example/"})
    assert response.status_code == 302 and not response["Location"].startswith("https://evil")


@pytest.mark.parametrize(
    "path",
    ["/", "/track/?q=AB", "/track/nzpost/AB/", f"/track/nzpost/{NZ}/", "/no/such/page", "/track/fedex/X12345/"],
)
def test_every_page_has_landmarks_a_skip_link_and_one_h1(client, carriers, path):
    body = client.get(path).content.decode()
    for landmark in ("<header", "<main", "<footer"):
        assert landmark in body, landmark
    assert '<a class="skip-link" href="#main">' in body
    assert body.count("<h1") == 1


def test_search_form_fields_are_labelled(client, carriers):
    body = client.get("/").content.decode()
    assert '<label for="id_q">Tracking numbers</label>' in body
    assert '<label for="id_carrier">Carrier</label>' in body
    assert 'aria-describedby="q-help"' in body


def test_delivered_page_says_when_in_local_time(client, carriers):
    delivered_at = datetime(2024, 5, 2, 3, 15, tzinfo=UTC)
    carriers["nzpost"].parcels[NZ] = parcel_from_events(
        carrier="nzpost",
        tracking_number=NZ,
        events=[TrackingEvent(delivered_at, Status.DELIVERED, "Delivered")],
        signed=True,
    )
    body = client.get(f"/track/nzpost/{NZ}/").content.decode()
    assert re.search(r"<h1 class=\"headline\">.*Delivered Thursday 2 May 2024 15:15</h1>", body)
    assert "Someone signed for it." in body


def test_a_parcel_page_with_its_css_and_js_is_well_under_50_kb_gzipped(client, carriers):
    carriers["dhl-ecommerce"].parcels[DHL] = dhl_parcel()
    html = client.get(f"/track/dhl-ecommerce/{DHL}/").content
    assets = re.findall(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"', html.decode())
    assert assets == ["/static/css/site.css", "/static/js/site.js"]
    bodies = [html] + [b"".join(client.get(asset).streaming_content) for asset in assets]
    assert all(bodies)
    assert sum(len(gzip.compress(body, 9)) for body in bodies) < 50_000
    assert not re.search(rb'(?:src|href)="(?:https?:)?//', html)  # nothing from another site
