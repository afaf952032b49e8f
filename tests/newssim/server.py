"""The simulator's HTTP server: a NewsSite on loopback, conditional GETs and a request log.

Every request is appended to the log as `GET <path-with-query> <status> <host> <user-agent>`,
so a test can check what a crawler asked for, and what it was told, from the file alone.
"""

from __future__ import annotations

import hashlib
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .replies import Reply
from .site import NewsSite


class NewsServer(ThreadingHTTPServer):
    """Serves one NewsSite; appends every request to `request_log` when it is set."""

    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], site: NewsSite, request_log: Path | None = None
    ) -> None:
        super().__init__(address, _Handler)
        self.site = site
        self.request_log = request_log
        self._log_lock = threading.Lock()

    def record(self, line: str) -> None:
        if self.request_log is None:
            return
        with self._log_lock, self.request_log.open("a", encoding="utf-8") as log:
            log.write(line + "\n")

    def shutdown(self) -> None:
        """Stop serving and release the port, so that a caller that only shuts down leaks no
        socket."""
        super().shutdown()
        self.server_close()

    def handle_error(self, request: object, client_address: object) -> None:
        """Quiet about clients that hang up."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    server: NewsServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        host = self.headers.get("Host") or address(self.server)
        reply = self.server.site.reply(self.path, host)
        etag = f'"{hashlib.sha1(reply.body).hexdigest()[:24]}"'
        status = 304 if reply.status == 200 and self._unchanged(etag, reply) else reply.status
        agent = self.headers.get("User-Agent", "")
        self.server.record(f"{self.command} {self.path} {status} {host} {agent}")
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", reply.content_type)
        if reply.status == 200:
            self.send_header("ETag", etag)
            if reply.modified:
                self.send_header("Last-Modified", http_date(reply.modified))
        body = b"" if status == 304 else reply.body
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)

    def _unchanged(self, etag: str, reply: Reply) -> bool:
        """Whether the client's copy is current: If-None-Match first, else If-Modified-Since."""
        if match := self.headers.get("If-None-Match"):
            tags = {tag.strip().removeprefix("W/") for tag in match.split(",")}
            return etag in tags or "*" in tags
        since = self.headers.get("If-Modified-Since")
        if not since or reply.modified is None:
            return False
        try:
            client = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if client.tzinfo is None:
            client = client.replace(tzinfo=UTC)
        return reply.modified.replace(microsecond=0) <= client

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log is the record."""


def address(server: NewsServer) -> str:
    """`host:port` where the server listens."""
    host, port = server.server_address[:2]
    return f"{host if isinstance(host, str) else host.decode()}:{port}"


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


@dataclass
class RunningNewsSite:
    """A NewsSite served on loopback, with its request log."""

    server: NewsServer
    site: NewsSite
    request_log: Path

    @property
    def url(self) -> str:
        return f"http://{address(self.server)}"

    def requests(self) -> list[str]:
        if not self.request_log.exists():
            return []
        return self.request_log.read_text(encoding="utf-8").splitlines()

    def paths(self) -> list[str]:
        """The request targets, in the order they came."""
        return [line.split(" ", 2)[1] for line in self.requests()]

    def stop(self) -> None:
        self.server.shutdown()


def start_news_site(
    tmp_path: Path, site: NewsSite, host: str = "127.0.0.1", port: int = 0
) -> RunningNewsSite:
    """Serve `site` on `host` (a free port unless given) in a daemon thread, logging requests
    to `tmp_path/newssim-<kind>-<host>-<port>.log`."""
    server = NewsServer((host, port), site)
    server.request_log = tmp_path / f"newssim-{site.kind}-{address(server).replace(':', '-')}.log"
    running = RunningNewsSite(server, site, server.request_log)
    site.base_url = running.url
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return running
