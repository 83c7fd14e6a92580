"""Staff pages when the database cannot answer: a clear 503 page with Retry-After, never a traceback.
(PostgreSQL refusing and hanging, through a TCP proxy: test_database_unavailable_services.py.)"""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection
from django.test import Client

from tests.tracking_site.staff.test_console_access import STAFF_PAGES
from tracking_site.staff import views

pytestmark = pytest.mark.django_db

ALL_STAFF_PAGES = [*STAFF_PAGES, "/staff/login/", "/staff/admin/"]


def assert_database_unavailable_page(response) -> None:
    body = response.content.decode()
    assert response.status_code == 503
    assert int(response["Retry-After"]) >= 1
    assert "The staff console cannot reach its database" in body
    assert "Traceback" not in body and "OperationalError" not in body
    assert "no-store" in response["Cache-Control"]


@pytest.fixture
def database_cannot_be_opened(monkeypatch):
    """New connections fail (the staff gate opens its own to ask); this thread's open one stays for setup."""
    monkeypatch.setitem(connection.settings_dict, "NAME", "/nonexistent/folder/db.sqlite3")


@pytest.mark.parametrize("url", ALL_STAFF_PAGES)
def test_staff_pages_say_the_database_is_unavailable(staff_client, database_cannot_be_opened, url):
    assert_database_unavailable_page(staff_client.get(url))


def test_a_sign_in_attempt_says_so_too(client, database_cannot_be_opened):
    response = client.post("/staff/login/", {"username": "support", "password": "whatever-it-is"})
    assert_database_unavailable_page(response)


def test_public_pages_do_not_ask_the_database(client, carriers, database_cannot_be_opened):
    assert client.get("/").status_code == 200
    assert client.get("/track/nzpost/CL092594238NZ/").status_code == 404  # asked of the carrier, not refused


def test_a_database_failing_midway_through_a_staff_page_is_the_same_503(staff_client, monkeypatch, settings):
    def database_gone(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(views, "run_search", database_gone)
    settings.DEBUG = False
    strict = Client(raise_request_exception=False)
    strict.cookies = staff_client.cookies
    response = strict.post("/staff/search/nzpost-partial/", {"partial_reference": "CP58"})
    assert_database_unavailable_page(response)


def test_staff_pages_work_while_the_database_answers(staff_client):
    assert staff_client.get("/staff/").status_code == 200
