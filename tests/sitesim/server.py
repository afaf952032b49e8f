"""The simulator's HTTP server: the site's URL scheme on 127.0.0.1, with a request log.

Every request is recorded (`requests`, and a line in `request_log` when given): when it
came, its path, the status sent, its Host header and User-Agent, so tests can check what a
crawler asked and of whom.
"""

from __future__ import annotations

import hashlib
import re
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .corpus import Corpus
from .faults import NOT_FOUND, FaultPlan, Reply, html_reply
from .pages import article_page

ARTICLE = re.compile(r"^/blogs/(\d+)/$")
ROBOTS_ALLOW = "User-agent: *\nDisallow: /account/\nDisallow: /sphinxsearch/\n"
ROBOTS_FORBID_LISTINGS = "User-agent: *\nDisallow: /blogs/\n"
# What an article looks like to an extractor after a redesign it cannot follow at all.
UNRECOGNISABLE_PAGE = "<html><body><div id='app'>Загрузка…</div></body></html>"
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Logged:
    """One request as the simulator saw it."""

    at: float  # time.monotonic() when it arrived
    path: str
    status: int
    host: str
    user_agent: str


class SiteSimulator(ThreadingHTTPServer):
    """Serves a Corpus; every request is recorded, and appended to `request_log` when given.

    `delay` slows every article response; `broken_every=N` serves every N-th article (by id)
    as a page no extractor can read; `gone_every=N` answers 404 for every N-th article while
    the listings still show it; `failing_listing=N` answers 500 for listing page N. `faults`
    switches on the faults of `tests.sitesim.faults` ("all" for every one); `elsewhere` is the
    other host they lead to, and `slow_seconds` how long a slow answer waits.
    """

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        corpus: Corpus,
        per_page: int = 10,
        request_log: Path | None = None,
        forbid_listings: bool = False,
        delay: float = 0.0,
        broken_every: int = 0,
        gone_every: int = 0,
        failing_listing: int | None = None,
        faults: tuple[str, ...] | str = (),
        elsewhere: str = "http://127.0.0.2:9",
        slow_seconds: float = 2.0,
    ) -> None:
        self.plan = FaultPlan(corpus, faults, elsewhere, slow_seconds)
        super().__init__(address, _Handler)
        self.corpus = corpus
        self.per_page = per_page
        self.request_log = request_log
        self.robots = ROBOTS_FORBID_LISTINGS if forbid_listings else ROBOTS_ALLOW
        self.delay = delay
        self.broken_every = broken_every
        self.gone_every = gone_every
        self.failing_listing = failing_listing
        self.requests: list[Logged] = []
        self._log_lock = threading.Lock()

    def record(self, entry: Logged) -> None:
        with self._log_lock:
            self.requests.append(entry)
            if self.request_log is not None:
                with self.request_log.open("a", encoding="utf-8") as log:
                    log.write(f"GET {entry.path} {entry.status} {entry.host} {entry.user_agent}\n")

    def handle_error(self, request: object, client_address: object) -> None:
        """Quiet about clients that hang up (a crawler giving up on a slow or huge page)."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]

    def reply(self, target: str) -> Reply:
        """What to send for a request target."""
        parts = urlsplit(target)
        if parts.path == "/robots.txt":
            return Reply(200, self.robots.encode(), "text/plain; charset=utf-8")
        if parts.path == "/blogs/":
            return self._listing(target, parse_qs(parts.query).get("page", ["0"])[0])
        match = ARTICLE.match(parts.path)
        article_id = int(match.group(1)) if match else None
        if article_id in self.corpus.removed:
            return html_reply(NOT_FOUND, 404)
        article = self.corpus.get(article_id) if article_id is not None else None
        # Only the faults that redirect to a query answer one; the site's own pages take none.
        queried = self.plan.by_article.get(article_id) in ("redirect_loop", "tracking_redirect")  # type: ignore[arg-type]
        if article is None or (parts.query and not queried):
            return html_reply(NOT_FOUND, 404)
        if self.delay:
            time.sleep(self.delay)
        if faulty := self.plan.article_reply(article, target):
            return faulty
        if self.gone_every and article.id % self.gone_every == 0:
            return html_reply(NOT_FOUND, 404)
        if self.broken_every and article.id % self.broken_every == 0:
            return html_reply(UNRECOGNISABLE_PAGE)
        return html_reply(article_page(article))

    def _listing(self, target: str, page: str) -> Reply:
        if not page.isdigit():
            return html_reply("<h1>Not found</h1>", 404)
        if self.failing_listing == int(page):
            return html_reply("<h1>Internal Server Error</h1>", 500)
        if faulty := self.plan.listing_reply(int(page), target):
            return faulty
        articles = self.corpus.newest_first(int(page), self.per_page)
        return html_reply(self.plan.listing_html(articles))


class _Handler(BaseHTTPRequestHandler):
    server: SiteSimulator
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        reply = self.server.reply(self.path)
        etag = f'"{hashlib.sha1(reply.body).hexdigest()}"'
        article = reply.status == 200 and ARTICLE.match(urlsplit(self.path).path)
        if article and self.headers.get("If-None-Match") == etag:
            reply = Reply(304, b"", reply.content_type)
        self.server.record(
            Logged(
                time.monotonic(),
                self.path,
                reply.status,
                self.headers.get("Host", ""),
                self.headers.get("User-Agent", ""),
            )
        )
        if reply.delay:
            time.sleep(reply.delay)
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers:
            self.send_header(name, value)
        if article:
            self.send_header("ETag", etag)
        self._send_body(reply)

    def _send_body(self, reply: Reply) -> None:
        if reply.length_declared:
            self.send_header("Content-Length", str(len(reply.body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        body = reply.body if reply.send_only is None else reply.body[: reply.send_only]
        for start in range(0, len(body), CHUNK):
            self.wfile.write(body[start : start + CHUNK])
        if reply.send_only is not None:
            self.close_connection = True  # the rest never comes

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log is the record."""
