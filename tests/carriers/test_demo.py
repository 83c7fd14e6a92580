"""Demo mode's wiring: the real clients over the built-in fakes, each demo parcel found."""

from __future__ import annotations

from carriers.demo import build_demo_carriers, demo_config, demo_numbers
from carriers.model import Found
from carriers.registry import CARRIER_NAMES


def test_demo_mode_turns_on_every_carrier_over_the_fakes():
    carriers = build_demo_carriers()
    assert sorted(carriers) == sorted(CARRIER_NAMES)
    assert demo_config().postplus_base_url == "http://postplus.demo"


def test_every_demo_number_is_found_through_the_real_clients():
    carriers = build_demo_carriers()
    for slug, numbers in demo_numbers().items():
        results = carriers[slug].track_many([number for number, _ in numbers])
        assert results and all(isinstance(result, Found) for result in results), slug


def test_the_demo_lists_each_carriers_published_sample_after_its_stories():
    numbers = {slug: [number for number, _ in listed] for slug, listed in demo_numbers().items()}
    assert numbers["postplus"][-2:] == ["PARCEL-NR-1", "PARCEL-NR-2"]
    assert "V4-TEST-1581367640092" in numbers["dhl-ecommerce"]
    assert numbers["nzpost"][-2:] == ["CL092594238NZ", "3616060010051511AKL005AS"]
    assert all("published" in story for _, story in demo_numbers()["nzpost"][-2:])
