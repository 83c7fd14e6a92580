"""When PostPlus and NZ Post parcels arrive, learned from parcels this site has seen delivered on the same lane.

`observe(parcels)` runs on the lookup path and the PostPlus feed sync: it buffers each delivered parcel's
transit time in the cache, never touching the database. `flush_observations()` (a periodic task) moves the
buffer into the database and recomputes the lane figures; public pages read those figures from the cache.
"""

from django.core.cache import BaseCache, cache

from tracking_site.estimates.buffer import observe


def flush_observations(*, store: BaseCache = cache) -> int:
    """Move buffered observations into the database and refresh the lane figures; how many were new."""
    # Imported here: the lookup path imports this package, and only the flush needs the models.
    from tracking_site.estimates.flush import flush_observations as flush

    return flush(store=store)


__all__ = ["flush_observations", "observe"]
