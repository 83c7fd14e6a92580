"""`manage.py check_carriers [NUMBER ...] [--published] [--carrier SLUG]`: the go-live check of the carriers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from carriers.registry import CARRIER_NAMES
from tracking_site.lookup.carrier_check import check_carriers, report_lines
from tracking_site.lookup.clients import get_carriers


class Command(BaseCommand):
    help = (
        "Check each configured carrier before going live: reachable, authorised, its answers to NUMBERs read "
        "(fields read and not understood, dates and zones), the call budget. Exits non-zero when anything is off."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("numbers", nargs="*", metavar="NUMBER", help="tracking numbers to look up")
        parser.add_argument(
            "--published", action="store_true", help="also look up each carrier's published sample numbers"
        )
        parser.add_argument(
            "--carrier",
            action="append",
            default=[],
            choices=sorted(CARRIER_NAMES),
            help="check only this carrier (repeatable)",
        )

    def handle(self, *args: Any, numbers: list[str], published: bool, carrier: list[str], **options: Any) -> None:
        carriers = {slug: client for slug, client in get_carriers().items() if not carrier or slug in carrier}
        if settings.TRACKING_DEMO:
            self.stdout.write("Demo mode: checking the built-in demo carriers, not the real ones.")
        report = check_carriers(carriers, numbers, rates=settings.CARRIER_RATE_LIMITS, published=published)
        for line in report_lines(report):
            self.stdout.write(line)
        if report.problems:
            raise CommandError(f"{len(report.problems)} problem(s) found: not ready to go live.")
