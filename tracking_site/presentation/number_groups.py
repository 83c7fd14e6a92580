"""Tracking numbers grouped for reading aloud and typing, so a phone never breaks one mid-group."""

from __future__ import annotations

import re

S10 = re.compile(r"^([A-Z]{2})(\d{3})(\d{3})(\d{3})([A-Z]{2})$")  # UPU S10: LB 123 456 785 EE
GROUP = 4


def number_groups(number: str) -> list[str]:
    """'LB123456785EE' -> ['LB', '123', '456', '785', 'EE']; other numbers in fours from the left."""
    if match := S10.match(number):
        return list(match.groups())
    return [number[start : start + GROUP] for start in range(0, len(number), GROUP)] or [number]
