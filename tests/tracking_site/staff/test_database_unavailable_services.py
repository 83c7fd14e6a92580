"""Staff pages and query deadlines against the real PostgreSQL, refusing and hanging behind a TCP proxy."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection

from tests.conftest import tune
from tests.tracking_site.staff.test_database_unavailable import assert_database_unavailable_page
from tracking_site.tuning import DATABASE
from tracking_site.web.database_deadline import query_deadline

pytestmark = pytest.mark.services


@pytest.fixture(autouse=True)
def short_deadlines(settings):
    tune(settings, database={"health_check_seconds": 0.3})
    tune(settings, database={"staff_query_seconds": 0.5})


def test_the_console_works_through_the_proxy(transactional_db, staff_client, postgres_proxy):
    assert staff_client.get("/staff/").status_code == 200
    assert postgres_proxy.accepted >= 2  # the gate's check and the page's own connection


def test_postgresql_refusing_gives_the_503_page(transactional_db, staff_client, postgres_proxy):
    postgres_proxy.refuse()
    assert_database_unavailable_page(staff_client.get("/staff/"))


def test_postgresql_hanging_gives_the_503_page_not_a_held_thread(transactional_db, staff_client, postgres_proxy):
    assert staff_client.get("/staff/").status_code == 200  # this thread now holds an open connection
    postgres_proxy.hang()
    assert_database_unavailable_page(staff_client.get("/staff/"))
    assert_database_unavailable_page(staff_client.get("/staff/search/nzpost-partial/"))


def test_a_query_on_a_connection_that_hangs_is_cut_off(transactional_db, postgres_proxy):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    postgres_proxy.hang()
    with query_deadline(0.3), pytest.raises(OperationalError, match="within 0.3 s"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    assert not connection.is_usable()  # thrown away, so the next request opens a new one


def test_postgresql_applies_the_statement_timeout(transactional_db, settings):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        shown = cursor.fetchone()[0]
    assert shown == f"{int(DATABASE.current().statement_timeout_seconds)}s"
