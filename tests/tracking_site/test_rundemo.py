"""`manage.py rundemo` (what `make run` runs): web server and queue consumer start together and stop together."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from django.conf import settings

from tracking_site.following.vapid import new_private_key


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def demo_env(tmp_path):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "TRACKING_TUNING": f"queue.sqlite_path={tmp_path / 'huey.sqlite3'}",
        "VAPID_PRIVATE_KEY": new_private_key(),
        "DJANGO_SETTINGS_MODULE": "tracking_site.settings",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=settings.BASE_DIR, env=env, check=True, capture_output=True)
    return env


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_the_demo_runs_the_site_and_the_consumer_and_stops_both(demo_env, stop_signal):
    port = free_port()
    launcher = subprocess.Popen(
        [sys.executable, "manage.py", "rundemo", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR,
        env=demo_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert launcher.stdout is not None
        first = launcher.stdout.readline()
        pids = [int(pid) for pid in re.findall(r"pid (\d+)", first)]
        assert len(pids) == 2, first
        deadline, status = time.monotonic() + 60, None
        while time.monotonic() < deadline and status != 200:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code
            except httpx.TransportError:
                time.sleep(0.2)
        assert status == 200
        assert all(alive(pid) for pid in pids)
        launcher.send_signal(stop_signal)
        assert launcher.wait(timeout=30) == 0
        output = launcher.stdout.read()
        assert "Consumer exiting" in output  # Huey stopped by itself, gracefully
        assert not any(alive(pid) for pid in pids)
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()
