"""OAuth2 client-credentials tokens, shared by the DHL eCommerce and NZ Post clients.

A token is cached until shortly before it expires; a 401 from the API invalidates it and the call
is retried once with a fresh one. The store is injectable so that several worker processes can share
one token through the shared cache (see tracking_site/shared_state/token_store.py).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from .base import CarrierUnavailable, Clock, check_status, decode_json, send
from .model import FailureReason

logger = logging.getLogger("carriers")

# Refresh this long before the carrier says the token expires, so no request goes out with a dying token.
REFRESH_MARGIN_SECONDS = 60.0


@dataclass(frozen=True)
class AccessToken:
    value: str = field(repr=False)
    expires_at: float  # on the client's clock (wall-clock seconds when shared between processes)
    refresh_at: float  # when to fetch the next one, a margin before expiry


def token_lifetime(expires_in: object) -> float:
    """The carrier's `expires_in`, clamped to 1 s .. 1 day; a missing or absurd value reads as DHL's 3599 s."""
    try:
        lifetime = float(expires_in)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 3599.0
    return min(max(lifetime, 1.0), 86_400.0) if math.isfinite(lifetime) else 3599.0


class TokenStore(Protocol):
    def get(self, key: str) -> AccessToken | None: ...

    def set(self, key: str, token: AccessToken, ttl_seconds: float) -> None: ...

    def delete(self, key: str) -> None: ...


class MemoryTokenStore:
    """A per-process token store: the default when nothing shared is configured."""

    def __init__(self) -> None:
        self._tokens: dict[str, AccessToken] = {}

    def get(self, key: str) -> AccessToken | None:
        return self._tokens.get(key)

    def set(self, key: str, token: AccessToken, ttl_seconds: float) -> None:
        self._tokens[key] = token

    def delete(self, key: str) -> None:
        self._tokens.pop(key, None)


class ClientCredentials:
    """Fetches, caches and refreshes one client's bearer token."""

    def __init__(
        self,
        *,
        http: httpx.Client,
        token_url: str,
        client_id: str,
        client_secret: str,
        carrier: str,
        clock: Clock = time.time,
        store: TokenStore | None = None,
    ) -> None:
        self._http = http
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._carrier = carrier
        self._clock = clock
        self._store: TokenStore = store or MemoryTokenStore()
        self._lock = threading.Lock()
        # The key names the client id, never the secret.
        self._key = f"oauth:{carrier}:{client_id}"

    def __repr__(self) -> str:
        return f"ClientCredentials(carrier={self._carrier!r}, token_url={self._token_url!r})"

    def token(self) -> str:
        """A token that will not expire before the next request reaches the carrier."""
        cached = self._store.get(self._key)
        if cached and self._usable(cached):
            return cached.value
        with self._lock:
            cached = self._store.get(self._key)
            if cached and self._usable(cached):
                return cached.value
            return self._fetch().value

    def _usable(self, token: AccessToken) -> bool:
        return self._clock() < token.refresh_at

    def invalidate(self, rejected: str) -> None:
        """Forget a token the API rejected (unless another thread already replaced it)."""
        cached = self._store.get(self._key)
        if cached and cached.value == rejected:
            self._store.delete(self._key)

    def _fetch(self) -> AccessToken:
        request = self._http.build_request(
            "POST",
            self._token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": self._client_id,
                "client_secret": self._client_secret,
            },
            headers={"Accept": "application/json"},
        )
        response = send(self._http, request, carrier=self._carrier)
        if response.status_code in (400, 401, 403):
            logger.error("carrier=%s outcome=token_refused status=%d", self._carrier, response.status_code)
            raise CarrierUnavailable(FailureReason.AUTH, "the carrier refused our credentials")
        check_status(response, carrier=self._carrier)
        body = decode_json(response, carrier=self._carrier)
        value = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(value, str) or not value:
            raise CarrierUnavailable(FailureReason.AUTH, "the token answer had no access_token")
        lifetime = token_lifetime(body.get("expires_in"))
        now = self._clock()
        # Refresh a minute before expiry; a token that lives under two minutes, halfway through its life.
        margin = min(REFRESH_MARGIN_SECONDS, lifetime / 2)
        token = AccessToken(value=value, expires_at=now + lifetime, refresh_at=now + lifetime - margin)
        self._store.set(self._key, token, max(lifetime - margin, 1.0))
        return token

    def send_authorized(self, build: Callable[[str], httpx.Request]) -> httpx.Response:
        """Send `build(token)`; on a 401, refresh the token once and retry once."""
        token = self.token()
        response = send(self._http, build(token), carrier=self._carrier)
        if response.status_code != 401:
            return response
        logger.info("carrier=%s outcome=token_rejected action=refresh", self._carrier)
        self.invalidate(token)
        response = send(self._http, build(self.token()), carrier=self._carrier)
        if response.status_code == 401:
            logger.error("carrier=%s outcome=unauthorized_after_refresh", self._carrier)
            raise CarrierUnavailable(FailureReason.AUTH, "the carrier rejected a fresh token")
        return response
