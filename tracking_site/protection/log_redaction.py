"""Logging filters: Django logs request paths, and our paths carry tracking numbers."""

from __future__ import annotations

import logging
import re

from carriers.base import shorten_number

# A path segment of number characters only, so an already shortened "CL0…NZ" is left alone (filters may run twice).
NUMBER_IN_PATH = re.compile(r"(/(?:track|api/v1/parcels)/[^/\s?]+/)([A-Za-z0-9_%-]+)(?=[/\s?]|$)")
QUERY_VALUE = re.compile(
    r"([?&](?:q|ParcelNrs|SenderParcelNrs|tracking_reference|packageId|dhlPackageId|trackingId)=)[^&\s]*"
)


def redact(message: str) -> str:
    """The message with tracking numbers in paths shortened and search queries dropped."""
    message = NUMBER_IN_PATH.sub(lambda m: m.group(1) + shorten_number(m.group(2)), message)
    return QUERY_VALUE.sub(r"\1…", message)


class RedactTrackingNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
