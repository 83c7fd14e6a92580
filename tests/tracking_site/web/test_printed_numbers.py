"""The number as our pages print it: grouped where its format defines groups, else whole, never split inside an
identifier with its own structure; the groups are spaced by CSS, so a copy is the bare number (issue 21)."""

import re
from dataclasses import replace

import pytest
from django.template.loader import render_to_string

from carriers.model import LastMile
from tests.tracking_site.conftest import make_parcel
from tracking_site.web.forms import SearchForm

pytestmark = pytest.mark.django_db


def printed_numbers(body: str) -> list[list[str]]:
    """Each printed number's groups, in page order."""
    return [
        re.findall(r'<span class="group">(.*?)</span>', number)
        for number in re.findall(r'<span class="number" translate="no">(.*?</span>)</span>', body)
    ]


@pytest.mark.parametrize(
    ("carrier", "number", "groups"),
    [
        ("postplus", "LB123456785EE", ["LB", "123", "456", "785", "EE"]),
        ("dhl-ecommerce", "9261290357311200174526", ["9261", "2903", "5731", "1200", "1745", "26"]),
        ("dhl-ecommerce", "ORDER-58213-B", ["ORDER-58213-B"]),
        ("postplus", "PPL250113000417", ["PPL250113000417"]),
        ("nzpost", "482913", ["482913"]),
        ("nzpost", "7720419836500214AKL003CP", ["7720419836500214AKL003CP"]),
        ("dhl-ecommerce", "GM295117494011076415", ["GM295117494011076415"]),
    ],
)
def test_the_parcel_page_and_its_card_print_the_number_in_its_own_groups(client, carriers, carrier, number, groups):
    carriers[carrier].parcels[number] = make_parcel(carrier, number)
    page = client.get(f"/track/{carrier}/{number}/").content.decode()
    assert printed_numbers(page) == [groups]
    cards = client.get("/track/", {"q": f"{number}, CL000000000NZ"}).content.decode()
    assert printed_numbers(cards)[0] == groups
    assert "<wbr>".join(f'<span class="group">{group}</span>' for group in groups) in page  # no space to copy


def test_a_handover_number_is_printed_in_its_own_groups(client, carriers):
    parcel = make_parcel("postplus", "CE310477291FI")
    last_mile = LastMile(carrier="USPS", number="9261290357311200174526")
    carriers["postplus"].parcels["CE310477291FI"] = replace(parcel, last_mile=last_mile)
    body = client.get("/track/postplus/CE310477291FI/").content.decode()
    assert ["9261", "2903", "5731", "1200", "1745", "26"] in printed_numbers(body)


@pytest.mark.parametrize(
    "path",
    [
        "/track/postplus/CE310477291FI/follow/email",
        "/track/postplus/CE310477291FI/follow/email/sent",
        "/track/postplus/CE310477291FI/",  # not found
    ],
)
def test_pages_that_name_the_number_in_a_sentence_print_it_grouped(client, carriers, path):
    body = client.get(path).content.decode()
    assert printed_numbers(body) == [["CE", "310", "477", "291", "FI"]]
    assert "<code>CE310477291FI</code>" not in body  # a <code> breaks anywhere: CE31047|7291FI


@pytest.mark.parametrize(
    "template",
    [
        "following/email_form.html",
        "following/email_sent.html",
        "following/email_confirm.html",
        "following/email_confirmed.html",
        "following/email_full.html",
        "not_found.html",
    ],
)
def test_every_page_of_following_by_email_prints_the_number_in_its_groups(rf, template):
    context = {
        "carrier": "PostPlus",
        "carrier_slug": "postplus",
        "number": "CE310477291FI",
        "confirm_hours": 24,
        "keep_days": {"after_delivery": 7, "at_most": 60},
        "form": SearchForm(enabled_carriers=["postplus"]),
    }
    body = render_to_string(template, context, request=rf.get("/"))
    assert printed_numbers(body) == [["CE", "310", "477", "291", "FI"]]


def test_the_demo_numbers_on_the_home_page_are_printed_in_their_own_groups(client, settings):
    settings.TRACKING_DEMO = True
    body = client.get("/").content.decode()
    printed = printed_numbers(body)
    assert ["LB", "123", "456", "785", "EE"] in printed
    assert ["ORDER-58213-B"] in printed
    assert ["7720419836500214AKL003CP"] in printed
