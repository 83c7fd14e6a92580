"""`manage.py sync_postplus_feed [--since YYYY-MM-DD]`: store the PostPlus event feed's new pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from carriers.base import CarrierUnavailable
from carriers.postplus import MAX_FEED_COUNT
from carriers.throttle import PRIORITY, Priority
from tracking_site.lookup.clients import get_carriers
from tracking_site.postplus_feed.store import postplus_api
from tracking_site.postplus_feed.sync import FeedBusy, FeedNotStarted, PageStored, sync_feed


def iso_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since must be a date as YYYY-MM-DD, not {value[:20]!r}.") from None


class Command(BaseCommand):
    help = "Read the PostPlus event feed from the saved cursor (first run: from --since) until it is caught up."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="first run only: the day to start from, YYYY-MM-DD")
        parser.add_argument(
            "--page-size", type=int, default=MAX_FEED_COUNT, help=f"events per page, 1-{MAX_FEED_COUNT}"
        )

    def handle(self, *args: Any, since: str | None, page_size: int, **options: Any) -> None:
        start = iso_day(since) if since else None
        if not 1 <= page_size <= MAX_FEED_COUNT:
            raise CommandError(f"--page-size must be between 1 and {MAX_FEED_COUNT}.")
        client = postplus_api(get_carriers().get("postplus"))
        if client is None:
            raise CommandError("PostPlus is not configured: set POSTPLUS_API_KEY (or run in demo mode).")
        background = client.with_extensions({PRIORITY: Priority.BACKGROUND})  # only budget visitors leave unused
        try:
            summary = sync_feed(background, since=start, page_size=page_size, on_page=self._progress)
        except (FeedBusy, FeedNotStarted) as exc:
            raise CommandError(str(exc)) from None
        except CarrierUnavailable as exc:
            raise CommandError(
                f"PostPlus did not give the next page ({exc}). Everything before it is stored; "
                "the next run continues from the saved cursor."
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Caught up: {summary.pages} page(s), {summary.events} event(s), {summary.changed} new or updated."
            )
        )

    def _progress(self, progress: PageStored) -> None:
        self.stdout.write(
            f"page {progress.page}: {progress.events} event(s), {progress.changed} new or updated; cursor saved"
            + (" (feed done)" if progress.fetch_done else "")
        )
