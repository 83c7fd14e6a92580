"""The estimates' own periodic task: the flush, every minute."""

from __future__ import annotations

from datetime import datetime

from huey.contrib.djhuey import HUEY

from tracking_site.estimates import tasks


def test_the_flush_runs_every_minute():
    hour = [datetime(2026, 3, 10, 12, minute) for minute in range(60)]
    due = [type(periodic).__name__ for moment in hour for periodic in HUEY.read_periodic(moment)]
    assert due.count(tasks.flush_delivery_observations.task_class.__name__) == 60


def test_the_flush_task_flushes_the_observations(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks, "flush_observations", lambda: calls.append("flushed") or 0)
    tasks.flush_delivery_observations.call_local()
    assert calls == ["flushed"]
