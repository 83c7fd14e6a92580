"""`manage.py rundemo [addr:port]`: the demo's web server and Huey consumer side by side, stopped together.

`make run` runs this. Each child runs in its own process group so the whole of it (runserver's reloader
and its server) is stopped; Ctrl-C or SIGTERM stops both, and so does either one ending.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from tracking_site.following.vapid import new_private_key

STOP_SECONDS = 10.0


def demo_vapid_key(path: Path) -> str:
    """The demo's own VAPID key, made once and kept beside the demo database (never used in production)."""
    if not path.exists():
        path.write_text(new_private_key() + "\n", encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


class Command(BaseCommand):
    help = "Run the demo web server and the queue consumer together; Ctrl-C stops both."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        addrport = options["addrport"]
        env = dict(os.environ)
        if not settings.VAPID_PRIVATE_KEY:
            env["VAPID_PRIVATE_KEY"] = demo_vapid_key(Path(settings.BASE_DIR) / ".demo-vapid-key")
        env.setdefault("SITE_URL", f"http://{addrport}")
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        stopping: list[int] = []

        def stop(signum: int, frame: object) -> None:
            stopping.append(signum)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        children = {
            "queue consumer": subprocess.Popen([*manage, "run_huey"], env=env, start_new_session=True),  # noqa: S603
            "web server": subprocess.Popen([*manage, "runserver", addrport], env=env, start_new_session=True),  # noqa: S603
        }
        self.stdout.write(
            "rundemo: " + ", ".join(f"{name} pid {child.pid}" for name, child in children.items()), ending="\n"
        )
        self.stdout.flush()
        try:
            while not stopping and all(child.poll() is None for child in children.values()):
                time.sleep(0.2)
        finally:
            self._stop(children)
        ended = [name for name, child in children.items() if child.returncode not in (0, -signal.SIGINT, None)]
        if not stopping and ended:
            sys.exit(f"rundemo: the {' and the '.join(ended)} stopped")

    def _stop(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        """SIGINT to each child's group (Huey finishes its running task, runserver its request), then SIGKILL."""
        for child in children.values():
            if child.poll() is None:
                _signal_group(child, signal.SIGINT)
        deadline = time.monotonic() + STOP_SECONDS
        for child in children.values():
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                _signal_group(child, signal.SIGKILL)
                child.wait()
            # The group may outlive its leader (runserver's reloader leaves its server): end it too.
            _signal_group(child, signal.SIGKILL)


def _signal_group(child: subprocess.Popen[bytes], signum: int) -> None:
    try:
        os.killpg(child.pid, signum)
    except ProcessLookupError:
        pass
