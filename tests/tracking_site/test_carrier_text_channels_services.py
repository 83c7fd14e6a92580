"""test_carrier_text_channels.py's feed store test on the real PostgreSQL, which refuses NUL in text where SQLite
stores it: arbitrary carrier text is stored cleaned on both."""

import pytest
from django.db import connection

from tests.tracking_site.test_carrier_text_channels import (  # noqa: F401 (collected here again, on PostgreSQL)
    test_any_carrier_text_is_stored_from_the_feed_cleaned_and_the_page_answers_from_the_store,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db]


def test_these_tests_run_on_postgresql():
    assert connection.vendor == "postgresql"
