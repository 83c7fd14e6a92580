"""The carrier interface: what the base class owns for every carrier (chunks, the one catch list, kind fallbacks)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from carriers.base import CarrierClient, CarrierUnavailable, InvalidNumber, as_text, clean_text
from carriers.model import CarrierFailure, FailureReason, Found, NotFound, Status, TrackingResult, parcel_from_events


class ScriptedCarrier(CarrierClient):
    """A carrier whose upstream calls are recorded; `known` says which kind finds which number."""

    slug = "scripted"
    name = "Scripted"
    batch_size = 3

    def __init__(self, known: Mapping[str, str] | None = None, kinds: tuple[str, ...] = ("",)) -> None:
        super().__init__(httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(500))))
        self.known = dict(known or {})
        self.kinds = kinds
        self.calls: list[tuple[str, list[str]]] = []
        self.failing: dict[str, Exception] = {}

    def identifier_kinds(self, number: str) -> tuple[str, ...]:
        return self.kinds

    def track_batch(self, numbers: Sequence[str], kind: str = "") -> Mapping[str, TrackingResult]:
        self.calls.append((kind, list(numbers)))
        for number in numbers:
            if number in self.failing:
                raise self.failing[number]
        return {
            number: Found(parcel_from_events(carrier=self.slug, tracking_number=number, events=[]))
            for number in numbers
            if self.known.get(number) == kind
        }


def test_track_many_asks_in_chunks_of_the_batch_size_and_answers_each_distinct_number_once_in_order():
    carrier = ScriptedCarrier({"A1": "", "A4": ""})
    numbers = ["A1", "A2", "A3", "A4", "A5", "A2"]

    results = carrier.track_many(numbers)

    assert carrier.calls == [("", ["A1", "A2", "A3"]), ("", ["A4", "A5"])]
    assert [result.tracking_number for result in results] == ["A1", "A2", "A3", "A4", "A5"]
    assert [type(result) for result in results] == [Found, NotFound, NotFound, Found, NotFound]


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (CarrierUnavailable(FailureReason.TIMEOUT), FailureReason.TIMEOUT),
        (CarrierUnavailable(FailureReason.AUTH), FailureReason.AUTH),
        (KeyError("packages"), FailureReason.BAD_RESPONSE),
        (TypeError("not a list"), FailureReason.BAD_RESPONSE),
        (ValueError("bad date"), FailureReason.BAD_RESPONSE),
        (AttributeError("no get"), FailureReason.BAD_RESPONSE),
        (InvalidNumber("odd reference"), FailureReason.BAD_RESPONSE),
    ],
)
def test_a_failed_call_fails_only_its_own_numbers(error, reason):
    carrier = ScriptedCarrier({"A1": "", "A4": ""})
    carrier.failing = {"A2": error}

    results = carrier.track_many(["A1", "A2", "A3", "A4"])

    assert results[:3] == [CarrierFailure("scripted", number, reason) for number in ("A1", "A2", "A3")]
    assert isinstance(results[3], Found)


def test_call_batch_gives_every_number_asked_a_result():
    carrier = ScriptedCarrier({"A1": ""})

    assert carrier.call_batch(["A1", "A2"]) == {
        "A1": carrier.track_batch(["A1"])["A1"],
        "A2": NotFound("scripted", "A2"),
    }


def test_a_bug_outside_the_catch_list_is_not_hidden_as_a_carrier_failure():
    carrier = ScriptedCarrier()
    carrier.failing = {"A1": ZeroDivisionError()}

    with pytest.raises(ZeroDivisionError):
        carrier.call_batch(["A1"])


def test_numbers_one_kind_did_not_find_are_asked_again_with_the_next_kind_together():
    carrier = ScriptedCarrier({"A1": "first", "A2": "second", "A3": "third"}, kinds=("first", "second", "third"))

    results = carrier.track_many(["A1", "A2", "A3", "A4"])

    assert carrier.calls == [
        ("first", ["A1", "A2", "A3"]),
        ("first", ["A4"]),
        ("second", ["A2", "A3", "A4"]),
        ("third", ["A3", "A4"]),
    ]
    assert [type(result) for result in results] == [Found, Found, Found, NotFound]


def test_a_failed_call_is_not_retried_with_the_next_kind():
    carrier = ScriptedCarrier(kinds=("first", "second"))
    carrier.failing = {"A1": CarrierUnavailable(FailureReason.UNAVAILABLE)}

    assert carrier.track_many(["A1"]) == [CarrierFailure("scripted", "A1", FailureReason.UNAVAILABLE)]
    assert carrier.calls == [("first", ["A1"])]


def test_plan_batches_is_the_first_round_of_calls_track_many_makes():
    carrier = ScriptedCarrier(kinds=("first", "second"))
    numbers = ["A1", "A2", "A3", "A4", "A1"]

    plan = carrier.plan_batches(numbers)
    carrier.track_many(numbers)

    assert plan == [("first", ["A1", "A2", "A3"]), ("first", ["A4"])]
    assert carrier.calls[: len(plan)] == plan


def test_a_carrier_without_identifier_kinds_asks_with_the_empty_kind():
    carrier = ScriptedCarrier(kinds=())

    carrier.track("A1")

    assert carrier.calls == [("", ["A1"])]


def test_track_is_track_many_for_one_number():
    carrier = ScriptedCarrier({"A1": ""})

    result = carrier.track("A1")

    assert isinstance(result, Found) and result.parcel.status is Status.UNKNOWN
    assert carrier.calls == [("", ["A1"])]


def test_the_kinds_come_in_the_carriers_order_and_end_after_the_last():
    """What the site's gatherer asks of a client to queue a number again under its next kind."""
    carrier = ScriptedCarrier(kinds=("first", "second", "third"))

    assert carrier.first_kind("A1") == "first"
    assert [carrier.next_kind("A1", kind) for kind in ("first", "second", "third")] == ["second", "third", None]
    assert carrier.next_kind("A1", "no-such-kind") is None
    assert ScriptedCarrier(kinds=()).first_kind("A1") == ""
    assert ScriptedCarrier(kinds=()).next_kind("A1", "") is None


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Parcel\x0bdamaged \x1b[31m red", "Parcel damaged [31m red"),
        ("\u0000", ""),
        ("\ud800", "\ufffd"),
        ("line one\r\nline two\tend", "line one\nline two\tend"),
        ("Tallinn\x7f\ufffe", "Tallinn"),
    ],
)
def test_carrier_text_is_cleaned_where_it_enters(raw: str, clean: str) -> None:
    assert as_text(raw) == clean


@given(st.text())
def test_cleaned_text_is_xml_safe_and_encodable(raw: str) -> None:
    text = clean_text(raw)
    text.encode("utf-8")
    assert not any(ord(char) < 0x20 and char not in "\t\n" for char in text)
    assert "\ufffe" not in text and "\uffff" not in text
