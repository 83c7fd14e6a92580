"""The answer, true in every state, over HTTP: who has the parcel, what now, titles that do not go stale, offers
that fit the state, the order of a results page, and a search box on every parcel page."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from carriers.demo import demo_numbers
from carriers.model import LastMile, Place, Status, TrackingEvent, parcel_from_events
from tests.tracking_site.conftest import make_parcel

pytestmark = pytest.mark.django_db

POSTPLUS = "LX603928515SE"
DHL = "GM295117494011076439"
IMPB = "9261290357311200174540"
NZ = "CL092594238NZ"
NZ_OTHER = "RN277193855NZ"

DEMO_PAGES = [(slug, number) for slug, numbers in demo_numbers().items() for number, _ in numbers]
# Words that name a day relative to when the page was made, English and Dutch; and a weekday without its date.
RELATIVE = re.compile(
    r"\b(today|tomorrow|yesterday|ago|just now|vandaag|morgen|gisteren|geleden|zojuist)\b", re.IGNORECASE
)
BARE_WEEKDAY = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag)\b(?!\s+\d)",
    re.IGNORECASE,
)


def text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))).strip()


def fragment(body: str, pattern: str) -> str:
    match = re.search(pattern, body, re.S)
    assert match, pattern
    return match.group(0)


def page(client, carrier: str, number: str, language: str = "en") -> str:
    response = client.get(f"/track/{carrier}/{number}/", headers={"accept-language": language})
    assert response.status_code == 200
    return response.content.decode()


VILNIUS = Place(city="Vilnius")


def events_until(status: Status, place: Place = VILNIUS, description: str = "") -> list[TrackingEvent]:
    now = timezone.now()
    return [
        TrackingEvent(now - timedelta(days=3), Status.INFO_RECEIVED, "Parcel data received", Place(depot="PPLUS")),
        TrackingEvent(now - timedelta(days=2), Status.IN_TRANSIT, "Departed hub", Place(city="Tallinn")),
        TrackingEvent(now - timedelta(hours=2), status, description, place),
    ]


# --- titles and previews that stay true when shared days later ----------------------------------------------


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize(("carrier", "number"), DEMO_PAGES)
def test_no_demo_parcels_title_or_preview_names_a_day_relative_to_now(client, carrier, number, language):
    body = page(client, carrier, number, language)
    head = body.split("</head>")[0]
    shared = [unescape(re.search(r"<title>(.*?)</title>", head, re.S).group(1))]
    shared += [
        unescape(value) for value in re.findall(r'<meta (?:property|name)="(?:og|twitter):\w+" content="([^"]*)"', head)
    ]
    shared.append(unescape(re.search(r'data-share-title="([^"]*)"', body).group(1)))
    for words in shared:
        assert not RELATIVE.search(words), words
        assert not BARE_WEEKDAY.search(words), words


# --- who has the parcel -------------------------------------------------------------------------------------


def postplus_parcel(status: Status, last_mile: LastMile, **fields) -> object:
    return parcel_from_events(
        carrier="postplus",
        tracking_number=POSTPLUS,
        events=events_until(status, **fields),
        destination_country="SE",
        last_mile=last_mile,
    )


def test_before_the_handover_the_page_names_who_will_deliver_and_links_no_one(client, carriers):
    carriers["postplus"].parcels[POSTPLUS] = postplus_parcel(
        Status.IN_TRANSIT, LastMile("PostNord", "00370712345678901234"), place=Place(city="Stockholm")
    )
    handover = fragment(page(client, "postplus", POSTPLUS), r'<p class="handover">.*?</p>')
    assert text(handover) == "PostNord delivers it in Sweden: 0037 0712 3456 7890 1234"
    assert "href" not in handover and "Now with" not in handover
    dutch = fragment(page(client, "postplus", POSTPLUS, "nl"), r'<p class="handover">.*?</p>')
    assert text(dutch).startswith("PostNord bezorgt het in Zweden")


def test_a_delivered_parcel_says_who_delivered_it(client, carriers):
    carriers["postplus"].parcels[POSTPLUS] = postplus_parcel(
        Status.DELIVERED, LastMile("PostNord", "00370712345678901234"), place=Place(city="Solna")
    )
    body = page(client, "postplus", POSTPLUS)
    assert text(fragment(body, r'<p class="handover">.*?</p>')).startswith("Delivered by PostNord: 0037")
    assert "Now with" not in body


def test_a_returned_parcel_names_no_last_mile_carrier_and_says_why_and_whom_to_ask(client, carriers):
    carriers["postplus"].parcels[POSTPLUS] = postplus_parcel(
        Status.RETURNED,
        LastMile("Posten", POSTPLUS),
        place=Place(city="Tallinn"),
        description="Parcel returned to sender: customs clearance not completed",
    )
    body = page(client, "postplus", POSTPLUS)
    answer = fragment(body, r'<header class="answer.*?</header>')
    assert "Posten" not in answer and 'class="handover"' not in answer
    assert re.search(r'<h1 class="headline">.*Returned: customs clearance not completed</h1>', answer, re.S)
    step = text(fragment(answer, r'<p class="next-step">.*?</p>'))
    assert step.index("the sender") < step.index("PostPlus")


def test_a_dhl_parcel_handed_to_usps_sends_a_failed_delivery_to_usps(client, carriers):
    now = timezone.now()
    carriers["dhl-ecommerce"].parcels[DHL] = parcel_from_events(
        carrier="dhl-ecommerce",
        tracking_number=DHL,
        events=[
            TrackingEvent(now - timedelta(days=1), Status.IN_TRANSIT, "TENDERED TO DELIVERY SERVICE PROVIDER"),
            TrackingEvent(now - timedelta(hours=3), Status.DELIVERY_FAILED, "DELIVERY ATTEMPTED", Place(city="Austin")),
        ],
        destination_country="US",
        last_mile=LastMile("USPS", IMPB, handed_over=True),
    )
    body = page(client, "dhl-ecommerce", DHL)
    usps = f"https://tools.usps.com/go/TrackConfirmAction?tLabels={IMPB}"
    assert text(fragment(body, r'<p class="handover">.*?</p>')).startswith("Now with USPS: 9261")
    box = fragment(body, r'<section class="what-now.*?</section>')
    assert f'<a class="carrier-page" href="{usps}" rel="external noreferrer">' in box
    assert "Choose a new delivery on the USPS website" in box and "webtrack.dhlecs.com" not in box


def test_a_label_not_yet_scanned_gives_no_place_and_no_last_scan(client, carriers):
    label = parcel_from_events(
        carrier="dhl-ecommerce",
        tracking_number=DHL,
        events=[
            TrackingEvent(
                timezone.now() - timedelta(hours=3),
                Status.INFO_RECEIVED,
                "ELECTRONIC NOTIFICATION RECEIVED",
                Place(city="Melrose Park", region="IL", country="US"),
            )
        ],
    )
    carriers["dhl-ecommerce"].parcels[DHL] = label
    body = page(client, "dhl-ecommerce", DHL)
    answer = text(fragment(body, r'<header class="answer.*?</header>'))
    assert answer.startswith("○ The sender has created a label; DHL eCommerce has not scanned it yet")
    assert "Melrose Park" not in body  # not in the answer, not in the timeline
    assert "Last scan" not in answer and "Label created" in answer
    assert "Information received" not in body
    response = client.get("/track/", {"q": f"{DHL} {NZ}"})
    card = fragment(response.content.decode(), r'<li class="card card-found.*?</li>')
    assert "Melrose Park" not in card and "has not scanned it yet" in card


# --- the offers fit the state -------------------------------------------------------------------------------


def nz_parcel(status: Status, expected_in_days: int | None = None):
    parcel = make_parcel("nzpost", NZ, status, "Scan", start=timezone.now() - timedelta(hours=8))
    if expected_in_days is None:
        return parcel
    return parcel_from_events(
        carrier="nzpost",
        tracking_number=NZ,
        events=list(parcel.events),
        expected_delivery=(timezone.now() + timedelta(days=expected_in_days)).date(),
    )


@pytest.mark.parametrize(
    ("status", "expected_in_days", "follow", "calendar"),
    [
        (Status.IN_TRANSIT, 3, True, True),
        (Status.IN_TRANSIT, -3, True, False),  # late: the expected day has passed
        (Status.IN_TRANSIT, None, True, False),  # no day is expected (and no estimate for this lane)
        (Status.DELIVERED, None, False, False),
        (Status.RETURNED, None, False, False),
    ],
)
def test_following_and_the_calendar_are_offered_only_where_they_fit(
    client, carriers, status, expected_in_days, follow, calendar
):
    carriers["nzpost"].parcels[NZ] = nz_parcel(status, expected_in_days)
    body = page(client, "nzpost", NZ)
    assert ("Follow this parcel" in body) is follow
    assert ('type="text/calendar"' in body) is calendar


# --- a search box on the parcel page ------------------------------------------------------------------------


def test_the_parcel_page_has_a_search_box_for_the_next_parcel(client, carriers):
    carriers["nzpost"].parcels[NZ] = nz_parcel(Status.IN_TRANSIT)
    body = page(client, "nzpost", NZ)
    section = fragment(body, r'<section class="search-another".*?</section>')
    assert '<h2 id="search-another-heading">Track another parcel</h2>' in section
    assert '<form class="search" method="get" action="/track/" role="search"' in section
    assert re.search(r'<textarea name="q" id="id_q"[^>]*></textarea>', section)  # empty: ready for the next number
    assert body.index('id="timeline-heading"') < body.index('class="search-another"')


# --- a results page: needing you first, then today's, then the rest ------------------------------------------


def test_results_put_parcels_that_need_the_customer_first_then_todays_keeping_the_typed_order(client, carriers):
    now = timezone.now()
    start = now - timedelta(hours=8)
    carriers["nzpost"].parcels[NZ] = make_parcel("nzpost", NZ, Status.DELIVERED, "Delivered", start=start)
    carriers["nzpost"].parcels[NZ_OTHER] = make_parcel("nzpost", NZ_OTHER, Status.AWAITING_PICKUP, "Ready", start=start)
    carriers["dhl-ecommerce"].parcels[DHL] = make_parcel(
        "dhl-ecommerce", DHL, Status.OUT_FOR_DELIVERY, "Out", start=start
    )
    carriers["postplus"].parcels[POSTPLUS] = make_parcel("postplus", POSTPLUS, Status.RETURNED, "Returned", start=start)
    typed = [NZ, "GM0000000000000001", DHL, NZ_OTHER, POSTPLUS]
    body = client.get("/track/", {"q": " ".join(typed)}).content.decode()
    numbers = [text(number).replace(" ", "") for number in re.findall(r'<h2 class="card-number">(.*?)</h2>', body)]
    # Pickup and returned need the customer (in the order typed), out for delivery is today's, then the rest.
    assert numbers == [NZ_OTHER, POSTPLUS, DHL, NZ, "GM0000000000000001"]
    # The results' own address keeps the order they were typed in.
    assert f'value="http://testserver/track/?q={",".join(typed)}" readonly>' in body


def test_a_search_that_found_nothing_offers_no_link_to_its_results(client, carriers):
    nothing = client.get("/track/", {"q": NZ}).content.decode()
    assert "0 of 1 found" in nothing and "Link to these results" not in nothing
    carriers["nzpost"].parcels[NZ_OTHER] = make_parcel("nzpost", NZ_OTHER)
    something = client.get("/track/", {"q": f"{NZ} {NZ_OTHER}"}).content.decode()
    assert "1 of 2 found" in something and "Link to these results" in something


# --- "today" is the parcel's day ----------------------------------------------------------------------------


def test_a_page_that_says_today_carries_the_parcels_day_for_the_script_to_compare(client, carriers):
    carriers["dhl-ecommerce"].parcels[DHL] = make_parcel(
        "dhl-ecommerce", DHL, Status.OUT_FOR_DELIVERY, "Out", start=timezone.now() - timedelta(hours=6)
    )
    body = page(client, "dhl-ecommerce", DHL)
    note = fragment(body, r'<p class="day-note" data-parcel-days="[^"]+" hidden>.*?</p>')
    day = timezone.now().date()  # make_parcel's scans are UTC: the parcel's day is UTC's
    assert f'data-parcel-days="{day.isoformat()}"' in note
    assert text(note) == f"“Today” on this page is the parcel's day: {day:%A} {day.day} {day:%B} where it is."
    cards = client.get("/track/", {"q": f"{DHL} {NZ}"}).content.decode()
    assert re.search(rf'<p class="day-note" data-parcel-days="{day.isoformat()}" hidden>“Today” on these cards', cards)


def test_a_page_naming_no_day_relative_to_now_has_no_day_note(client, carriers):
    carriers["nzpost"].parcels[NZ] = make_parcel("nzpost", NZ)  # scans in May 2024: dates, not "today"
    assert 'class="day-note"' not in page(client, "nzpost", NZ)
