"""The documented production path: collectstatic, then gunicorn with DJANGO_DEBUG=0 on PostgreSQL and Redis."""

from __future__ import annotations

import os
import re
import secrets

import httpx
import pytest

from bench.gunicorn_server import free_port, gunicorn_serving
from carriers.fakes.nzpost import DEMO_NUMBERS

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def production_site(tmp_path_factory):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": str(tmp_path_factory.mktemp("static")),
        "TRACKING_TUNING": "security.ssl_redirect=0",  # no TLS-terminating proxy in front of this test
        "TRACKING_DEMO": "1",
        "WEB_CONCURRENCY": "2",
    }
    with gunicorn_serving(env, port) as base:
        yield base


def test_gunicorn_serves_the_site_with_debug_off(production_site):
    health = httpx.get(f"{production_site}/healthz")
    assert health.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    number = DEMO_NUMBERS[1][0]
    page = httpx.get(f"{production_site}/track/nzpost/{number}/")
    assert page.status_code == 200
    assert page.headers["ETag"]
    unknown = httpx.get(f"{production_site}/no-such-page")
    assert unknown.status_code == 404
    assert "URLconf" not in unknown.text  # the site's own 404 page, not Django's debug page


def test_static_files_are_fingerprinted_compressed_and_cached_for_ever(production_site):
    home = httpx.get(f"{production_site}/").text
    stylesheet = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', home)
    assert stylesheet, "the page links no fingerprinted stylesheet"
    response = httpx.get(f"{production_site}{stylesheet.group(1)}", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"]


def test_a_missing_parcel_is_a_friendly_404_not_a_500(production_site):
    response = httpx.get(f"{production_site}/track/nzpost/ZZ999999999NZ/")
    assert response.status_code == 404


def test_metrics_add_up_every_workers_values_for_a_local_scraper(production_site):
    numbers = [number for number, _ in DEMO_NUMBERS[:4]]
    for number in numbers:  # spread over both workers by the kernel; each worker writes its own file
        assert httpx.get(f"{production_site}/track/nzpost/{number}/").status_code in (200, 404)
    metrics = httpx.get(f"{production_site}/metrics")
    assert metrics.status_code == 200
    lookups = [
        float(line.rsplit(" ", 1)[1])
        for line in metrics.text.splitlines()
        if line.startswith('tracking_parcel_cache_lookups_total{carrier="nzpost"')
    ]
    assert sum(lookups) >= len(numbers)
    assert not any(number in metrics.text for number in numbers)
