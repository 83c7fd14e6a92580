"""The demo's delivered parcels: enough made-up observations that `make run` shows estimates at once.

Loaded by `migrate` in demo mode only, marked as demo, and counted only in demo mode (figures.population).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from tracking_site.estimates.observations import Lane, Observation, parcel_key

logger = logging.getLogger("tracking_site.estimates")

# Transit days from the first scan to the door, fastest to slowest, on the demo carriers' lanes.
DEMO_LANES: dict[Lane, tuple[float, float]] = {
    Lane("postplus", "", "GB"): (3.0, 6.0),
    Lane("postplus", "", "DE"): (2.5, 5.0),
    Lane("postplus", "", "FI"): (2.0, 4.0),
    Lane("postplus", "", "LV"): (1.5, 3.5),
    Lane("postplus", "", "LT"): (1.5, 3.5),
    Lane("postplus", "", "SE"): (2.5, 5.0),
    Lane("postplus", "", "NO"): (4.0, 8.0),
    Lane("nzpost", "", "NZ"): (2.0, 4.0),
}
PARCELS_PER_LANE = 40


def demo_observations(today: date) -> list[Observation]:
    """PARCELS_PER_LANE observations per demo lane, spread evenly over its range, delivered in the last weeks."""
    observations = []
    for lane, (fastest, slowest) in DEMO_LANES.items():
        for index in range(PARCELS_PER_LANE):
            share = (index * 37 % PARCELS_PER_LANE) / (PARCELS_PER_LANE - 1)  # an even spread in a jumbled order
            days = fastest + (slowest - fastest) * share
            observations.append(
                Observation(
                    parcel_key=parcel_key("demo", f"{lane.carrier}-{lane.destination}-{index}"),
                    lane=lane,
                    transit_seconds=round(days * 86400),
                    delivered_on=today - timedelta(days=1 + index % 30),
                    source="demo",
                )
            )
    return observations


def load_demo_observations(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> int:
    """post_migrate: in demo mode, store the demo observations once and refresh the figures; how many stored."""
    from tracking_site.estimates.flush import refresh_lane_figures, save_observations
    from tracking_site.estimates.models import DeliveryObservation

    if not settings.TRACKING_DEMO or using != DEFAULT_DB_ALIAS:
        return 0
    if DeliveryObservation._meta.db_table not in connections[using].introspection.table_names():
        return 0  # migrated back past the table
    if DeliveryObservation.objects.filter(source=DeliveryObservation.DEMO).exists():
        return 0
    saved = save_observations(demo_observations(timezone.now().date()))
    try:
        refresh_lane_figures()
    except Exception as exc:  # any cache backend's failure: the site rebuilds the figures later
        logger.warning("estimates outcome=demo_figures_not_cached error=%s", type(exc).__name__)
    return len(saved)
