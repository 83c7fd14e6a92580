"""Lane figures: the 20th to 80th percentile from 20 parcels on, read from the cache only, rebuilt in the background."""

from __future__ import annotations

from django.core.cache.backends.locmem import LocMemCache

from tests.clocks import FakeClock
from tests.conftest import tune
from tests.tracking_site.estimates.helpers import CountingCache
from tracking_site.estimates.figures import (
    MIN_OBSERVATIONS,
    BackgroundRebuild,
    LaneFigure,
    LocalFigures,
    cached_figures,
    ensure_figures,
    lane_figure,
    store_figures,
)
from tracking_site.estimates.observations import Lane

LANE = Lane("postplus", "", "GB")
HOUR = 3600


def test_the_range_is_the_20th_to_80th_percentile_interpolated_between_ranks():
    # 1..100 hours: rank (n - 1) * p + 1 gives 20.8 and 80.2 hours (NumPy's and spreadsheets' default method).
    figure = lane_figure([hours * HOUR for hours in range(1, 101)])
    assert figure == LaneFigure(round(20.8 * HOUR), round(80.2 * HOUR), 100)


def test_twenty_parcels_give_a_figure_and_order_does_not_matter():
    days = [19, 3, 0, 7, 11, 2, 5, 13, 17, 1, 4, 6, 8, 9, 10, 12, 14, 15, 16, 18]  # 0..19 days, shuffled
    figure = lane_figure([day * 24 * HOUR for day in days])
    assert figure == LaneFigure(round(3.8 * 24 * HOUR), round(15.2 * 24 * HOUR), 20)


def test_fewer_than_twenty_parcels_give_no_figure():
    assert MIN_OBSERVATIONS == 20
    assert lane_figure([48 * HOUR] * 19) is None
    assert lane_figure([48 * HOUR] * 20) == LaneFigure(48 * HOUR, 48 * HOUR, 20)


class Rebuilds:
    def __init__(self) -> None:
        self.asked = 0

    def __call__(self) -> bool:
        self.asked += 1
        return True


# These tests have no database: pytest-django makes any query in them fail.


def test_pages_read_stored_figures_from_the_cache_and_never_the_database():
    store, rebuild = CountingCache(), Rebuilds()
    store_figures({LANE: LaneFigure(3 * 24 * HOUR, 5 * 24 * HOUR, 42)}, store)
    assert cached_figures([LANE], store=store, rebuild=rebuild) == {LANE: LaneFigure(3 * 86400, 5 * 86400, 42)}
    assert rebuild.asked == 0
    assert cached_figures([LANE], store=store, rebuild=rebuild)  # the process's own copy: no second read
    assert store.calls == 1


def test_lost_figures_ask_for_a_rebuild_and_the_page_answers_without():
    store, rebuild = CountingCache(), Rebuilds()
    assert cached_figures([LANE], store=store, rebuild=rebuild) == {}
    assert rebuild.asked == 1


def test_a_failing_cache_gives_no_estimate_rather_than_an_error():
    class BrokenCache(LocMemCache):
        def get_many(self, keys, version=None):
            raise ConnectionError("cache down")

    assert cached_figures([LANE], store=BrokenCache("broken", {}), rebuild=Rebuilds()) == {}


def test_the_local_copy_expires():
    clock = FakeClock()
    local = LocalFigures(clock)
    local.put("key", LaneFigure(1, 2, 20), True)
    assert local.get("key") == (LaneFigure(1, 2, 20), True)
    clock.now += 30
    assert local.get("key") is None


def test_a_background_rebuild_starts_at_most_once_a_minute(settings):
    tune(settings, estimates={"background_rebuild": True})
    clock, started, done = FakeClock(), [], []
    rebuild = BackgroundRebuild(lambda: done.append(1), every=60, clock=clock, start=started.append)
    assert rebuild() is True
    assert rebuild() is False
    clock.now += 61
    assert rebuild() is True
    assert len(started) == 2
    started[0]()  # what the thread runs
    assert done == [1]


def test_a_failing_rebuild_is_logged_and_swallowed(settings, caplog):
    tune(settings, estimates={"background_rebuild": True})
    started = []

    def fail() -> None:
        raise OSError("database down")

    BackgroundRebuild(fail, start=started.append)()
    started[0]()
    assert "estimates outcome=rebuild_failed error=OSError" in caplog.text


def test_background_rebuilds_can_be_switched_off(settings):
    tune(settings, estimates={"background_rebuild": False})
    started = []
    assert BackgroundRebuild(lambda: None, start=started.append)() is False
    assert started == []


def test_the_home_page_asks_for_a_rebuild_only_when_the_figures_are_gone():
    store, rebuild = CountingCache(), Rebuilds()
    ensure_figures(store=store, rebuild=rebuild)
    assert rebuild.asked == 1
    store_figures({}, store)
    ensure_figures(store=store, rebuild=rebuild)
    assert rebuild.asked == 1
