"""OAuth2 client credentials as an `httpx.Auth`, shared by the DHL eCommerce and NZ Post clients.

The auth flow puts a bearer token on each request: the one in the store while it is fresh, else a new one.
A 401 from the API invalidates the token; the request is retried once with a fresh one. The store is
injectable so that several worker processes share one token through the shared cache (see
tracking_site/shared_state/token_store.py).

Within a process one token fetch is in flight per client at a time: everyone else who needs a token waits
for that fetch's outcome, never past its deadline, and shares it, token or failure. A hanging token
endpoint therefore costs each waiting visitor one short deadline, not a turn in a queue of full timeouts.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from .base import CarrierUnavailable, Clock, check_status, decode_json, send
from .model import FailureReason

logger = logging.getLogger("carriers")

# Refresh this long before the carrier says the token expires, so no request goes out with a dying token.
REFRESH_MARGIN_SECONDS = 60.0

# A token answer is a few bytes: a token endpoint slower than this is failing, and everyone waits on it.
TOKEN_TIMEOUT = httpx.Timeout(connect=2.0, read=3.0, write=2.0, pool=2.0)
# How long those waiting for another thread's token fetch wait for its outcome: its connect and read time.
TOKEN_DEADLINE_SECONDS = 5.0

# How a waiter waits for a fetch to finish: `threading.Event.wait`, or an observing stand-in in tests.
Wait = Callable[[threading.Event, float], bool]


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


class TokenFetch:
    """One token fetch in flight: its outcome once known, and the deadline of those waiting for it."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.done = threading.Event()
        self.token: AccessToken | None = None
        self.failure: CarrierUnavailable | None = None

    def succeed(self, token: AccessToken) -> None:
        self.token = token
        self.done.set()

    def fail(self, failure: CarrierUnavailable) -> None:
        self.failure = failure
        self.done.set()

    def outcome(self, *, now: float, wait: Wait) -> AccessToken:
        """The fetch's token, or its failure raised again; a timeout once its deadline has passed."""
        if not wait(self.done, max(self.deadline - now, 0.0)):
            raise CarrierUnavailable(FailureReason.TIMEOUT, "the token endpoint did not answer in time")
        if self.token is None:
            failure = self.failure or CarrierUnavailable(FailureReason.AUTH, "no token")
            raise CarrierUnavailable(failure.reason, failure.detail)
        return self.token


class ClientCredentials(httpx.Auth):
    """The bearer token of one OAuth client: fetched, shared, refreshed, and put on each request."""

    def __init__(
        self,
        http: httpx.Client,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        carrier: str,
        clock: Clock = time.time,
        store: TokenStore | None = None,
        monotonic: Clock = time.monotonic,
        wait: Wait = threading.Event.wait,
    ) -> None:
        self._http = http
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._carrier = carrier
        self._clock = clock
        self._store: TokenStore = store or MemoryTokenStore()
        self._monotonic = monotonic
        self._wait = wait
        self._lock = threading.Lock()
        self._in_flight: TokenFetch | None = None
        # The key names the client id, never the secret.
        self._key = f"oauth:{carrier}:{client_id}"

    def __repr__(self) -> str:
        return f"ClientCredentials(carrier={self._carrier!r}, token_url={self._token_url!r})"

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Send `request` with the token; on a 401, refresh the token once and retry once."""
        token = self.token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        logger.info("carrier=%s outcome=token_rejected action=refresh", self._carrier)
        self.invalidate(token)
        request.headers["Authorization"] = f"Bearer {self.token()}"
        response = yield request
        if response.status_code == 401:
            logger.error("carrier=%s outcome=unauthorized_after_refresh", self._carrier)
            raise CarrierUnavailable(FailureReason.AUTH, "the carrier rejected a fresh token")

    def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        raise NotImplementedError("ClientCredentials blocks on a shared token fetch: use it with httpx.Client")

    def token(self) -> str:
        """A token that will not expire before the next request reaches the carrier."""
        cached = self._store.get(self._key)
        if cached and self._usable(cached):
            return cached.value
        with self._lock:
            fetch = self._in_flight
            if fetch is None:
                cached = self._store.get(self._key)
                if cached and self._usable(cached):
                    return cached.value
                fetch = self._in_flight = TokenFetch(self._monotonic() + TOKEN_DEADLINE_SECONDS)
                leads = True
            else:
                leads = False
        if not leads:
            return fetch.outcome(now=self._monotonic(), wait=self._wait).value
        return self._lead(fetch).value

    def _lead(self, fetch: TokenFetch) -> AccessToken:
        """Fetch the token for everyone waiting on `fetch`, and hand them its outcome."""
        try:
            token = self._fetch()
        except CarrierUnavailable as exc:
            fetch.fail(exc)
            raise
        except BaseException:
            fetch.fail(CarrierUnavailable(FailureReason.UNAVAILABLE, "the token fetch failed"))
            raise
        else:
            fetch.succeed(token)
            return token
        finally:
            with self._lock:
                self._in_flight = None

    def fetch_new(self) -> float:
        """Fetch a new token now, whatever the store holds, and store it; the seconds it lives.

        The go-live check (tracking_site/lookup/carrier_check.py) proves the credentials this way: a token
        the store already held would prove only that someone once had them.
        """
        token = self._fetch()
        return token.expires_at - self._clock()

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
            timeout=TOKEN_TIMEOUT,
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
