"""The Huey task of the arrival estimates (found by `manage.py run_huey`)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tracking_site.estimates import flush_observations


@db_periodic_task(crontab(minute="*"))
def flush_delivery_observations() -> None:
    """Delivery observations, moved from the cache into the database every minute, and the lane figures redone."""
    flush_observations()
