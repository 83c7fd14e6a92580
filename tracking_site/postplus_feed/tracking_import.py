"""Pushing our own events to PostPlus from a CSV file: every row checked first, then batches of up to 500."""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from carriers.base import CarrierUnavailable, InvalidNumber
from carriers.detect import normalize_number
from carriers.model import FailureReason
from carriers.postplus import IMPORT_TIME_FORMAT, MAX_IMPORT_EVENTS, ImportEvent, PostPlusClient

REQUIRED_COLUMNS = ("trackingNr", "eventCode", "eventTime")
OPTIONAL_COLUMNS = ("eventMessage", "eventLocation", "eventSourceAlt", "eventId")
MAX_TEXT_LENGTH = 500


class BadImportFile(ValueError):
    """The file as a whole cannot be read as an import (no header, missing columns)."""


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str


@dataclass(frozen=True)
class ImportRow:
    line: int
    event: ImportEvent


@dataclass(frozen=True)
class BatchOutcome:
    number: int
    first_line: int
    last_line: int
    events: int
    error: str = ""

    @property
    def accepted(self) -> bool:
        return not self.error


def _columns(header: Iterable[str]) -> dict[str, str]:
    """The file's column names by our canonical name, matched case-insensitively."""
    canonical = {name.lower(): name for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS}
    found = {canonical[name.strip().lower()]: name for name in header if name and name.strip().lower() in canonical}
    missing = [name for name in REQUIRED_COLUMNS if name not in found]
    if missing:
        raise BadImportFile(f"The header row lacks the column(s) {', '.join(missing)}.")
    return found


def read_rows(file: TextIO, known_codes: Collection[str]) -> tuple[list[ImportRow], list[RowProblem]]:
    """Every row as an event to send, or as a problem with its line number; nothing is sent here."""
    reader = csv.DictReader(file)
    if not reader.fieldnames:
        raise BadImportFile("The file is empty: it needs a header row (trackingNr,eventCode,eventTime,...).")
    columns = _columns(reader.fieldnames)
    rows: list[ImportRow] = []
    problems: list[RowProblem] = []
    for record in reader:
        line = reader.line_num
        values = {name: (record.get(column) or "").strip() for name, column in columns.items()}
        if not any(values.values()):
            continue
        event, errors = parse_row(values, known_codes)
        if event is None:
            problems.append(RowProblem(line, "; ".join(errors)))
        else:
            rows.append(ImportRow(line, event))
    return rows, problems


def parse_row(values: Mapping[str, str], known_codes: Collection[str]) -> tuple[ImportEvent | None, list[str]]:
    """One row's event, or the reasons it cannot be sent."""
    errors: list[str] = []
    try:
        tracking_nr = normalize_number(values["trackingNr"])
    except InvalidNumber as exc:
        errors.append(f"trackingNr: {str(exc).rstrip('.')}")
    code = values["eventCode"].upper()
    if code not in known_codes:
        errors.append("eventCode: not a PostPlus event code" if code else "eventCode: missing")
    try:
        occurred = datetime.strptime(values["eventTime"], IMPORT_TIME_FORMAT)
    except ValueError:
        errors.append("eventTime: must be YYYY-MM-DD HH:MM:SS")
    for name in ("eventMessage", "eventLocation", "eventSourceAlt", "eventId"):
        if len(values.get(name, "")) > MAX_TEXT_LENGTH:
            errors.append(f"{name}: longer than {MAX_TEXT_LENGTH} characters")
    if errors:
        return None, errors
    return (
        ImportEvent(
            tracking_nr=tracking_nr,
            event_code=code,
            event_message=values.get("eventMessage", ""),
            event_time=occurred,
            event_location=values.get("eventLocation", ""),
            event_source_alt=values.get("eventSourceAlt", ""),
            event_id=values.get("eventId") or None,
        ),
        [],
    )


def batches(rows: list[ImportRow], size: int = MAX_IMPORT_EVENTS) -> Iterator[list[ImportRow]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def send_batches(client: PostPlusClient, rows: list[ImportRow], integration_key: str) -> Iterator[BatchOutcome]:
    """Send each batch, yielding as it goes; after a refused key the rest is not sent."""
    for number, batch in enumerate(batches(rows), start=1):
        outcome = BatchOutcome(number, batch[0].line, batch[-1].line, len(batch))
        try:
            client.import_events([row.event for row in batch], integration_key)
        except CarrierUnavailable as exc:
            yield BatchOutcome(outcome.number, outcome.first_line, outcome.last_line, outcome.events, str(exc))
            if exc.reason is FailureReason.AUTH:
                return
            continue
        yield outcome
