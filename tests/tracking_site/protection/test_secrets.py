"""Carrier credentials never appear in Django's debug page, in reprs or in error messages."""

import sys

import httpx
import pytest
from django.views.debug import technical_500_response

from carriers.model import CarrierFailure
from carriers.registry import CarrierConfig, build_carriers

SECRETS = ["sekrit-postplus-key", "sekrit-dhl-secret", "sekrit-nzpost-secret", "sekrit-token"]


def config() -> CarrierConfig:
    return CarrierConfig(
        postplus_api_key=SECRETS[0],
        dhl_client_id="dhl-id",
        dhl_client_secret=SECRETS[1],
        nzpost_client_id="nz-id",
        nzpost_client_secret=SECRETS[2],
    )


def transports(handler) -> dict[str, httpx.BaseTransport]:
    return {slug: httpx.MockTransport(handler) for slug in ("postplus", "dhl-ecommerce", "nzpost")}


def token_then_503(request: httpx.Request) -> httpx.Response:
    if request.method == "POST":
        return httpx.Response(200, json={"access_token": SECRETS[3], "expires_in": 3599})
    return httpx.Response(503, text=f"upstream echoed {request.headers.get('Authorization')}")


def test_debug_page_shows_no_carrier_secret(rf, settings):
    settings.DEBUG = True
    # Set without a local variable holding a secret: the debug page shows this frame's locals.
    settings.POSTPLUS_API_KEY, settings.DHL_ECOMMERCE_CLIENT_SECRET, settings.NZPOST_CLIENT_SECRET = SECRETS[:3]
    carrier_config = config()
    carriers = build_carriers(carrier_config, transports=transports(token_then_503))
    results = [client.track("GM2951173225174494") for client in carriers.values()]
    try:
        raise RuntimeError("a bug somewhere in a view")
    except RuntimeError:
        html = technical_500_response(rf.get("/"), *sys.exc_info()).content.decode()
    assert "carrier_config" in html and "carriers" in html  # the frame's locals are on the page...
    assert all(isinstance(result, CarrierFailure) for result in results)
    for secret in SECRETS:
        assert secret not in html  # ...but not the credentials inside them


@pytest.mark.parametrize("slug", ["postplus", "dhl-ecommerce", "nzpost"])
def test_reprs_and_failures_carry_no_secret(slug):
    client = build_carriers(config(), transports=transports(token_then_503))[slug]
    result = client.track("GM2951173225174494")
    assert isinstance(result, CarrierFailure)
    for text in (repr(client), repr(config()), repr(result), str(result)):
        assert not any(secret in text for secret in SECRETS)
