"""The fan-out: every batch of every carrier runs at once; one result per number; a failed batch fails only its own."""

from __future__ import annotations

import threading

import httpx

from carriers.fakes.dhl_ecommerce import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_NUMBERS,
    TRACKING_PATH,
    FakeDhlEcommerce,
)
from carriers.model import CarrierFailure, FailureReason, Found, NotFound
from carriers.registry import CarrierConfig, build_carriers
from tests.tracking_site.conftest import InMemoryCarrier, make_parcel
from tracking_site.lookup.clients import install_carriers
from tracking_site.lookup.service import lookup_parcels

PACE_JOBS = [f"{100000 + index}" for index in range(25)]  # NZ Post's shape only


class MeetingCarrier(InMemoryCarrier):
    """Each call waits until `parties` calls are in flight together: sequential batches would never meet."""

    def __init__(self, slug, parcels, parties: int, fail_batch: int | None = None) -> None:
        super().__init__(slug, parcels)
        self.meeting = threading.Barrier(parties, timeout=10)
        self.fail_batch = fail_batch

    def track_batch(self, numbers, kind=""):
        self.meeting.wait()
        if self.fail_batch is not None and numbers[0] == PACE_JOBS[self.fail_batch * 10]:
            self.failure = FailureReason.UNAVAILABLE
            try:
                return super().track_batch(numbers, kind)
            finally:
                self.failure = None
        return super().track_batch(numbers, kind)


def test_a_carriers_batches_run_in_parallel():
    carrier = MeetingCarrier("nzpost", {n: make_parcel("nzpost", n) for n in PACE_JOBS}, parties=3)
    install_carriers({"nzpost": carrier})

    outcomes = lookup_parcels(PACE_JOBS)

    assert sorted(map(len, carrier.batches)) == [5, 10, 10]
    assert [outcome.number for outcome in outcomes] == PACE_JOBS
    assert all(isinstance(outcome.result, Found) for outcome in outcomes)


def test_a_failing_batch_fails_only_its_own_numbers():
    carrier = MeetingCarrier("nzpost", {n: make_parcel("nzpost", n) for n in PACE_JOBS}, parties=3, fail_batch=1)
    install_carriers({"nzpost": carrier})

    outcomes = lookup_parcels(PACE_JOBS)

    failed = [outcome.number for outcome in outcomes if isinstance(outcome.result, CarrierFailure)]
    assert failed == PACE_JOBS[10:20]
    assert all(isinstance(outcome.result, Found) for outcome in outcomes[:10] + outcomes[20:])


def test_every_carrier_and_every_batch_meet_in_one_round():
    postplus = MeetingCarrier("postplus", {}, parties=4)
    nzpost = MeetingCarrier("nzpost", {}, parties=4)
    nzpost.meeting = postplus.meeting  # one PostPlus call and three NZ Post calls, all at the same time
    install_carriers({"postplus": postplus, "nzpost": nzpost})
    s10 = [f"RR{index:09d}DE" for index in range(3)]  # PostPlus only
    tickets = [f"{3616060010051500 + index}AKL005AS" for index in range(22)]  # CourierPost: NZ Post only

    outcomes = lookup_parcels(s10 + tickets)

    assert len(postplus.batches) == 1 and len(nzpost.batches) == 3
    assert all(isinstance(outcome.result, NotFound) for outcome in outcomes)


def test_dhl_numbers_are_asked_in_one_call_per_identifier_kind():
    fake = FakeDhlEcommerce()
    config = CarrierConfig(dhl_client_id=DEMO_CLIENT_ID, dhl_client_secret=DEMO_CLIENT_SECRET)
    install_carriers(build_carriers(config, transports={"dhl-ecommerce": httpx.WSGITransport(app=fake)}))
    numbers = [number for number, _ in DEMO_NUMBERS]  # dhlPackageIds, a USPS barcode, a shop's packageId

    outcomes = lookup_parcels(numbers, "dhl-ecommerce")

    assert all(isinstance(outcome.result, Found) for outcome in outcomes)
    lookups = sum(count for path, count in fake.calls.items() if path == TRACKING_PATH)
    assert lookups == 3
