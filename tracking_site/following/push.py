"""Sending one Web Push message: encrypted for the browser (pywebpush), signed with our VAPID key, POSTed by httpx.

The POST goes only to an address we checked: the endpoint's name is resolved once, every address it gives must
be public, and the connection is made to that checked address (TLS still verifies the certificate for the
name). No redirect is followed and every step has a short timeout, so a browser-supplied URL can neither reach
inside our network nor hold a worker.
"""

from __future__ import annotations

import enum
import json
import logging
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from py_vapid import Vapid02
from pywebpush import WebPusher, WebPushException

from tracking_site.following.policy import FOLLOWING
from tracking_site.following.push_urls import endpoint_refusal, is_public_address
from tracking_site.following.vapid import vapid_signer

logger = logging.getLogger("tracking_site.following.push")

Resolver = Callable[[str, int], list[tuple[str, int]]]
# A message waits this long at the push service for a browser that is offline, then is dropped: news older
# than a day is on the parcel page anyway.
TIME_TO_LIVE_SECONDS = 24 * 3600
VAPID_TOKEN_SECONDS = 12 * 3600


class PushResult(enum.StrEnum):
    SENT = "sent"
    GONE = "gone"  # the push service forgot the subscription (404/410): delete it
    REFUSED = "refused"  # we will not send there (not public, redirects, rejects us): delete it
    RETRY = "retry"  # the push service or the network failed for now


@dataclass(frozen=True)
class PushTarget:
    """A subscription as the sender needs it: endpoint and the browser's keys (base64url)."""

    endpoint: str
    p256dh: str
    auth: str


def system_resolver(host: str, port: int) -> list[tuple[str, int]]:
    """Every (address, port) the name resolves to."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [(str(info[4][0]), int(info[4][1])) for info in infos]


def push_http_client(timeout_seconds: float | None = None) -> httpx.Client:
    """The client push messages go out on: short timeouts, no redirects, no proxies from the environment."""
    seconds = timeout_seconds if timeout_seconds is not None else FOLLOWING.current().push_timeout_seconds
    return httpx.Client(
        timeout=httpx.Timeout(seconds, connect=min(seconds, 3.0)), follow_redirects=False, trust_env=False
    )


class PushSender:
    """Sends messages to push endpoints; `http`, `resolve`, `allow_address` and `clock` are injected for tests."""

    def __init__(
        self,
        http: httpx.Client,
        signer: Vapid02,
        *,
        subject: str,
        resolve: Resolver = system_resolver,
        allow_address: Callable[[str], bool] = is_public_address,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.http = http
        self.signer = signer
        self.subject = subject
        self.resolve = resolve
        self.allow_address = allow_address
        self.clock = clock

    @classmethod
    def from_settings(cls) -> PushSender | None:
        """The site's sender, or None when no VAPID key is configured."""
        signer = vapid_signer()
        if signer is None:
            return None
        return cls(push_http_client(), signer, subject=settings.VAPID_SUBJECT)

    def send(self, target: PushTarget, message: Mapping[str, object]) -> PushResult:
        """Encrypt `message` (JSON) for the browser and hand it to its push service once."""
        if endpoint_refusal(target.endpoint):
            return PushResult.REFUSED
        parts = urlsplit(target.endpoint)
        host, port = parts.hostname or "", parts.port or 443
        try:
            addresses = self.resolve(host, port)
        except OSError:
            logger.warning("push outcome=unresolvable")
            return PushResult.RETRY
        if not addresses or not all(self.allow_address(address) for address, _ in addresses):
            logger.warning("push outcome=refused reason=address_not_public")
            return PushResult.REFUSED
        try:
            body = WebPusher(
                {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}}
            ).encode(json.dumps(message, ensure_ascii=False).encode(), "aes128gcm")["body"]
        except (WebPushException, ValueError, TypeError):
            logger.warning("push outcome=refused reason=bad_keys")
            return PushResult.REFUSED
        address, connect_port = addresses[0]
        return self._post(target.endpoint, host, address, connect_port, body)

    def _post(self, endpoint: str, host: str, address: str, port: int, body: bytes) -> PushResult:
        parts = urlsplit(endpoint)
        claims = {"sub": self.subject, "aud": f"https://{parts.netloc}", "exp": int(self.clock()) + VAPID_TOKEN_SECONDS}
        headers = {
            **self.signer.sign(claims),
            "Host": parts.netloc,
            "TTL": str(TIME_TO_LIVE_SECONDS),
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "Urgency": "normal",
        }
        # Connect to the address we checked, not to whatever the name resolves to a moment later.
        url = httpx.URL(endpoint).copy_with(host=address, port=port)
        try:
            response = self.http.post(url, content=body, headers=headers, extensions={"sni_hostname": host})
        except httpx.TimeoutException:
            logger.warning("push outcome=timeout")
            return PushResult.RETRY
        except httpx.HTTPError as exc:
            logger.warning("push outcome=unreachable error=%s", type(exc).__name__)
            return PushResult.RETRY
        return result_for_status(response.status_code)


def result_for_status(status: int) -> PushResult:
    """What a push service's answer means for the message and the subscription."""
    if status in (200, 201, 202):
        return PushResult.SENT
    if status in (404, 410):
        logger.info("push outcome=gone status=%d", status)
        return PushResult.GONE
    if status == 429 or status >= 500:
        logger.warning("push outcome=push_service_failed status=%d", status)
        return PushResult.RETRY
    logger.warning("push outcome=refused status=%d", status)  # redirects (not followed), 400, 401, 403, 413
    return PushResult.REFUSED
