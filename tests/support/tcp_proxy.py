"""A loopback TCP proxy in front of a real service (PostgreSQL, Redis) that can forward, refuse or hang.

- forward(): bytes flow both ways, as if the service were right there;
- refuse(): nothing listens any more (new connections get "connection refused") and open connections are
  reset, like a service that stopped;
- hang(): connections stay open but nothing is forwarded either way, and new ones are accepted and then left
  waiting, like a network partition or a paused server. forward() lets held bytes through again.

    with TcpProxy(("127.0.0.1", 5432)) as proxy:
        ... point the client at proxy.port ...
        proxy.hang()

Each connection gets two pump threads; everything ends when the `with` block does.
"""

from __future__ import annotations

import socket
import struct
import threading
from types import TracebackType

FORWARD, HANG, REFUSE, STOPPED = "forward", "hang", "refuse", "stopped"


class TcpProxy:
    def __init__(self, upstream: tuple[str, int], host: str = "127.0.0.1") -> None:
        self.upstream = upstream
        self.host = host
        self.port = 0
        self.accepted = 0  # connections clients opened through the proxy
        self._mode = FORWARD
        self._changed = threading.Condition()
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []

    # --- modes ------------------------------------------------------------------------------------

    def forward(self) -> None:
        with self._changed:
            if self._listener is None:
                self._listen()
            self._set(FORWARD)

    def hang(self) -> None:
        with self._changed:
            if self._listener is None:
                self._listen()
            self._set(HANG)

    def refuse(self) -> None:
        with self._changed:
            self._set(REFUSE)
            self._close_listener()
            self._reset_connections()

    @property
    def mode(self) -> str:
        return self._mode

    # --- lifetime ---------------------------------------------------------------------------------

    def __enter__(self) -> TcpProxy:
        with self._changed:
            self._listen()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        with self._changed:
            self._set(STOPPED)
            self._close_listener()
            self._reset_connections()
        for thread in self._threads:
            thread.join(timeout=5)

    # --- inside -----------------------------------------------------------------------------------

    def _set(self, mode: str) -> None:
        self._mode = mode
        self._changed.notify_all()

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))  # the same port again after refuse(), so clients need not change
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._start(self._accept, listener)

    def _close_listener(self) -> None:
        if self._listener is not None:
            try:
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the thread in accept(); close() alone would not
            except OSError:
                pass
            self._listener.close()
            self._listener = None

    def _reset_connections(self) -> None:
        for sock in list(self._sockets):
            try:
                # A reset, not a polite close: as when the service's process dies.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self._sockets.clear()

    def _start(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        self._threads.append(thread)
        thread.start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by refuse() or the end of the block
            with self._changed:
                if self._mode in (REFUSE, STOPPED):
                    client.close()
                    continue
                self.accepted += 1
                self._sockets.add(client)
            self._start(self._connect, client)

    def _wait_while_hanging(self) -> bool:
        """Block while hanging; True to go on forwarding, False when the proxy refuses or stopped."""
        with self._changed:
            self._changed.wait_for(lambda: self._mode != HANG)
            return self._mode == FORWARD

    def _connect(self, client: socket.socket) -> None:
        if not self._wait_while_hanging():
            return
        try:
            upstream = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        for sock in (client, upstream):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._changed:
            if self._mode in (REFUSE, STOPPED):
                upstream.close()
                return
            self._sockets.add(upstream)
        self._start(self._pump, client, upstream)
        self._start(self._pump, upstream, client)

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            # Bytes (or the end of the stream) read while hanging are held here until forward(), or dropped
            # when the proxy refuses.
            if not self._wait_while_hanging() or not data:
                break
            try:
                target.sendall(data)
            except OSError:
                break
        try:
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass
