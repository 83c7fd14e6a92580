"""Start the site under gunicorn (after migrate and collectstatic) and wait until /healthz answers.

Shared by the benchmarks and the production-stack tests, so both run the site exactly the documented way.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


class ServerDidNotStart(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn_serving(
    env: dict[str, str], port: int, stderr: IO[str] | None = None, *, options: Sequence[str] = ()
) -> Iterator[str]:
    """Yield the site's base URL, gunicorn bound to `port` (with gunicorn's own `options` besides); `env` must set
    DJANGO_STATIC_ROOT.

    As the README's Production section says: migrate, collectstatic, then gunicorn.
    """
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run([sys.executable, "manage.py", *command], env=env, cwd=BASE_DIR, check=True, capture_output=True)
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", *options, "tracking_site.wsgi"],
        env=env,
        cwd=BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=stderr if stderr is not None else subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)  # waiting for the server to start, not timing anything
        else:
            raise ServerDidNotStart("gunicorn did not answer /healthz within 30 s")
        yield base
    finally:
        server.terminate()
        server.wait(10)
