"""The Huey tasks: what is scheduled, and the estimates flush that runs only where its module exists."""

from __future__ import annotations

import sys
import types
from datetime import datetime

import pytest
from huey.contrib.djhuey import HUEY

from tracking_site.following import tasks


@pytest.mark.parametrize(
    ("task", "runs_an_hour"),
    [
        (tasks.refresh_and_notify, 60),
        (tasks.send_waiting_confirmations, 60),
        (tasks.flush_delivery_observations, 60),
        (tasks.purge_expired_followers, 4),
    ],
)
def test_how_often_each_periodic_task_runs(task, runs_an_hour):
    hour = [datetime(2026, 3, 10, 12, minute) for minute in range(60)]
    due = [type(periodic).__name__ for moment in hour for periodic in HUEY.read_periodic(moment)]
    assert due.count(task.task_class.__name__) == runs_an_hour


def test_without_the_estimates_module_the_flush_does_nothing(monkeypatch):
    monkeypatch.setitem(sys.modules, "tracking_site.estimates", None)  # "not installed"
    assert tasks.observations_flusher() is None
    tasks.flush_delivery_observations.call_local()


def test_with_the_estimates_module_the_flush_runs_it(monkeypatch):
    calls = []
    estimates = types.ModuleType("tracking_site.estimates")
    estimates.flush_observations = lambda: calls.append("flushed") or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tracking_site.estimates", estimates)
    tasks.flush_delivery_observations.call_local()
    assert calls == ["flushed"]
