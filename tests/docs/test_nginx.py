"""docs/nginx/tracking-site.conf: `nginx -t` accepts it, and run in front of a recording upstream it holds
slow clients, refuses large bodies and unknown hosts, and tells the site the client's address and scheme the
way TRUSTED_PROXY_COUNT=1 reads them. (`make test` installs nginx with apt-get when it is missing.)"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.test import RequestFactory

from bench.gunicorn_server import free_port
from tracking_site.protection.rate_limits import client_ip

SHIPPED = Path(settings.BASE_DIR) / "docs" / "nginx" / "tracking-site.conf"
HOST = "track.example.com"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_available() -> None:
    assert Path(NGINX).exists(), "nginx is not installed: `make test` installs it (apt-get install nginx)"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    openssl = shutil.which("openssl") or "/usr/bin/openssl"
    subject = ["-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}"]
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            *subject,
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def site_config(certificate: tuple[Path, Path], **replacements: str) -> str:
    """The shipped file with this machine's certificate (and, for a live run, its ports) put in."""
    text = SHIPPED.read_text()
    cert, key = certificate
    text = text.replace(f"/etc/letsencrypt/live/{HOST}/fullchain.pem", str(cert))
    text = text.replace(f"/etc/letsencrypt/live/{HOST}/privkey.pem", str(key))
    for old, new in replacements.items():
        assert old in text, f"{old!r} is not in the shipped configuration any more"
        text = text.replace(old, new)
    return text


def write_main_config(folder: Path, site: str) -> Path:
    """nginx.conf around the site file, with every path nginx writes inside `folder`."""
    (folder / "tracking-site.conf").write_text(site)
    temp_paths = "\n".join(
        f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;" if os.geteuid() == 0 else ""  # workers must reach the temporary folder
    main = folder / "nginx.conf"
    main.write_text(
        f"{user}\nworker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} warn;\n"
        "events { worker_connections 256; }\n"
        f"http {{\n    access_log off;\n{temp_paths}\n    include {folder / 'tracking-site.conf'};\n}}\n"
    )
    return main


def nginx_command(main: Path, *extra: str) -> list[str]:
    return [NGINX, "-p", str(main.parent), "-c", str(main), "-e", str(main.parent / "error.log"), *extra]


def test_nginx_accepts_the_shipped_configuration(tmp_path, certificate):
    nginx_available()
    main = write_main_config(tmp_path, site_config(certificate))
    result = subprocess.run(nginx_command(main, "-t"), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


@pytest.mark.parametrize(
    ("directive", "most"),
    [("client_header_timeout", 10), ("client_body_timeout", 10), ("send_timeout", 10), ("proxy_read_timeout", 60)],
)
def test_the_shipped_timeouts_are_short(directive, most):
    values = re.findall(rf"^\s*{directive} (\d+)s;", SHIPPED.read_text(), flags=re.MULTILINE)
    assert values and all(int(value) <= most for value in values)


class Recorder(http.server.BaseHTTPRequestHandler):
    """The upstream: records what nginx forwards and answers 200."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    seen: list[tuple[str, dict[str, str], bytes]] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._record()

    def do_POST(self) -> None:  # noqa: N802
        self._record()

    def _record(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append((self.path, dict(self.headers.items()), body))
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def nginx_in_front(tmp_path_factory, certificate):
    """nginx with the shipped file on free loopback ports, in front of the Recorder.

    Only the addresses change, and the header timeout: 1 s instead of 10 s so the slow client test is short.
    """
    nginx_available()
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=upstream.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    http_port, https_port = free_port(), free_port()
    site = site_config(
        certificate,
        **{
            "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream.server_address[1]};",
            "client_header_timeout 10s;": "client_header_timeout 1s;",
        },
    )
    site = re.sub(r"^\s*listen \[::\]:.*$", "", site, flags=re.MULTILINE)  # no IPv6 needed on loopback
    site = site.replace("listen 80", f"listen 127.0.0.1:{http_port}").replace(
        "listen 443", f"listen 127.0.0.1:{https_port}"
    )
    main = write_main_config(tmp_path_factory.mktemp("nginx"), site)
    server = subprocess.Popen(nginx_command(main, "-g", "daemon off;"), stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
                time.sleep(0.05)  # waiting for nginx to start, not timing anything
        yield {
            "http": f"http://127.0.0.1:{http_port}",
            "https": f"https://127.0.0.1:{https_port}",
            "port": https_port,
            "certificate": str(certificate[0]),
        }
    finally:
        server.terminate()
        server.wait(10)
        upstream.shutdown()
        upstream.server_close()


def through_tls(front: dict, method: str, path: str, **kwargs) -> httpx.Response:
    """A request to the loopback address naming the site in TLS's SNI, as a browser would, checking its certificate."""
    trusted = ssl.create_default_context(cafile=front["certificate"])
    headers = {"Host": HOST, **kwargs.pop("headers", {})}
    with httpx.Client(verify=trusted) as tls:
        return tls.request(
            method, f"{front['https']}{path}", extensions={"sni_hostname": HOST}, headers=headers, **kwargs
        )


@pytest.fixture
def seen():
    Recorder.seen.clear()
    return Recorder.seen


def test_the_site_learns_the_real_client_and_https_whatever_the_client_claims(nginx_in_front, seen, settings):
    forged = {"Host": HOST, "X-Forwarded-For": "203.0.113.66", "X-Forwarded-Proto": "http", "Forwarded": "for=1.2.3.4"}
    response = through_tls(nginx_in_front, "GET", "/track/", headers=forged)
    assert response.status_code == 200 and response.text == "ok"
    ((path, headers, _),) = seen
    assert path == "/track/" and headers["Host"] == HOST
    assert headers["X-Forwarded-Proto"] == "https"
    assert headers["X-Forwarded-For"] == "203.0.113.66, 127.0.0.1"
    assert "Forwarded" not in headers
    settings.TRUSTED_PROXY_COUNT = 1
    as_the_site_sees_it = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=headers["X-Forwarded-For"]
    )
    assert client_ip(as_the_site_sees_it) == "127.0.0.1"  # the address nginx saw, not the forged one


def test_plain_http_is_only_a_redirect_to_https(nginx_in_front, seen):
    response = httpx.get(f"{nginx_in_front['http']}/track/nzpost/CL092594238NZ/", headers={"Host": HOST})
    assert response.status_code == 301
    assert response.headers["Location"] == f"https://{HOST}/track/nzpost/CL092594238NZ/"
    assert seen == []


def test_another_host_name_never_reaches_the_site(nginx_in_front, seen):
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):  # closed (or reset) without an answer
        httpx.get(f"{nginx_in_front['http']}/", headers={"Host": "evil.example"})
    assert seen == []


def test_a_body_over_the_limit_is_refused_before_the_site(nginx_in_front, seen):
    response = through_tls(nginx_in_front, "POST", "/staff/login/", content=b"x" * 100_000)
    assert response.status_code == 413
    assert seen == []


def test_a_client_that_never_finishes_its_headers_is_dropped_by_nginx_not_the_site(nginx_in_front, seen):
    context = ssl.create_default_context(cafile=nginx_in_front["certificate"])
    with socket.create_connection(("127.0.0.1", nginx_in_front["port"]), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=HOST) as slow:
            slow.sendall(f"GET / HTTP/1.1\r\nHost: {HOST}\r\nX-Slow: 1".encode())  # and then nothing more
            try:
                answer = slow.recv(1024)
            except (ConnectionResetError, ssl.SSLError):
                answer = b""
    assert answer == b""  # closed after the header timeout, without a word
    assert seen == []


def test_a_whole_request_is_handed_over_in_one_piece(nginx_in_front, seen):
    body = b"partial_reference=CP58"
    chunks = iter([body[:5], body[5:]])  # sent in two chunks, without a length
    response = through_tls(nginx_in_front, "POST", "/staff/search/nzpost-partial/", content=chunks)
    assert response.status_code == 200
    ((_, headers, received),) = seen
    assert received == body and headers["Content-Length"] == str(len(body))  # nginx read it all first
