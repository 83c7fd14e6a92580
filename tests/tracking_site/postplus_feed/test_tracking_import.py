"""postplus_import_events: rows checked with line numbers, valid rows sent in batches of up to 500."""

import io

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from carriers.fakes import postplus as fake_postplus
from carriers.fakes.postplus import DEMO_INTEGRATION_KEY, IMPORT_PATH
from tests.tracking_site.postplus_feed.feed_fakes import feed_client
from tracking_site.lookup.clients import install_carriers
from tracking_site.lookup.event_codes import CACHE_KEY

pytestmark = pytest.mark.django_db

HEADER = "trackingNr,eventCode,eventTime,eventMessage,eventLocation,eventSourceAlt"


@pytest.fixture
def feed(settings):
    settings.POSTPLUS_INTEGRATION_API_KEY = DEMO_INTEGRATION_KEY
    client, recording = feed_client([])
    install_carriers({"postplus": client})
    recording.client = client  # changing a POSTPLUS_ setting rebuilds the carriers: tests reinstall this one
    return recording


def write_csv(tmp_path, *lines):
    path = tmp_path / "events.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_import(path, *options):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("postplus_import_events", str(path), *options, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


def test_valid_rows_without_event_ids_are_accepted_and_postplus_derives_the_ids(tmp_path, feed):
    path = write_csv(
        tmp_path,
        HEADER,
        "ppl250113000417,DELIVERED,2025-01-14 10:15:00,Delivered to the door,Tartu,our-depot",
        "LB123456785EE,OUT_FOR_DELIVERY,2025-01-14 08:00:00,,Tartu,",
    )
    out, err, error = run_import(path)
    assert error is None and err == ""
    assert "batch 1 (lines 2-3, 2 events): accepted" in out
    imported = [item["event"] for item in feed.fake.imported]
    assert [event["eventCode"] for event in imported] == ["DELIVERED", "OUT_FOR_DELIVERY"]
    assert [item["parcel"]["parcelNr"] for item in feed.fake.imported][0] == "PPL250113000417"
    assert all(len(event["eventId"]) == 22 for event in imported)  # derived by PostPlus


def test_the_integrators_own_event_ids_are_sent(tmp_path, feed):
    path = write_csv(
        tmp_path,
        HEADER + ",eventId",
        "LB123456785EE,IN_TRANSIT,2025-01-14 08:00:00,In transit,Riga,,our-event-1",
        "LB123456785EE,IN_TRANSIT,2025-01-14 09:00:00,In transit,Riga,,",
    )
    _, _, error = run_import(path)
    assert error is None
    ids = [item["event"]["eventId"] for item in feed.fake.imported]
    assert ids[0] == "our-event-1" and ids[1] != "our-event-1"


def test_invalid_rows_are_reported_with_their_line_numbers_and_not_sent(tmp_path, feed):
    path = write_csv(
        tmp_path,
        HEADER,
        "LB123456785EE,IN_TRANSIT,2025-01-14 08:00:00,ok,,",
        "LB123456785EE,NOT_A_CODE,2025-01-14 08:00:00,,,",
        "not a number!,IN_TRANSIT,2025-01-14 08:00:00,,,",
        "LB123456785EE,IN_TRANSIT,14.01.2025 08:00,,,",
        "LB123456785EE,DELIVERED,2025-01-15 08:00:00,ok too,,",
    )
    out, err, error = run_import(path)
    assert "line 3: not sent: eventCode: not a PostPlus event code" in err
    assert "line 4: not sent: trackingNr:" in err
    assert "line 5: not sent: eventTime: must be YYYY-MM-DD HH:MM:SS" in err
    assert "2 valid row(s), 3 invalid row(s)." in out
    assert [item["event"]["eventMessage"] for item in feed.fake.imported] == ["ok", "ok too"]
    assert error is not None and "Not every row" in str(error)


def test_more_than_500_rows_go_in_batches_of_at_most_500(tmp_path, feed):
    rows = [f"LB123456785EE,IN_TRANSIT,2025-01-14 08:{i // 60 % 60:02d}:{i % 60:02d},Scan {i},,," for i in range(1001)]
    out, _, error = run_import(write_csv(tmp_path, HEADER, *rows))
    assert error is None
    assert "batch 1 (lines 2-501, 500 events): accepted" in out
    assert "batch 2 (lines 502-1001, 500 events): accepted" in out
    assert "batch 3 (lines 1002-1002, 1 events): accepted" in out
    assert feed.calls_to(IMPORT_PATH) == 3
    assert len(feed.fake.imported) == 1001


def test_a_refused_batch_fails_as_a_whole_and_the_others_still_go(tmp_path, feed):
    # Our cached code list knows a code PostPlus does not (any more): PostPlus refuses that code's batch.
    cache.set(CACHE_KEY, {**fake_postplus.EVENT_CODES, "RETIRED_CODE": "Retired"})
    rows = [f"LB123456785EE,IN_TRANSIT,2025-01-14 08:{i // 60:02d}:{i % 60:02d},Scan {i},,," for i in range(500)]
    rows += ["LB123456785EE,IN_TRANSIT,2025-01-15 08:00:00,fine,,", "LB123456785EE,RETIRED_CODE,2025-01-15 09:00:00,,,"]
    out, err, error = run_import(write_csv(tmp_path, HEADER, *rows))
    assert "batch 1 (lines 2-501, 500 events): accepted" in out
    assert "batch 2 (lines 502-503, 2 events): refused, none of its events were imported" in err
    assert "eventCode: Unknown event code" in err
    assert len(feed.fake.imported) == 500
    assert "500 event(s) accepted, 2 refused, 0 not sent." in out
    assert error is not None


def test_a_refused_integration_key_stops_the_import_without_showing_the_key(tmp_path, feed, settings):
    settings.POSTPLUS_INTEGRATION_API_KEY = "wrong-integration-key"
    install_carriers({"postplus": feed.client})
    rows = [f"LB123456785EE,IN_TRANSIT,2025-01-14 08:{i // 60:02d}:{i % 60:02d},,,," for i in range(600)]
    out, err, error = run_import(write_csv(tmp_path, HEADER, *rows))
    assert "batch 1 (lines 2-501, 500 events): refused" in err and "HTTP 401" in err
    assert "wrong-integration-key" not in out + err
    assert feed.calls_to(IMPORT_PATH) == 1
    assert "0 event(s) accepted, 500 refused, 100 not sent." in out
    assert error is not None


def test_a_file_without_the_required_columns_is_refused_before_sending(tmp_path, feed):
    _, _, error = run_import(write_csv(tmp_path, "number,code,time", "LB123456785EE,IN_TRANSIT,2025-01-14 08:00:00"))
    assert error is not None and "trackingNr" in str(error)
    assert feed.calls_to(IMPORT_PATH) == 0


def test_a_missing_file_is_a_clear_error(tmp_path, feed):
    _, _, error = run_import(tmp_path / "nope.csv")
    assert error is not None and "Cannot read" in str(error)


def test_a_dry_run_checks_rows_and_sends_nothing(tmp_path, feed):
    out, _, error = run_import(
        write_csv(tmp_path, HEADER, "LB123456785EE,IN_TRANSIT,2025-01-14 08:00:00,,,"), "--dry-run"
    )
    assert error is None and "1 valid row(s), 0 invalid row(s)." in out
    assert feed.calls_to(IMPORT_PATH) == 0


def test_without_an_integration_key_nothing_is_sent(tmp_path, feed, settings):
    settings.POSTPLUS_INTEGRATION_API_KEY = ""
    settings.TRACKING_DEMO = False
    install_carriers({"postplus": feed.client})
    _, _, error = run_import(write_csv(tmp_path, HEADER, "LB123456785EE,IN_TRANSIT,2025-01-14 08:00:00,,,"))
    assert error is not None and "POSTPLUS_INTEGRATION_API_KEY" in str(error)
