"""The flush: buffered observations into the database, once per parcel, then the lane figures recomputed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.cache import BaseCache, cache
from django.db.models import QuerySet

from tracking_site.estimates.buffer import take_buffered
from tracking_site.estimates.figures import built_key, lane_figure, store_figures
from tracking_site.estimates.models import DeliveryObservation
from tracking_site.estimates.observations import ANY_SERVICE, Lane, Observation

# A lane's figure follows its most recent parcels: a carrier that got faster is not held to last year.
RECENT_PER_LANE = 500


def flush_observations(*, store: BaseCache = cache) -> int:
    """Move the buffered observations into the database and refresh the figures; how many were new.

    Only the lanes the new observations touched are recomputed, unless the cache has lost the figures:
    then every lane is.
    """
    saved = save_observations(take_buffered(store))
    if store.get(built_key()) is None:
        refresh_lane_figures(store=store)
    else:
        refresh_lane_figures({obs.lane for obs in saved}, store=store)
    return len(saved)


def save_observations(observations: Iterable[Observation]) -> list[Observation]:
    """Store the observations of parcels not stored before; the ones stored."""
    by_key = {obs.parcel_key: obs for obs in observations}
    if not by_key:
        return []
    known = set(DeliveryObservation.objects.filter(parcel_key__in=list(by_key)).values_list("parcel_key", flat=True))
    new = [obs for key, obs in by_key.items() if key not in known]
    DeliveryObservation.objects.bulk_create(
        [
            DeliveryObservation(
                parcel_key=obs.parcel_key,
                carrier=obs.lane.carrier,
                service=obs.lane.service,
                destination=obs.lane.destination,
                transit_seconds=obs.transit_seconds,
                delivered_on=obs.delivered_on,
                source=obs.source,
            )
            for obs in new
        ],
        ignore_conflicts=True,  # another flush may have stored the same parcel a moment ago
    )
    return new


def counted_observations() -> QuerySet[DeliveryObservation]:
    rows = DeliveryObservation.objects.all()
    return rows if settings.TRACKING_DEMO else rows.exclude(source=DeliveryObservation.DEMO)


def refresh_lane_figures(lanes: Iterable[Lane] | None = None, *, store: BaseCache = cache) -> int:
    """Recompute the figures of `lanes` (each with its any-service lane), or of every lane; how many exist."""
    if lanes is None:
        exact = {Lane(*row) for row in counted_observations().values_list("carrier", "service", "destination")}
    else:
        exact = {lane for lane in lanes if lane.service != ANY_SERVICE}
    wanted = exact | {lane.any_service() for lane in exact}
    figures = {lane: lane_figure(recent_transits(lane)) for lane in wanted}
    store_figures(figures, store)
    return sum(1 for figure in figures.values() if figure)


def recent_transits(lane: Lane) -> Sequence[int]:
    rows = counted_observations().filter(carrier=lane.carrier, destination=lane.destination)
    if lane.service != ANY_SERVICE:
        rows = rows.filter(service=lane.service)
    return list(rows.order_by("-delivered_on", "-id").values_list("transit_seconds", flat=True)[:RECENT_PER_LANE])
