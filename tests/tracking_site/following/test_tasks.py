"""The Huey tasks of following: what is scheduled, how often."""

from __future__ import annotations

from datetime import datetime

import pytest
from huey.contrib.djhuey import HUEY

from tracking_site.following import tasks


@pytest.mark.parametrize(
    ("task", "runs_an_hour"),
    [
        (tasks.refresh_and_notify, 60),
        (tasks.send_waiting_confirmations, 60),
        (tasks.purge_expired_followers, 4),
    ],
)
def test_how_often_each_periodic_task_runs(task, runs_an_hour):
    hour = [datetime(2026, 3, 10, 12, minute) for minute in range(60)]
    due = [type(periodic).__name__ for moment in hour for periodic in HUEY.read_periodic(moment)]
    assert due.count(task.task_class.__name__) == runs_an_hour
