"""The drift alarm: what a carrier sent that its parser did not know is counted by path and type, never by value."""

from __future__ import annotations

import logging

import pytest

from carriers.drift import Drift, DriftAlarm, collected, json_type, report_drift
from tests.clocks import FakeClock


@pytest.mark.parametrize(
    ("value", "name"),
    [({}, "object"), ([], "array"), ("x", "string"), (3, "number"), (2.5, "number"), (True, "boolean"), (None, "null")],
)
def test_json_type_names_the_type_a_parser_saw(value: object, name: str) -> None:
    assert json_type(value) == name


def test_every_report_reaches_the_listeners() -> None:
    alarm = DriftAlarm(clock=FakeClock())
    heard: list[Drift] = []
    alarm.add_listener(heard.append)
    alarm.report("dhl-ecommerce", "packages[].events[].timeZone", "XST")
    alarm.report("dhl-ecommerce", "packages[].events[].timeZone", "YST")
    assert heard == [Drift("dhl-ecommerce", "packages[].events[].timeZone", "string")] * 2


def test_one_log_line_per_carrier_and_path_per_hour_without_the_value(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    alarm = DriftAlarm(clock=clock)
    caplog.set_level(logging.WARNING, logger="carriers.drift")
    alarm.report("postplus", "[]", {"secret": "Mari Maasikas"})
    alarm.report("postplus", "[]", {"secret": "Mari Maasikas"})
    alarm.report("nzpost", "[]", "Mari Maasikas")
    clock.now += 3599
    alarm.report("postplus", "[]", {})
    assert [record.getMessage() for record in caplog.records] == [
        "carrier=postplus outcome=answer_drift path=[] seen=object",
        "carrier=nzpost outcome=answer_drift path=[] seen=string",
    ]
    clock.now += 1
    alarm.report("postplus", "[]", {})
    assert len(caplog.records) == 3
    assert "Maasikas" not in caplog.text


def test_collected_gathers_one_blocks_reports_only() -> None:
    report_drift("nzpost", "outside", 1)
    with collected() as reports:
        report_drift("nzpost", "results[].tracking_events[].date_time", 12)
    report_drift("nzpost", "after", 1)
    assert reports == [Drift("nzpost", "results[].tracking_events[].date_time", "number")]


def test_the_site_counts_drift_in_prometheus() -> None:
    from tracking_site.metrics.instruments import ANSWER_DRIFT

    counter = ANSWER_DRIFT.labels("dhl-ecommerce", "packages[].package.expectedDelivery")
    before = counter._value.get()
    report_drift("dhl-ecommerce", "packages[].package.expectedDelivery", "13/45/2019")
    assert counter._value.get() == before + 1
