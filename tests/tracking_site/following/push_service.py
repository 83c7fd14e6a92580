"""A fake Web Push service on loopback: HTTPS with its own certificate for `push.browser-vendor.net`, as a browser
vendor's is.

It checks what a real push service checks (the VAPID signature and audience, the aes128gcm encoding) and
decrypts each message with the browser keys the test made, so tests see exactly what a browser would show.
Answers are chosen per path: 201 by default, or a status, a redirect, or no answer at all (a hang).
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import http_ece
import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from py_vapid import Vapid02

from tracking_site.following.push import PushSender, PushTarget

PUSH_HOST = "push.browser-vendor.net"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_claims(authorization: str) -> dict[str, Any]:
    token = authorization.split("t=", 1)[1].split(",", 1)[0]
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@dataclass
class BrowserKeys:
    """What a browser makes when it subscribes: a P-256 key pair and an auth secret."""

    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    def subscription(self, endpoint: str) -> dict[str, Any]:
        """The JSON of `PushSubscription.toJSON()`."""
        return {
            "endpoint": endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)},
        }

    def target(self, endpoint: str) -> PushTarget:
        return PushTarget(endpoint, self.p256dh, b64url(self.auth))


@dataclass(frozen=True)
class ReceivedPush:
    path: str
    headers: dict[str, str]
    message: dict[str, Any]  # decrypted
    vapid_valid: bool
    audience: str


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, PUSH_HOST)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(PUSH_HOST)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "push.pem", folder / "push.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class FakePushService:
    """Start with `with FakePushService() as service:`; `service.received` holds decrypted messages."""

    def __init__(self) -> None:
        self.browsers: dict[str, BrowserKeys] = {}  # path -> the browser subscribed there
        self.answers: dict[str, Any] = {}  # path -> status code, ("redirect", location) or "hang"
        self.received: list[ReceivedPush] = []
        self.requests: list[str] = []  # every path asked, answered or not
        self._release = threading.Event()
        self._folder = tempfile.TemporaryDirectory()
        self.cert_path, key_path = self_signed_certificate(Path(self._folder.name))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_path, key_path)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> FakePushService:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()
        self._folder.cleanup()

    def subscribe(self, path: str) -> BrowserKeys:
        """A browser subscribing at https://PUSH_HOST/<path>."""
        keys = BrowserKeys()
        self.browsers[path] = keys
        return keys

    def endpoint(self, path: str) -> str:
        return f"https://{PUSH_HOST}/{path}"

    def client(self, timeout: float = 2.0) -> httpx.Client:
        """The sender's client, trusting this service's certificate (and only it)."""
        context = ssl.create_default_context(cafile=str(self.cert_path))
        return httpx.Client(verify=context, timeout=timeout, follow_redirects=False, trust_env=False)

    def sender(self, signer: Vapid02, timeout: float = 2.0) -> PushSender:
        """Our PushSender, PUSH_HOST resolving to this service; no other name resolves, no other address passes."""

        def resolve(host: str, port: int) -> list[tuple[str, int]]:
            if host != PUSH_HOST:
                raise OSError("unknown host")
            return [("127.0.0.1", self.port)]

        return PushSender(
            self.client(timeout),
            signer,
            subject="mailto:push-test@example.com",
            resolve=resolve,
            allow_address=lambda address: address == "127.0.0.1",
        )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_POST(self) -> None:
                path = self.path.lstrip("/")
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                service.requests.append(path)
                answer = service.answers.get(path, 201)
                if answer == "hang":
                    service._release.wait(timeout=10)
                    return
                if isinstance(answer, tuple):
                    self._answer(301 if answer[0] == "redirect" else 500, {"Location": answer[1]})
                    return
                if answer in (200, 201, 202) and path in service.browsers:
                    keys = service.browsers[path]
                    plain = http_ece.decrypt(
                        body, private_key=keys.private_key, auth_secret=keys.auth, version="aes128gcm"
                    )
                    authorization = self.headers.get("Authorization", "")
                    service.received.append(
                        ReceivedPush(
                            path=path,
                            headers=dict(self.headers.items()),
                            message=json.loads(plain),
                            vapid_valid=Vapid02.verify(authorization),
                            audience=jwt_claims(authorization).get("aud", ""),
                        )
                    )
                self._answer(int(answer))

            def _answer(self, status: int, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler
