"""A fresh worker is ready before its first visitor: tokens fetched, clients built; never a failed boot."""

from __future__ import annotations

import socket
import threading

import httpx
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from carriers.demo import demo_config
from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import nzpost as fake_nzpost
from carriers.registry import build_carriers
from tracking_site.lookup import warm
from tracking_site.lookup.clients import install_carriers
from tracking_site.lookup.service import lookup_parcels
from tracking_site.lookup.warm import warm_up

TOKEN_PATHS = {"/auth/v4/accesstoken", "/as/token.oauth2"}


def counting(app, seen: list[str]) -> httpx.MockTransport:
    wsgi = httpx.WSGITransport(app=app)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return wsgi.handle_request(request)

    return httpx.MockTransport(handle)


def install_oauth_carriers_counting_requests() -> list[str]:
    """The two OAuth carriers' fakes installed; the list fills with the path of every request they get."""
    seen: list[str] = []
    transports = {
        "dhl-ecommerce": counting(fake_dhl.FakeDhlEcommerce(), seen),
        "nzpost": counting(fake_nzpost.FakeNzPost(), seen),
    }
    install_carriers(build_carriers(demo_config(), transports=transports))
    return seen


def test_a_warmed_worker_has_its_tokens_before_the_first_lookup():
    seen = install_oauth_carriers_counting_requests()

    assert warm_up() is True
    assert sorted(path for path in seen if path in TOKEN_PATHS) == ["/as/token.oauth2", "/auth/v4/accesstoken"]

    seen.clear()
    lookup_parcels([fake_dhl.DEMO_NUMBERS[0][0]], "dhl-ecommerce")
    lookup_parcels([fake_nzpost.DEMO_NUMBERS[0][0]], "nzpost")
    assert seen and not any(path in TOKEN_PATHS for path in seen)  # the first visitors wait for no token


def test_a_carrier_that_refuses_its_token_does_not_stop_the_worker(caplog):
    def refusing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": "invalid_client"})

    install_carriers(build_carriers(demo_config(), transports={"nzpost": httpx.MockTransport(refusing)}))

    assert warm_up() is False
    assert "carrier=nzpost outcome=warm_up_token_failed" in caplog.text


def test_a_hanging_token_endpoint_is_given_up_on_at_the_deadline():
    hanging = threading.Event()

    def hangs(request: httpx.Request) -> httpx.Response:
        hanging.wait(10)
        return httpx.Response(503)

    install_carriers(build_carriers(demo_config(), transports={"dhl-ecommerce": httpx.MockTransport(hangs)}))
    try:
        assert warm_up(deadline_seconds=0.05) is False
    finally:
        hanging.set()


def test_a_redis_that_is_down_at_boot_costs_one_line_and_the_tokens_are_still_fetched(caplog, monkeypatch):
    """A worker booting while Redis is down serves from its fallbacks; its log says so once, without a traceback."""
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    dead = redis.Redis(port=dead_port, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    monkeypatch.setattr(warm, "shared_redis", lambda: dead)
    seen = install_oauth_carriers_counting_requests()

    assert warm_up() is False
    assert "outcome=warm_up_store_unavailable error=ConnectionError" in caplog.text
    assert not any(record.exc_info for record in caplog.records)
    assert "stores=unavailable" in caplog.text
    assert sorted(path for path in seen if path in TOKEN_PATHS) == ["/as/token.oauth2", "/auth/v4/accesstoken"]
