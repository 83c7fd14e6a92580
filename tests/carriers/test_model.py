from datetime import UTC, date, datetime, timedelta

import pytest

from carriers.model import LastMile, Place, Status, TrackingEvent, parcel_from_events


def event(hours: int, status: Status, description: str = "scan") -> TrackingEvent:
    return TrackingEvent(datetime(2024, 5, 1, tzinfo=UTC) + timedelta(hours=hours), status, description)


def test_events_are_ordered_newest_first_and_status_follows_the_newest():
    parcel = parcel_from_events(
        carrier="nzpost",
        tracking_number="CL092594238NZ",
        events=[event(1, Status.INFO_RECEIVED), event(5, Status.OUT_FOR_DELIVERY), event(3, Status.IN_TRANSIT)],
        expected_delivery=date(2024, 5, 3),
    )
    assert [e.status for e in parcel.events] == [Status.OUT_FOR_DELIVERY, Status.IN_TRANSIT, Status.INFO_RECEIVED]
    assert parcel.status is Status.OUT_FOR_DELIVERY
    assert parcel.delivered_at is None
    assert parcel.expected_delivery == date(2024, 5, 3)


def test_delivered_parcel_has_delivered_at_and_no_expected_date():
    parcel = parcel_from_events(
        carrier="nzpost",
        tracking_number="CL092594238NZ",
        events=[event(1, Status.IN_TRANSIT), event(9, Status.DELIVERED)],
        expected_delivery=date(2024, 5, 3),
    )
    assert parcel.delivered_at == datetime(2024, 5, 1, 9, tzinfo=UTC)
    assert parcel.expected_delivery is None


def test_returned_after_delivery_is_not_delivered():
    parcel = parcel_from_events(
        carrier="nzpost",
        tracking_number="CL092594238NZ",
        events=[event(1, Status.DELIVERED), event(9, Status.RETURNED)],
    )
    assert parcel.status is Status.RETURNED
    assert parcel.delivered_at is None


@pytest.mark.parametrize("later", [Status.INFO_RECEIVED, Status.UNKNOWN])
def test_a_later_data_update_or_unreadable_event_does_not_move_the_status_back(later):
    parcel = parcel_from_events(
        carrier="postplus",
        tracking_number="LB123456785EE",
        events=[event(1, Status.IN_TRANSIT), event(9, Status.DELIVERED), event(12, later, "Parcel data updated")],
    )
    assert parcel.status is Status.DELIVERED
    assert parcel.delivered_at == datetime(2024, 5, 1, 9, tzinfo=UTC)
    assert parcel.events[0].status is later  # the update is still in the timeline, newest first


def test_only_uninformative_events_decide_when_there_is_nothing_else():
    parcel = parcel_from_events(
        carrier="postplus",
        tracking_number="LB123456785EE",
        events=[event(1, Status.UNKNOWN), event(2, Status.INFO_RECEIVED)],
    )
    assert parcel.status is Status.INFO_RECEIVED


def test_parcel_without_events_is_unknown():
    parcel = parcel_from_events(carrier="postplus", tracking_number="LB123456785EE", events=[])
    assert parcel.status is Status.UNKNOWN


def test_naive_event_times_are_refused():
    with pytest.raises(ValueError):
        TrackingEvent(datetime(2024, 5, 1), Status.IN_TRANSIT, "scan")


@pytest.mark.parametrize(
    ("place", "label"),
    [
        (Place(depot="Auckland Central Fleet", country="NZ"), "Auckland Central Fleet"),
        (Place(city="Chicago", region="IL", country="US"), "Chicago, IL, US"),
        (Place(), ""),
    ],
)
def test_place_label_is_coarse(place, label):
    assert place.label == label
    assert bool(place) is bool(label)


def test_the_public_model_holds_no_words_of_ours():
    """Status words are the site's, translated, in one table (tracking_site/presentation/status_words.py)."""
    import carriers.model

    assert not hasattr(Status.DELIVERED, "label")
    assert not hasattr(carriers.model, "STATUS_LABELS")


def test_a_parcel_names_no_last_mile_unless_its_carrier_hands_it_on():
    plain = parcel_from_events(carrier="nzpost", tracking_number="CL092594238NZ", events=[event(1, Status.IN_TRANSIT)])
    handed = parcel_from_events(
        carrier="postplus",
        tracking_number="LB123456785EE",
        events=[event(1, Status.IN_TRANSIT)],
        last_mile=LastMile(carrier="Royal Mail", number="LB123456785EE"),
    )
    assert plain.last_mile is None
    assert handed.last_mile == LastMile(carrier="Royal Mail", number="LB123456785EE")
