"""test_feed_text.py's tests on the real PostgreSQL: it refuses NUL and lone surrogates in text where SQLite
is lenient about NUL, so cleaning where text enters (and leaving out what still fails) is proven on both."""

from datetime import UTC, datetime

import pytest
from django.db import DataError, connection, transaction

from tests.tracking_site.postplus_feed.test_feed_text import (  # noqa: F401 (collected here again, on PostgreSQL)
    test_an_event_the_database_refuses_is_left_out_and_the_rest_of_the_page_stored_with_the_cursor,
    test_over_long_text_is_shortened_and_an_over_long_identifier_left_out_and_reported,
    test_sync_postplus_feed_stores_control_characters_nul_and_a_lone_surrogate_cleaned,
)
from tracking_site.postplus_feed.models import StoredFeedEvent

pytestmark = [pytest.mark.services, pytest.mark.django_db]


def test_postgresql_itself_refuses_a_nul_in_text():
    assert connection.vendor == "postgresql"
    with pytest.raises((DataError, ValueError)), transaction.atomic():
        StoredFeedEvent.objects.create(
            event_id="NUL", parcel_nr="P", event_message="a\x00b", event_time=datetime(2025, 1, 13, tzinfo=UTC)
        )
