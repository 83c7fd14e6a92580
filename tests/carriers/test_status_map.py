"""The one shape of the carriers' status tables: codes first, then words."""

from __future__ import annotations

from carriers.model import Status
from carriers.status_map import StatusMap, phrases

MAP = StatusMap(
    codes={"600": Status.DELIVERED, "300": Status.IN_TRANSIT, "DELIVERED": Status.DELIVERED},
    words=(
        (phrases("delivery attempted", "not delivered"), Status.DELIVERY_FAILED),
        (phrases("out for delivery"), Status.OUT_FOR_DELIVERY),
        (phrases("delivered"), Status.DELIVERED),
    ),
    refined_by_words=frozenset({Status.IN_TRANSIT}),
)


def test_a_known_code_decides_before_the_words() -> None:
    assert MAP.status("600", ["Delivery attempted"]) is Status.DELIVERED
    assert MAP.status(" delivered ", []) is Status.DELIVERED


def test_a_generic_code_is_refined_by_words_and_kept_without_them() -> None:
    assert MAP.status("300", ["OUT FOR  DELIVERY"]) is Status.OUT_FOR_DELIVERY
    assert MAP.status("300", ["Arrived at sort facility"]) is Status.IN_TRANSIT


def test_extra_codes_come_after_ours_and_before_the_words() -> None:
    assert MAP.status("AT_LOCKER", ["Delivered"], extra_codes={"AT_LOCKER": Status.AWAITING_PICKUP}) is (
        Status.AWAITING_PICKUP
    )
    assert MAP.status("600", [], extra_codes={"600": Status.RETURNED}) is Status.DELIVERED


def test_unknown_code_and_words_read_as_unknown_and_first_text_that_says_something_wins() -> None:
    assert MAP.status("999", ["Something new"]) is Status.UNKNOWN
    assert MAP.status("", ["", "Parcel was not delivered", "Delivered"]) is Status.DELIVERY_FAILED
    assert not MAP.knows("999") and MAP.knows("delivered")


def test_phrases_match_whole_words_only() -> None:
    assert not phrases("delivered").search("undelivered")
    assert phrases("return to sender").search("RETURN TO\tSENDER")
