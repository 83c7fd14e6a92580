"""The OpenAPI document against the live site: schemathesis sends what the document allows (and what it does
not), and every answer, errors included, must be what the document says; never a 5xx."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
import schemathesis
from django.db import OperationalError
from hypothesis import HealthCheck, settings
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from carriers.model import FailureReason, Found
from tests.conftest import tune
from tests.tracking_site.conftest import make_parcel
from tracking_site.lookup import parcel_cache, permalink
from tracking_site.web.openapi import build_document

pytestmark = pytest.mark.django_db(transaction=True)  # the live server's thread reads the database too

# The document as the site builds it with the demo carriers (the suite's default); the first test proves the
# live site serves exactly this one.
schema = schemathesis.openapi.from_dict(build_document())


def test_the_live_site_serves_the_document(live_server):
    response = httpx.get(f"{live_server.url}/api/v1/openapi.json")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    assert response.json() == build_document()
    assert response.json()["openapi"] == "3.1.0"


@schema.parametrize()
# Two fifths of the profile's count (60 of `make test`'s 150, 6 under HYPOTHESIS_PROFILE=quick): each case is a
# live-server round trip.
@settings(
    max_examples=max(settings.default.max_examples * 2 // 5, 1), deadline=None, suppress_health_check=list(HealthCheck)
)
def test_the_live_api_answers_as_its_document_says(case, live_server):
    case.call_and_validate(base_url=live_server.url)


# The answers the demo carriers never give: carrier failures, the rate limit, faults of ours, stale answers.
CONFORMANCE = [status_code_conformance, content_type_conformance, response_headers_conformance]
CONFORMANCE.append(response_schema_conformance)
PARCEL = schema["/api/v1/parcels/{carrier}/{number}"]["GET"]
NUMBER = "CL092594238NZ"
LONG_AGO = datetime(2024, 1, 1, tzinfo=UTC)


def assert_documented(live_server, response: httpx.Response, carrier: str = "nzpost", number: str = NUMBER) -> None:
    case = PARCEL.Case(path_parameters={"carrier": carrier, "number": number})
    case.validate_response(response, checks=CONFORMANCE)


def ask(live_server, carrier: str = "nzpost", number: str = NUMBER, **headers: str) -> httpx.Response:
    return httpx.get(f"{live_server.url}/api/v1/parcels/{carrier}/{number}", headers=headers)


@pytest.mark.parametrize("reason", list(FailureReason))
def test_every_carrier_failure_is_documented(live_server, carriers, reason):
    carriers["nzpost"].failure = reason
    response = ask(live_server)
    assert response.status_code >= 502 and response.json()["error"]["code"] == reason.value
    assert_documented(live_server, response)


def test_a_stale_incomplete_answer_and_its_304_are_documented(live_server, carriers):
    parcel_cache.put("nzpost", Found(make_parcel("nzpost", NUMBER), incomplete=True), now=lambda: LONG_AGO)
    carriers["nzpost"].failure = FailureReason.UNAVAILABLE
    stale = ask(live_server)
    assert stale.status_code == 200 and stale.json()["stale"] is True and stale.json()["parcel"]
    assert_documented(live_server, stale)
    revalidated = ask(live_server, **{"If-None-Match": stale.headers["ETag"]})
    assert revalidated.status_code == 304
    assert_documented(live_server, revalidated)


def test_the_rate_limit_is_documented(live_server, carriers, settings):
    tune(settings, rate_limits={"enabled": True})
    tune(settings, rate_limits={"api": "1/m"})
    ask(live_server)
    response = ask(live_server)
    assert response.status_code == 429
    assert_documented(live_server, response)


def test_a_fault_of_ours_and_a_failing_database_are_documented(live_server, carriers, monkeypatch):
    def fault(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(permalink, "lookup_parcels", fault)
    fault_response = ask(live_server)
    assert fault_response.status_code == 500
    assert_documented(live_server, fault_response)

    def database_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(permalink, "lookup_parcels", database_down)
    down = ask(live_server)
    assert down.status_code == 503 and down.json()["error"]["code"] == "database_unavailable"
    assert_documented(live_server, down)


def test_the_document_catches_an_answer_it_does_not_describe(live_server, carriers):
    """The checks above can fail: a field the document does not list is caught."""
    carriers["nzpost"].parcels[NUMBER] = make_parcel("nzpost", NUMBER)
    response = ask(live_server)
    tampered = httpx.Response(
        200, headers=response.headers, json={**response.json(), "recipient": "Mari"}, request=response.request
    )
    tampered.elapsed = response.elapsed
    with pytest.raises(FailureGroup, match="recipient"):
        assert_documented(live_server, tampered)
