"""A small threaded HTTP server for the fakes: ``http.server`` on 127.0.0.1:0 in a daemon thread."""

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

#: (status, content type, body) from the fake's handler
Answer = tuple[int, str, bytes]


class FakeServer:
    """Serve ``handle(method, path, form)`` (form: the query and the url-encoded body, first values)."""

    def __init__(self) -> None:
        self.delay = 0.0  # seconds before each answer (a slow provider; beyond our timeout: unreachable)
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                split = urlsplit(self.path)
                form = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
                form.update({k: v[0] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()})
                if owner.delay:
                    threading.Event().wait(owner.delay)
                status, content_type, body = owner.handle(method, split.path, form)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def handle(self, method: str, path: str, form: dict[str, str]) -> Answer:
        raise NotImplementedError

    def start(self) -> Self:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


Handle = Callable[[str, str, dict[str, str]], Answer]
