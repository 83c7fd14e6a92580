"""The status badge: never colour alone (an icon and the words), translated, the same on every page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone, translation

from carriers.model import Status
from tests.tracking_site.conftest import make_parcel
from tracking_site.presentation.status_words import status_label
from tracking_site.presentation.template_tags import date_locale, og_locale, status_badge

NUMBER = "CL092594238NZ"


@pytest.mark.parametrize("status", list(Status))
def test_every_status_has_an_icon_and_words(status):
    badge = status_badge(make_parcel("nzpost", NUMBER, status))
    assert badge.startswith(f'<span class="badge status-{status.value}"><span class="badge-icon" aria-hidden="true">')
    icon = badge.split('aria-hidden="true">')[1].split("</span>")[0]
    assert icon.strip()
    assert badge.endswith(f"</span> {status_label(status)}</span>")


def test_problem_statuses_look_different_from_progress():
    icons = {status: status_badge(make_parcel("nzpost", NUMBER, status)).split("</span>")[0][-1] for status in Status}
    assert icons[Status.DELIVERED] != icons[Status.IN_TRANSIT]
    assert icons[Status.EXCEPTION] not in {icons[Status.IN_TRANSIT], icons[Status.DELIVERED]}
    assert icons[Status.RETURNED] not in {icons[Status.IN_TRANSIT], icons[Status.DELIVERED]}


def test_the_words_follow_the_language():
    with translation.override("nl"):
        dutch = status_badge(make_parcel("nzpost", NUMBER, Status.DELIVERED))
    assert "Delivered" not in dutch and dutch.endswith("</span>")


@pytest.mark.parametrize(
    ("path", "icon_class"),
    [(f"/track/nzpost/{NUMBER}/", "headline-icon"), (f"/track/?q={NUMBER}+CL000000000NZ", "card-icon")],
)
def test_pages_show_the_status_icon_beside_the_words(client, carriers, path, icon_class):
    start = timezone.now() - timedelta(hours=6)  # out for delivery today
    carriers["nzpost"].parcels[NUMBER] = make_parcel("nzpost", NUMBER, Status.OUT_FOR_DELIVERY, start=start)
    body = client.get(path).content.decode()
    assert re.search(
        f'<span class="{icon_class}" aria-hidden="true">→</span> (<span[^>]*>)?Out for delivery: arriving today', body
    )


def test_a_grouped_number_keeps_its_groups_unbroken_and_escapes_what_it_is_given():
    from tracking_site.presentation.template_tags import grouped_number

    assert grouped_number("LB123456785EE") == (
        '<span class="number" translate="no"><span class="group">LB</span><wbr><span class="group">123</span><wbr>'
        '<span class="group">456</span><wbr><span class="group">785</span><wbr><span class="group">EE</span></span>'
    )
    hostile = grouped_number('<b>"&x')
    assert hostile == '<span class="number" translate="no"><span class="group">&lt;b&gt;&quot;&amp;x</span></span>'
    assert grouped_number("ORDER-58213-B") == (  # its own structure: one group, never split
        '<span class="number" translate="no"><span class="group">ORDER-58213-B</span></span>'
    )


def test_every_language_of_the_site_has_an_open_graph_locale_with_its_territory():
    assert all(re.fullmatch(r"[a-z]{2}_[A-Z]{2}", og_locale(code)) for code, _name in settings.LANGUAGES)
    assert date_locale("fi") == "fi-FI" and og_locale("lt") == "lt_LT"
