"""`manage.py postplus_import_events FILE.csv`: push our own tracking events to PostPlus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from carriers.base import CarrierUnavailable
from carriers.postplus import MAX_IMPORT_EVENTS
from tracking_site.lookup.clients import get_carriers
from tracking_site.lookup.event_codes import event_codes
from tracking_site.postplus_feed.store import postplus_api
from tracking_site.postplus_feed.tracking_import import BadImportFile, read_rows, send_batches


def integration_key() -> str:
    """POSTPLUS_INTEGRATION_API_KEY; in demo mode the fake's own key when none is set."""
    if settings.POSTPLUS_INTEGRATION_API_KEY:
        return settings.POSTPLUS_INTEGRATION_API_KEY
    if not settings.TRACKING_DEMO:
        return ""
    from carriers.demo import DEMO_INTEGRATION_KEY  # demo mode only: production never loads the fakes

    return DEMO_INTEGRATION_KEY


class Command(BaseCommand):
    help = (
        "Check every row of a CSV file (header: trackingNr,eventCode,eventTime and optionally eventMessage, "
        f"eventLocation, eventSourceAlt, eventId) and send the valid rows to PostPlus, {MAX_IMPORT_EVENTS} a batch."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the CSV file (UTF-8); eventTime as YYYY-MM-DD HH:MM:SS")
        parser.add_argument("--dry-run", action="store_true", help="check the rows, send nothing")

    def handle(self, *args: Any, file: Path, dry_run: bool, **options: Any) -> None:
        client = postplus_api(get_carriers().get("postplus"))
        if client is None:
            raise CommandError("PostPlus is not configured: set POSTPLUS_API_KEY (or run in demo mode).")
        key = integration_key()
        if not key and not dry_run:
            raise CommandError("POSTPLUS_INTEGRATION_API_KEY is not set: PostPlus accepts imports only with it.")
        try:
            codes = event_codes(client)
        except CarrierUnavailable as exc:
            raise CommandError(f"Could not get PostPlus's event codes to check the rows against ({exc}).") from None
        try:
            with file.open(newline="", encoding="utf-8-sig") as handle:
                rows, problems = read_rows(handle, codes)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}.") from None
        except (BadImportFile, UnicodeDecodeError, ValueError) as exc:
            raise CommandError(f"{file} is not an import file: {exc}") from None

        for problem in problems:
            self.stderr.write(f"line {problem.line}: not sent: {problem.message}")
        self.stdout.write(f"{len(rows)} valid row(s), {len(problems)} invalid row(s).")
        if dry_run or not rows:
            if problems:
                raise CommandError(f"{len(problems)} row(s) are invalid.")
            return

        accepted = failed = 0
        for outcome in send_batches(client, rows, key):
            where = f"batch {outcome.number} (lines {outcome.first_line}-{outcome.last_line}, {outcome.events} events)"
            if outcome.accepted:
                accepted += outcome.events
                self.stdout.write(self.style.SUCCESS(f"{where}: accepted"))
            else:
                failed += outcome.events
                self.stderr.write(f"{where}: refused, none of its events were imported: {outcome.error}")
        unsent = len(rows) - accepted - failed
        self.stdout.write(f"{accepted} event(s) accepted, {failed} refused, {unsent} not sent.")
        if failed or unsent or problems:
            raise CommandError("Not every row was imported; see the lines above.")
