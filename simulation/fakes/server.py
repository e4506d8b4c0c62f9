"""A small threaded HTTP server that plays a payment gateway (decision 029): tests and the simulator start
one on ``127.0.0.1:0`` and point the provider's gateway URL setting at ``fake.url``.

A fake is a route table: ``routes`` maps a route name to a handler, ``route_of(request)`` names the
route a request is for (Alipay: the ``method`` parameter; WeChat Pay: HTTP method and path pattern). A
later engineer adds an endpoint (bill download, transfers) by adding a route and its handler; signing,
faults and the call log come with the base.

Faults, injected per route for the next ``times`` calls (``inject``):

- ``fail``: a 5xx with nothing done (the client retries);
- ``drop``: the request *is processed*, then the connection closes without an answer (the answer is
  lost: the client must query, not re-send blindly);
- ``delay``: the answer comes ``seconds`` late (past the client's timeout it is a lost answer too).

Nothing here imports the project: it speaks only HTTP, as the real gateways do.
"""

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass
class FakeRequest:
    method: str
    path: str  # path and query, as signed
    headers: dict[str, str]
    body: bytes

    @property
    def path_only(self) -> str:
        return urlsplit(self.path).path


@dataclass
class FakeResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    kind: str  # fail | drop | delay
    seconds: float = 0.0


Handler = Callable[[FakeRequest], FakeResponse]


class FakeGateway:
    """The base of every fake gateway: the HTTP server, the route table, faults and the call log."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.calls: list[tuple[str, FakeRequest]] = []
        self._faults: dict[str, list[Fault]] = defaultdict(list)
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- to override --------------------------------------------------------------------------------

    def route_of(self, request: FakeRequest) -> str:
        raise NotImplementedError

    def rejected(
        self, route: str, request: FakeRequest, status: int, code: str, message: str
    ) -> FakeResponse:
        """The provider's own error answer (signed where the provider signs them)."""
        raise NotImplementedError

    # --- faults and calls ---------------------------------------------------------------------------

    def inject(self, route: str, kind: str, *, times: int = 1, seconds: float = 0.0) -> None:
        """The next ``times`` calls of ``route`` meet fault ``kind`` (``fail``, ``drop``, ``delay``)."""
        with self._lock:
            self._faults[route].extend(Fault(kind, seconds) for _ in range(times))

    def calls_to(self, route: str) -> list[FakeRequest]:
        with self._lock:
            return [request for name, request in self.calls if name == route]

    def _next_fault(self, route: str) -> Fault | None:
        with self._lock:
            return self._faults[route].pop(0) if self._faults[route] else None

    def handle(self, request: FakeRequest) -> FakeResponse | None:
        """The answer to ``request`` (``None``: drop the connection without one)."""
        route = self.route_of(request)
        with self._lock:
            self.calls.append((route, request))
        handler = self.routes.get(route)
        if handler is None:
            return self.rejected(route, request, 404, "NOT_FOUND", f"no route {route}")
        fault = self._next_fault(route)
        if fault is not None and fault.kind == "fail":
            return FakeResponse(500, b'{"code":"SYSTEM_ERROR","message":"fake failure"}')
        with self._lock:  # one request at a time changes the fake's state, as one database would
            response = handler(request)
        if fault is not None and fault.kind == "drop":
            return None
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.seconds)
        return response

    # --- the server -----------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> "FakeGateway":
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = FakeRequest(self.command, self.path, dict(self.headers.items()), body)
                response = fake.handle(request)
                if response is None:
                    self.close_connection = True
                    return
                self.send_response(response.status)
                for key, value in response.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                self.wfile.write(response.body)

            do_GET = do_POST = _serve

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=type(self).__name__, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "FakeGateway":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
