"""Numbers printed the way their format groups them, and never split inside an identifier with its own structure."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracking_site.presentation.number_groups import number_groups


@pytest.mark.parametrize(
    ("number", "groups"),
    [
        ("LB123456785EE", ["LB", "123", "456", "785", "EE"]),  # UPU S10: letters, the serial in threes, country
        ("CL092594238NZ", ["CL", "092", "594", "238", "NZ"]),
        ("9261290357311200174526", ["9261", "2903", "5731", "1200", "1745", "26"]),  # USPS IMpb in fours
        ("92001903063011000000000015", ["9200", "1903", "0630", "1100", "0000", "0000", "15"]),
    ],
)
def test_formats_that_define_a_grouping_are_printed_in_it(number, groups):
    assert number_groups(number) == groups


# The issue's own examples: each was printed split inside its own structure (`ORDE R-58 213- B`, `PPL2 5011 3000
# 417`, `4829 13`, `…AKL0 03CP`); DHL's GM ids and PostPlus's published samples have no published grouping either.
@pytest.mark.parametrize(
    "number",
    [
        "ORDER-58213-B",
        "PPL250113000417",
        "482913",
        "7720419836500214AKL003CP",
        "3616060010051511AKL005AS",
        "GM295117494011076415",
        "PARCEL-NR-1",
        "LB12345678EE",  # one digit short of S10: not grouped as one
    ],
)
def test_any_other_number_is_printed_whole(number):
    assert number_groups(number) == [number]


@given(st.from_regex(r"[A-Z0-9](?:[A-Z0-9_-]{3,38}[A-Z0-9])", fullmatch=True))
def test_grouping_keeps_every_character_in_order(number):
    assert "".join(number_groups(number)) == number
