"""The test proxy itself: it forwards, refuses (like a stopped service) and hangs (like a partition)."""

from __future__ import annotations

import socket
import socketserver
import threading

import pytest

from tests.support.tcp_proxy import TcpProxy


class Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(65536):
            self.server.received.append(data)  # type: ignore[attr-defined]
            self.request.sendall(data)


@pytest.fixture
def echo_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo)
    server.daemon_threads = True
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy(echo_server):
    with TcpProxy(echo_server.server_address) as proxy:
        yield proxy


def connect(proxy: TcpProxy) -> socket.socket:
    client = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
    return client


def test_it_forwards_both_ways(proxy, echo_server):
    with connect(proxy) as client:
        client.sendall(b"ping")
        assert client.recv(4) == b"ping"
    assert echo_server.received == [b"ping"] and proxy.accepted == 1


def test_refusing_resets_open_connections_and_refuses_new_ones(proxy):
    client = connect(proxy)
    client.sendall(b"ping")
    assert client.recv(4) == b"ping"
    proxy.refuse()
    with pytest.raises((ConnectionResetError, BrokenPipeError)):
        client.sendall(b"more")
        if not client.recv(4):  # a reset may show as the end of the stream on some kernels
            raise ConnectionResetError
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
    client.close()


def test_after_refusing_it_forwards_again_on_the_same_port(proxy):
    port = proxy.port
    proxy.refuse()
    proxy.forward()
    assert proxy.port == port
    with connect(proxy) as client:
        client.sendall(b"back")
        assert client.recv(4) == b"back"


def test_hanging_holds_bytes_both_ways_until_it_forwards_again(proxy, echo_server):
    open_before = connect(proxy)
    open_before.sendall(b"one")
    assert open_before.recv(3) == b"one"
    proxy.hang()
    open_before.sendall(b"two")
    opened_while_hanging = connect(proxy)  # accepted, then left waiting
    opened_while_hanging.sendall(b"three")
    open_before.settimeout(0.2)
    with pytest.raises(TimeoutError):
        open_before.recv(3)
    assert echo_server.received == [b"one"]
    proxy.forward()
    open_before.settimeout(5)
    assert open_before.recv(3) == b"two"
    assert opened_while_hanging.recv(5) == b"three"
    open_before.close()
    opened_while_hanging.close()
