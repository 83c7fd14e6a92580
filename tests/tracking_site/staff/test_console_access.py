"""Who gets into /staff/: staff only, through a rate-limited, CSRF-protected login; nothing is cached."""

import pytest
from django.test import Client

from tests.conftest import tune
from tests.tracking_site.staff.conftest import PASSWORD

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["/staff/", "/staff/search/dhl-manifest/", "/staff/search/postplus-sender/"]


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/staff/login/?next={url}"


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_signed_in_users_who_are_not_staff_get_403(customer_client, url):
    assert customer_client.get(url).status_code == 403


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_pages_are_private_and_never_stored(staff_client, url):
    response = staff_client.get(url)
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control


def test_login_page_is_never_stored(client):
    assert "no-store" in client.get("/staff/login/")["Cache-Control"]


def test_staff_sign_in_leads_to_the_page_asked_for(client, staff_user):
    response = client.post(
        "/staff/login/", {"username": "support", "password": PASSWORD, "next": "/staff/search/nzpost-partial/"}
    )
    assert response.status_code == 302 and response["Location"] == "/staff/search/nzpost-partial/"
    assert client.get("/staff/").status_code == 200


def test_a_wrong_password_is_refused(client, staff_user):
    response = client.post("/staff/login/", {"username": "support", "password": "wrong"})
    assert response.status_code == 200
    assert client.get("/staff/").status_code == 302


def test_login_without_a_csrf_token_is_refused(staff_user):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/staff/login/", {"username": "support", "password": PASSWORD})
    assert response.status_code == 403
    assert strict.get("/staff/").status_code == 302


def test_a_search_without_a_csrf_token_is_refused(staff_user):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff_user)
    response = strict.post("/staff/search/nzpost-partial/", {"partial_reference": "CP58"})
    assert response.status_code == 403


def test_login_attempts_are_rate_limited_per_client_ip(client, staff_user, settings):
    tune(settings, rate_limits={"enabled": True})
    tune(settings, rate_limits={"staff_login": "3/m"})
    statuses = [
        client.post(
            "/staff/login/", {"username": "support", "password": "guess"}, REMOTE_ADDR="203.0.113.7"
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    blocked = client.post("/staff/login/", {"username": "support", "password": PASSWORD}, REMOTE_ADDR="203.0.113.7")
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) >= 1
    other_ip = client.post("/staff/login/", {"username": "support", "password": PASSWORD}, REMOTE_ADDR="203.0.113.8")
    assert other_ip.status_code == 302


def test_admin_sign_in_goes_through_the_rate_limited_staff_login(client):
    response = client.get("/staff/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/staff/login/?next=%2Fstaff%2Fadmin%2F"
    assert response.status_code == 200 and b'name="password"' in response.content


def test_signing_out_ends_the_session(staff_client):
    assert staff_client.post("/staff/logout/").status_code == 302
    assert staff_client.get("/staff/").status_code == 302
