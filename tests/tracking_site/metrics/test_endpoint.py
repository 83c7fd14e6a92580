"""/metrics: the instruments in Prometheus's format, for allowed addresses only, never a tracking number."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from carriers.fakes import nzpost as fake_nzpost
from carriers.model import CarrierFailure, FailureReason, Found, Status
from carriers.throttle import RateLimit
from tests.conftest import tune
from tests.tracking_site.conftest import InMemoryCarrier, make_parcel
from tracking_site.lookup import parcel_cache
from tracking_site.lookup.clients import install_carriers, lookup_parts
from tracking_site.lookup.service import lookup_parcels
from tracking_site.shared_state.call_budget import LocalBudget

NUMBER = fake_nzpost.DEMO_NUMBERS[1][0]


def sample(body: str, name: str, **labels: str) -> float:
    """The value of one sample line of the exposition (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    for line in body.splitlines():
        if line.startswith(f"{name}{{{wanted}}} "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_the_metrics_count_calls_numbers_and_cache_reads_without_naming_a_number(client):
    before = client.get("/metrics").content.decode()
    install_carriers({"nzpost": InMemoryCarrier("nzpost", {NUMBER: make_parcel("nzpost", NUMBER)})})

    lookup_parcels([NUMBER], "nzpost")
    lookup_parcels([NUMBER], "nzpost")  # from the parcel cache
    response = client.get("/metrics")

    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]
    calls = "tracking_carrier_calls_total"
    assert (
        sample(body, calls, carrier="nzpost", outcome="answered")
        - sample(before, calls, carrier="nzpost", outcome="answered")
        == 1
    )
    assert sample(body, "tracking_carrier_call_numbers_count", carrier="nzpost") >= 1
    assert sample(body, "tracking_parcel_cache_lookups_total", carrier="nzpost", result="fresh") >= 1
    assert sample(body, "tracking_carrier_call_seconds_bucket", carrier="nzpost", le="+Inf") >= 1
    assert NUMBER not in body


def test_a_busy_answer_is_counted_as_a_visitor_turned_away(client, settings):
    tune(settings, lookup={"wait_seconds": 1})
    install_carriers({"postplus": InMemoryCarrier("postplus")})
    lookup_parts().gatherer.budget = LocalBudget({"postplus": RateLimit(1, 60.0)})
    before = sample(client.get("/metrics").content.decode(), "tracking_visitors_turned_away_total", carrier="postplus")

    lookup_parcels(["LB000000001EE"], "postplus")  # spends the only call of the minute
    busy = lookup_parcels(["LB000000002EE"], "postplus")[0]  # no call can carry it in time

    after = sample(client.get("/metrics").content.decode(), "tracking_visitors_turned_away_total", carrier="postplus")
    assert busy.result == CarrierFailure("postplus", "LB000000002EE", FailureReason.RATE_LIMITED)
    assert after - before == 1


def test_a_busy_number_shown_its_last_good_answer_is_stale_not_turned_away(client, settings):
    tune(settings, lookup={"wait_seconds": 1})
    install_carriers({"postplus": InMemoryCarrier("postplus")})
    lookup_parts().gatherer.budget = LocalBudget({"postplus": RateLimit(1, 60.0)})
    kept = make_parcel("postplus", "LB000000002EE", Status.IN_TRANSIT)
    parcel_cache.put("postplus", Found(kept), now=lambda: timezone.now() - timedelta(hours=1))  # stale, still kept

    def turned_away_and_stale() -> tuple[float, float]:
        body = client.get("/metrics").content.decode()
        return (
            sample(body, "tracking_visitors_turned_away_total", carrier="postplus"),
            sample(body, "tracking_stale_answers_total", carrier="postplus", reason="carrier_rate_limited"),
        )

    before = turned_away_and_stale()

    lookup_parcels(["LB000000001EE"], "postplus")  # spends the only call of the minute
    shown = lookup_parcels(["LB000000002EE"], "postplus")[0]

    after = turned_away_and_stale()
    assert shown.stale and shown.result == Found(kept)
    assert (after[0] - before[0], after[1] - before[1]) == (0, 1)


@pytest.mark.parametrize("address", ["203.0.113.9", "10.0.0.8", "::ffff:198.51.100.1"])
def test_other_addresses_get_the_sites_404(client, address):
    response = client.get("/metrics", REMOTE_ADDR=address)
    assert response.status_code == 404
    assert b"tracking_carrier" not in response.content


def test_allowed_networks_are_read_from_the_setting(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8", "not an address"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_behind_our_proxy_the_forwarded_client_counts_not_the_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    outside = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert outside.status_code == 404
    inside = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert inside.status_code == 200


def test_a_forged_forwarded_header_is_ignored_without_proxies(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["post", "options", "put", "patch", "delete"])
def test_other_addresses_get_the_sites_404_whatever_the_method(method):
    browser = Client(enforce_csrf_checks=True)  # as a real client is: no CSRF pass
    not_found = browser.get("/metrics", REMOTE_ADDR="203.0.113.9")
    response = getattr(browser, method)("/metrics", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 404
    assert response.content == not_found.content


@pytest.mark.parametrize("method", ["post", "options", "put", "patch", "delete"])
def test_allowed_addresses_are_told_which_methods_the_metrics_answer(method):
    response = getattr(Client(enforce_csrf_checks=True), method)("/metrics")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert b"tracking_carrier" not in response.content
