"""Tracking numbers grouped the way their format prints them, so a phone never breaks one mid-group.

Only formats that define a grouping are grouped: UPU S10 (`LB 123 456 785 EE`: service letters, the serial in
threes with its check digit last, the country) and USPS IMpb (digits in fours from the left, the last group
shorter). Everything else is printed whole, one group: DHL's `GM…` package ids, CourierPost tickets
(`…AKL003CP` carries a depot and a service inside it), Pace jobs, PostPlus parcel numbers and shops' own ids
(`ORDER-58213-B`) have a structure of their own that spaces would cut through.
"""

from __future__ import annotations

from carriers.detect import IMPB, S10

IMPB_GROUP = 4


def number_groups(number: str) -> list[str]:
    """'LB123456785EE' -> ['LB', '123', '456', '785', 'EE']; an IMpb in fours; any other number whole."""
    if S10.fullmatch(number):
        return [number[:2], number[2:5], number[5:8], number[8:11], number[11:]]
    if IMPB.fullmatch(number):
        return [number[start : start + IMPB_GROUP] for start in range(0, len(number), IMPB_GROUP)]
    return [number]
