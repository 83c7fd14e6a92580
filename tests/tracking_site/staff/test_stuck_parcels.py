"""The console's stuck parcels: followed, still on their way, no scan for N days, oldest first."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.tracking_site.following.conftest import followed, with_email
from tracking_site.staff.stuck_parcels import stuck_parcels

pytestmark = pytest.mark.django_db


def test_stuck_parcels_are_the_quiet_ones_oldest_first():
    now = timezone.now()
    with_email(followed("GM295117494011076501", latest_event_at=now - timedelta(days=4), followed_since=now))
    with_email(followed("GM295117494011076502", latest_event_at=now - timedelta(days=9), followed_since=now))
    followed("GM295117494011076503", latest_event_at=now - timedelta(days=1), followed_since=now)  # moving
    followed("GM295117494011076504", latest_event_at=None, followed_since=now - timedelta(days=5))  # never scanned
    followed("GM295117494011076505", latest_event_at=now - timedelta(days=20), followed_since=now, finished_at=now)
    found = stuck_parcels(now, days=3)
    assert [p.number[-3:] for p in found] == ["502", "504", "501"]
    assert found[0].followers == 1 and found[1].followers == 0
    assert found[0].link == "http://testserver/track/dhl-ecommerce/GM295117494011076502/"
    assert [p.number[-3:] for p in stuck_parcels(now, days=7)] == ["502"]


def test_the_console_lists_them_with_customer_links(staff_client):
    now = timezone.now()
    followed("GM295117494011076502", latest_event_at=now - timedelta(days=9), followed_since=now)
    page = staff_client.get("/staff/stuck/?days=5")
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0")
    body = page.content.decode()
    assert 'value="http://testserver/track/dhl-ecommerce/GM295117494011076502/"' in body
    assert "Stuck parcels" in staff_client.get("/staff/").content.decode()
    assert staff_client.get("/staff/stuck/?days=0").status_code == 400


def test_visitors_are_sent_to_sign_in(client):
    assert client.get("/staff/stuck/").status_code == 302


def test_signed_in_customers_are_refused(customer_client):
    assert customer_client.get("/staff/stuck/").status_code == 403
