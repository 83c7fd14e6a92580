"""Which carriers are on, and how each one's client is built from a CarrierConfig.

Pure Python: the Django side passes a CarrierConfig read from settings. Demo mode builds the same clients
over the built-in fakes: that wiring lives in carriers/demo.py, which only demo mode imports.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx

from .base import DEFAULT_TIMEOUT, CarrierClient
from .detect import DHL_ECOMMERCE, NZPOST, POSTPLUS
from .dhl_ecommerce import DhlEcommerceClient, build_dhl_ecommerce_client
from .model import Status
from .nzpost import NzPostClient, build_nzpost_client
from .oauth import TokenStore
from .postplus import PostPlusClient, build_postplus_client
from .throttle import Reserve, ThrottledTransport

# Keep-alive connections per carrier per process; enough for a 25-number fan-out plus concurrent visitors.
POOL_LIMITS = httpx.Limits(max_connections=50, max_keepalive_connections=20, keepalive_expiry=30.0)

CARRIER_CLASSES: tuple[type[CarrierClient], ...] = (PostPlusClient, DhlEcommerceClient, NzPostClient)
CARRIER_NAMES = {client.slug: client.name for client in CARRIER_CLASSES}

# What turns PostPlus's event-code list into statuses, given a client to fetch the list with.
CodeStatuses = Callable[[PostPlusClient], Mapping[str, Status]]


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


def pooled_client(
    transport: httpx.BaseTransport | None = None, *, carrier: str = "", reserve: Reserve | None = None
) -> httpx.Client:
    """One keep-alive client per carrier per process, with connect and read timeouts, rate-limited if asked."""
    if reserve is not None:
        inner = transport or httpx.HTTPTransport(limits=POOL_LIMITS)
        transport = ThrottledTransport(inner, carrier=carrier, reserve=reserve)
    return httpx.Client(timeout=DEFAULT_TIMEOUT, limits=POOL_LIMITS, transport=transport)


def build_carriers(
    config: CarrierConfig,
    *,
    transports: Mapping[str, httpx.BaseTransport] | None = None,
    token_store: TokenStore | None = None,
    clock: Callable[[], float] = time.time,
    reserve: Reserve | None = None,
    postplus_code_statuses: CodeStatuses | None = None,
) -> dict[str, CarrierClient]:
    """The enabled carriers' clients, keyed by slug. A carrier is enabled when its credentials are set.

    `reserve`, when given, gates every upstream call of every carrier (see carriers/throttle.py);
    `clock` dates OAuth tokens; `postplus_code_statuses` lets PostPlus's own event-code list map statuses.
    """
    transports = transports or {}
    dhl: dict[str, Any] = {"client_id": config.dhl_client_id, "client_secret": config.dhl_client_secret}
    nz: dict[str, Any] = {"client_id": config.nzpost_client_id, "client_secret": config.nzpost_client_secret}
    enabled = {POSTPLUS: bool(config.postplus_api_key), DHL_ECOMMERCE: all(dhl.values()), NZPOST: all(nz.values())}
    oauth: dict[str, Any] = {"clock": clock, "token_store": token_store}
    factories: dict[str, Callable[[httpx.Client], CarrierClient]] = {
        POSTPLUS: partial(_postplus, config=config, code_statuses=postplus_code_statuses),
        DHL_ECOMMERCE: partial(
            build_dhl_ecommerce_client, base_url=config.dhl_base_url, pickup=config.dhl_pickup, **dhl, **oauth
        ),
        NZPOST: partial(
            build_nzpost_client, base_url=config.nzpost_base_url, token_url=config.nzpost_token_url, **nz, **oauth
        ),
    }
    return {
        slug: build(pooled_client(transports.get(slug), carrier=slug, reserve=reserve))
        for slug, build in factories.items()
        if enabled[slug]
    }


def _postplus(http: httpx.Client, *, config: CarrierConfig, code_statuses: CodeStatuses | None) -> PostPlusClient:
    """The PostPlus client; its event-code list is fetched by a plain client, so fetching it cannot loop."""

    def build(statuses: Callable[[], Mapping[str, Status]] | None = None) -> PostPlusClient:
        return build_postplus_client(
            http, base_url=config.postplus_base_url, api_key=config.postplus_api_key, code_statuses=statuses
        )

    return build(partial(code_statuses, build()) if code_statuses else None)
