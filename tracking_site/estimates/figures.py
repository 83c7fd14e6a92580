"""Lane figures: the 20th to 80th percentile of a lane's transit times, and how many parcels they rest on.

Written by the flush, read by public pages from the cache only (no database on the request path). A page
that finds no figures at all (a restarted local-memory cache, an evicted key) asks for a rebuild in the
background and answers without an estimate meanwhile.
"""

from __future__ import annotations

import hashlib
import logging
import statistics
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import BaseCache, cache
from django.db import connection

from carriers.model import Parcel
from tracking_site.estimates.observations import Lane, lane_of
from tracking_site.tuning import Section

logger = logging.getLogger("tracking_site.estimates")


@dataclass(frozen=True)
class EstimatesTuning:
    # Lane figures missing from the cache are rebuilt from the database in a background thread of the web process
    # (the periodic flush keeps them otherwise).
    background_rebuild: bool = True


ESTIMATES = Section("estimates", EstimatesTuning)

# Below this many delivered parcels a lane's range says more about luck than about the lane.
MIN_OBSERVATIONS = 20
# The range covers the middle of the lane: a fifth of parcels were faster, a fifth slower.
LOW_PERCENTILE, HIGH_PERCENTILE = 20, 80
# Figures a flush wrote are trusted this long; the periodic flush refreshes them every minute.
BUILT_SECONDS = 300
# A page keeps the figures it read this long before reading the cache again.
LOCAL_SECONDS = 30.0


@dataclass(frozen=True)
class LaneFigure:
    low_seconds: int
    high_seconds: int
    count: int


def lane_figure(transit_seconds: Sequence[int]) -> LaneFigure | None:
    """The lane's range from its transit times; None below MIN_OBSERVATIONS."""
    if len(transit_seconds) < MIN_OBSERVATIONS:
        return None
    # Linear interpolation between closest ranks, the spreadsheet (and NumPy default) percentile.
    percentiles = statistics.quantiles(transit_seconds, n=100, method="inclusive")
    low, high = percentiles[LOW_PERCENTILE - 1], percentiles[HIGH_PERCENTILE - 1]
    return LaneFigure(round(low), round(high), len(transit_seconds))


def population() -> str:
    """Demo observations count only in demo mode: a real site never learns from made-up parcels."""
    return "demo" if settings.TRACKING_DEMO else "live"


def figure_key(lane: Lane) -> str:
    digest = hashlib.sha256(f"{lane.carrier}\n{lane.service}\n{lane.destination}".encode()).hexdigest()[:32]
    return f"estimates:v1:{population()}:lane:{digest}"


def built_key() -> str:
    return f"estimates:v1:{population()}:built"


def store_figures(figures: Mapping[Lane, LaneFigure | None], store: BaseCache = cache) -> None:
    """Write lane figures (None removes a lane's) and mark the figures as built."""
    present = {figure_key(lane): (f.low_seconds, f.high_seconds, f.count) for lane, f in figures.items() if f}
    absent = [figure_key(lane) for lane, figure in figures.items() if figure is None]
    if present:
        store.set_many(present, timeout=None)
    if absent:
        store.delete_many(absent)
    store.set(built_key(), True, timeout=BUILT_SECONDS)
    local_figures.forget()


class BackgroundRebuild:
    """Runs `work` in a daemon thread when asked, at most once per `every` seconds in this process."""

    def __init__(
        self,
        work: Callable[[], object],
        *,
        every: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        start: Callable[[Callable[[], None]], None] | None = None,
    ) -> None:
        self.work = work
        self.every = every
        self.clock = clock
        self.start = start or _daemon_thread
        self._lock = threading.Lock()
        self._asked_at: float | None = None

    def __call__(self) -> bool:
        """Start a rebuild unless one started recently; whether one started."""
        if not ESTIMATES.current().background_rebuild:
            return False
        with self._lock:
            moment = self.clock()
            if self._asked_at is not None and moment - self._asked_at < self.every:
                return False
            self._asked_at = moment
        self.start(self._run)
        return True

    def _run(self) -> None:
        try:
            self.work()
        except Exception as exc:  # the database may be down: pages go on without estimates, we try again later
            logger.warning("estimates outcome=rebuild_failed error=%s", type(exc).__name__)
        finally:
            connection.close()  # this thread's own connection


def _daemon_thread(target: Callable[[], None]) -> None:
    threading.Thread(target=target, name="estimates-rebuild", daemon=True).start()


def _flush_now() -> None:
    from tracking_site.estimates import flush_observations

    flush_observations()


class LocalFigures:
    """The lane figures this process read lately, so a page costs no cache round trip most of the time."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._read: dict[str, tuple[float, LaneFigure | None, bool]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[LaneFigure | None, bool] | None:
        with self._lock:
            entry = self._read.get(key)
        if entry is None or self.clock() - entry[0] >= LOCAL_SECONDS:
            return None
        return entry[1], entry[2]

    def put(self, key: str, figure: LaneFigure | None, built: bool) -> None:
        with self._lock:
            self._read[key] = (self.clock(), figure, built)

    def forget(self) -> None:
        with self._lock:
            self._read.clear()


local_figures = LocalFigures()
rebuild_in_background = BackgroundRebuild(_flush_now)


def cached_figures(
    lanes: Iterable[Lane], *, store: BaseCache = cache, rebuild: Callable[[], object] = rebuild_in_background
) -> dict[Lane, LaneFigure]:
    """The figures of `lanes` that exist, from this process's copy or the cache; never the database."""
    wanted = {figure_key(lane): lane for lane in lanes}
    known: dict[str, tuple[LaneFigure | None, bool]] = {}
    for key in wanted:
        if (entry := local_figures.get(key)) is not None:
            known[key] = entry
    missing = [key for key in wanted if key not in known]
    if missing:
        try:
            values = store.get_many([*missing, built_key()])
        except Exception as exc:  # any cache backend's failure: the page answers without an estimate
            logger.warning("estimates outcome=figures_unreadable error=%s", type(exc).__name__)
            return {}
        built = built_key() in values
        for key in missing:
            figure = _decoded(values.get(key))
            local_figures.put(key, figure, built)
            known[key] = (figure, built)
    if any(not built for _, built in known.values()):
        rebuild()
    return {wanted[key]: figure for key, (figure, _) in known.items() if figure is not None}


def _decoded(value: object) -> LaneFigure | None:
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    try:
        return LaneFigure(int(value[0]), int(value[1]), int(value[2]))
    except (TypeError, ValueError):
        return None


def figures_for(parcels: Sequence[Parcel]) -> dict[tuple[str, str], LaneFigure]:
    """Each parcel's lane figure (its own service's when that has enough parcels, else any service's), read at
    once and keyed by (carrier, tracking number)."""
    lanes = {(parcel.carrier, parcel.tracking_number): lane_of(parcel) for parcel in parcels}
    figures = cached_figures({lane for own in lanes.values() for lane in (own, own.any_service())})
    answers = {}
    for parcel, lane in lanes.items():
        figure = figures.get(lane) or figures.get(lane.any_service())
        if figure is not None:
            answers[parcel] = figure
    return answers


def ensure_figures(*, store: BaseCache = cache, rebuild: Callable[[], object] = rebuild_in_background) -> None:
    """Ask for a background rebuild when the figures are gone, from the page visitors start on (one cache read).

    So a freshly started site (a new local-memory cache) has its estimates by the time a parcel is opened.
    """
    try:
        built = store.get(built_key()) is not None
    except Exception as exc:  # any cache backend's failure: nothing to do until the cache is back
        logger.warning("estimates outcome=figures_unreadable error=%s", type(exc).__name__)
        return
    if not built:
        rebuild()
