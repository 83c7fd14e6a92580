"""The site's VAPID key: push services accept our messages only when they are signed with it.

One secret (VAPID_PRIVATE_KEY); the public key browsers need (the `applicationServerKey`) is derived from it.
"""

from __future__ import annotations

import base64
import functools

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from py_vapid import Vapid02


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def new_private_key() -> str:
    """A fresh P-256 private key, base64url of its 32 raw bytes (what VAPID_PRIVATE_KEY holds)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return b64url(key.private_numbers().private_value.to_bytes(32, "big"))


@functools.lru_cache(maxsize=4)
def _signer(private_key: str) -> Vapid02:
    return Vapid02.from_string(private_key)


def vapid_signer() -> Vapid02 | None:
    """The signer of our push messages, or None when the site has no VAPID key (no push offered)."""
    return _signer(settings.VAPID_PRIVATE_KEY) if settings.VAPID_PRIVATE_KEY else None


def application_server_key() -> str:
    """The public key browsers subscribe with (base64url, uncompressed point); "" without a VAPID key."""
    signer = vapid_signer()
    if signer is None:
        return ""
    point = signer.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(point)
