"""Which carriers are on, and how each one's client is built: real APIs or the built-in demo fakes.

Pure Python: the Django side passes a CarrierConfig read from settings. In demo mode the real client
code runs unchanged; only the httpx transport differs (a WSGI fake instead of the network).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from .base import DEFAULT_TIMEOUT, CarrierClient
from .detect import DHL_ECOMMERCE, NZPOST, POSTPLUS
from .dhl_ecommerce import build_dhl_ecommerce_client
from .fakes import dhl_ecommerce as fake_dhl
from .fakes import nzpost as fake_nzpost
from .fakes import postplus as fake_postplus
from .nzpost import build_nzpost_client
from .oauth import TokenStore
from .postplus import build_postplus_client
from .throttle import Reserve, ThrottledTransport

# Keep-alive connections per carrier per process; enough for a 25-number fan-out plus concurrent visitors.
POOL_LIMITS = httpx.Limits(max_connections=50, max_keepalive_connections=20, keepalive_expiry=30.0)

DEMO_BASE_URLS = {
    POSTPLUS: "http://postplus.demo",
    DHL_ECOMMERCE: "http://dhl-ecommerce.demo",
    NZPOST: "http://nzpost.demo",
}
CARRIER_NAMES = {POSTPLUS: "PostPlus", DHL_ECOMMERCE: "DHL eCommerce", NZPOST: "NZ Post"}


@dataclass(frozen=True)
class CarrierConfig:
    """Credentials and addresses of the three carriers. Secrets stay out of repr()."""

    postplus_api_key: str = field(default="", repr=False)
    postplus_base_url: str = "https://api.post-plus.io"
    dhl_client_id: str = ""
    dhl_client_secret: str = field(default="", repr=False)
    dhl_base_url: str = "https://api.dhlecs.com"
    dhl_pickup: str = ""
    nzpost_client_id: str = ""
    nzpost_client_secret: str = field(default="", repr=False)
    nzpost_base_url: str = "https://api.nzpost.co.nz"
    nzpost_token_url: str = "https://oauth.nzpost.co.nz/as/token.oauth2"  # noqa: S105 - a URL, not a secret
    demo: bool = False
    # Demo fakes only: an injected latency, so benchmarks can measure the site against a realistic carrier.
    demo_latency_seconds: float = 0.0


def demo_config(latency_seconds: float = 0.0) -> CarrierConfig:
    """A configuration whose credentials are the demo fakes' own."""
    return CarrierConfig(
        postplus_api_key=fake_postplus.DEMO_API_KEY,
        postplus_base_url=DEMO_BASE_URLS[POSTPLUS],
        dhl_client_id=fake_dhl.DEMO_CLIENT_ID,
        dhl_client_secret=fake_dhl.DEMO_CLIENT_SECRET,
        dhl_base_url=DEMO_BASE_URLS[DHL_ECOMMERCE],
        nzpost_client_id=fake_nzpost.DEMO_CLIENT_ID,
        nzpost_client_secret=fake_nzpost.DEMO_CLIENT_SECRET,
        nzpost_base_url=DEMO_BASE_URLS[NZPOST],
        nzpost_token_url=f"{DEMO_BASE_URLS[NZPOST]}/as/token.oauth2",
        demo=True,
        demo_latency_seconds=latency_seconds,
    )


def pooled_client(
    transport: httpx.BaseTransport | None = None, *, carrier: str = "", reserve: Reserve | None = None
) -> httpx.Client:
    """One keep-alive client per carrier per process, with connect and read timeouts, rate-limited if asked."""
    if reserve is not None:
        inner = transport or httpx.HTTPTransport(limits=POOL_LIMITS)
        transport = ThrottledTransport(inner, carrier=carrier, reserve=reserve)
    return httpx.Client(timeout=DEFAULT_TIMEOUT, limits=POOL_LIMITS, transport=transport)


def demo_transports(latency_seconds: float = 0.0) -> dict[str, httpx.BaseTransport]:
    """WSGI transports serving the fake carrier APIs in-process."""
    return {
        POSTPLUS: httpx.WSGITransport(app=fake_postplus.FakePostPlus(latency_seconds=latency_seconds)),
        DHL_ECOMMERCE: httpx.WSGITransport(app=fake_dhl.FakeDhlEcommerce(latency_seconds=latency_seconds)),
        NZPOST: httpx.WSGITransport(app=fake_nzpost.FakeNzPost(latency_seconds=latency_seconds)),
    }


def build_carriers(
    config: CarrierConfig,
    *,
    transports: dict[str, httpx.BaseTransport] | None = None,
    token_store: TokenStore | None = None,
    clock: Callable[[], float] = time.time,
    reserve: Reserve | None = None,
) -> dict[str, CarrierClient]:
    """The enabled carriers' clients, keyed by slug. A carrier is enabled when its credentials are set.

    `reserve`, when given, gates every upstream call of every carrier (see carriers/throttle.py).
    """
    if config.demo and transports is None:
        transports = demo_transports(config.demo_latency_seconds)
    transports = transports or {}
    carriers: dict[str, CarrierClient] = {}
    if config.postplus_api_key:
        carriers[POSTPLUS] = build_postplus_client(
            pooled_client(transports.get(POSTPLUS), carrier=POSTPLUS, reserve=reserve),
            base_url=config.postplus_base_url,
            api_key=config.postplus_api_key,
        )
    if config.dhl_client_id and config.dhl_client_secret:
        carriers[DHL_ECOMMERCE] = build_dhl_ecommerce_client(
            pooled_client(transports.get(DHL_ECOMMERCE), carrier=DHL_ECOMMERCE, reserve=reserve),
            base_url=config.dhl_base_url,
            client_id=config.dhl_client_id,
            client_secret=config.dhl_client_secret,
            pickup=config.dhl_pickup,
            clock=clock,
            token_store=token_store,
        )
    if config.nzpost_client_id and config.nzpost_client_secret:
        carriers[NZPOST] = build_nzpost_client(
            pooled_client(transports.get(NZPOST), carrier=NZPOST, reserve=reserve),
            base_url=config.nzpost_base_url,
            token_url=config.nzpost_token_url,
            client_id=config.nzpost_client_id,
            client_secret=config.nzpost_client_secret,
            clock=clock,
            token_store=token_store,
        )
    return carriers


def demo_numbers() -> dict[str, list[tuple[str, str]]]:
    """The demo parcels per carrier, for the home page."""
    return {
        POSTPLUS: list(fake_postplus.DEMO_NUMBERS),
        DHL_ECOMMERCE: list(fake_dhl.DEMO_NUMBERS),
        NZPOST: list(fake_nzpost.DEMO_NUMBERS),
    }
