"""A deliberately slow HTTP server on 127.0.0.1 for the outbound-call limits (R-6).

A raw socket server in threads, so a test can make it wait before answering, drip its body one
byte at a time, or stream without end, and count the requests it got. Every request gets the
same answer; ``body`` may be set after the server has started (it may need the base URL).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType


class SlowServer:
    """``with SlowServer(...) as server:`` serves on ``server.base`` and counts ``server.hits``.

    :param delay: seconds before the status line.
    :param drip: seconds between body bytes (``None``: the body at once).
    :param endless: after the headers, stream bytes until the client hangs up.
    """

    def __init__(
        self,
        body: bytes = b"{}",
        *,
        status: int = 200,
        delay: float = 0.0,
        drip: float | None = None,
        endless: bool = False,
    ) -> None:
        self.body = body
        self.status = status
        self.delay = delay
        self.drip = drip
        self.endless = endless
        self.hits = 0
        self.sent = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.base = f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> SlowServer:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                data = conn.recv(4096)
                if not data:
                    return
                request += data
            with self._lock:
                self.hits += 1
            try:
                self._stop.wait(self.delay)
                self._send(conn)
            except OSError:
                return  # the client gave up: what the tests want

    def _send(self, conn: socket.socket) -> None:
        head = (
            f"HTTP/1.1 {self.status} X\r\nContent-Type: application/json\r\nConnection: close\r\n"
        )
        if not self.endless:
            head += f"Content-Length: {len(self.body)}\r\n"
        conn.sendall(head.encode() + b"\r\n")
        if self.endless:
            chunk = b" " * 16384
            while not self._stop.is_set():
                conn.sendall(chunk)
                self.sent += len(chunk)
        elif self.drip is None:
            conn.sendall(self.body)
        else:
            for index in range(len(self.body)):
                if self._stop.wait(self.drip):
                    return
                conn.sendall(self.body[index : index + 1])


def timed(call: Callable[[], object]) -> tuple[object, float]:
    """``(result or the exception raised, seconds taken)`` of ``call()``."""
    start = time.monotonic()
    try:
        result = call()
    except Exception as exc:  # the tests look at what was raised
        result = exc
    return result, time.monotonic() - start
