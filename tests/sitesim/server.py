"""The simulator's HTTP server: the site's URL scheme on 127.0.0.1, with a request log."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .corpus import Corpus
from .pages import article_page, listing_page

ARTICLE = re.compile(r"^/blogs/(\d+)/$")
ROBOTS_ALLOW = "User-agent: *\nDisallow: /account/\nDisallow: /sphinxsearch/\n"
ROBOTS_FORBID_LISTINGS = "User-agent: *\nDisallow: /blogs/\n"
# What an article looks like to an extractor after a redesign it cannot follow at all.
NOT_FOUND_PAGE = "<html><body><h1>404</h1></body></html>"
UNRECOGNISABLE_PAGE = "<html><body><div id='app'>Загрузка…</div></body></html>"


class SiteSimulator(ThreadingHTTPServer):
    """Serves a Corpus; every request line is appended to `request_log` when given.

    `delay` slows every article response; `broken_every=N` serves every N-th article (by id)
    as a page no extractor can read; `gone_every=N` answers 404 for every N-th article while
    the listings still show it; `failing_listing=N` answers 500 for listing page N.
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
    ) -> None:
        super().__init__(address, _Handler)
        self.corpus = corpus
        self.per_page = per_page
        self.request_log = request_log
        self.robots = ROBOTS_FORBID_LISTINGS if forbid_listings else ROBOTS_ALLOW
        self.delay = delay
        self.broken_every = broken_every
        self.gone_every = gone_every
        self.failing_listing = failing_listing
        self._log_lock = threading.Lock()

    def log_request_line(self, line: str) -> None:
        if self.request_log is None:
            return
        with self._log_lock, self.request_log.open("a", encoding="utf-8") as log:
            log.write(line + "\n")

    def page(self, target: str) -> tuple[int, str, str]:
        """(status, content type, body) for a request target."""
        parts = urlsplit(target)
        if parts.path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", self.robots
        if parts.path == "/blogs/":
            page = parse_qs(parts.query).get("page", ["0"])[0]
            if not page.isdigit():
                return 404, "text/html; charset=utf-8", "<h1>Not found</h1>"
            if self.failing_listing == int(page):
                return 500, "text/html; charset=utf-8", "<h1>Internal Server Error</h1>"
            articles = self.corpus.newest_first(int(page), self.per_page)
            return 200, "text/html; charset=utf-8", listing_page(articles)
        match = ARTICLE.match(parts.path)
        if match and int(match.group(1)) in self.corpus.removed:
            return 404, "text/html; charset=utf-8", NOT_FOUND_PAGE
        if match and not parts.query and (article := self.corpus.get(int(match.group(1)))):
            if self.delay:
                time.sleep(self.delay)
            if self.gone_every and article.id % self.gone_every == 0:
                return 404, "text/html; charset=utf-8", NOT_FOUND_PAGE
            if self.broken_every and article.id % self.broken_every == 0:
                return 200, "text/html; charset=utf-8", UNRECOGNISABLE_PAGE
            return 200, "text/html; charset=utf-8", article_page(article)
        return 404, "text/html; charset=utf-8", NOT_FOUND_PAGE


class _Handler(BaseHTTPRequestHandler):
    server: SiteSimulator
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        status, content_type, text = self.server.page(self.path)
        body = text.encode("utf-8")
        etag = f'"{hashlib.sha1(body).hexdigest()}"'
        article = status == 200 and ARTICLE.match(urlsplit(self.path).path)
        if article and self.headers.get("If-None-Match") == etag:
            status, body = 304, b""
        self.server.log_request_line(
            f"GET {self.path} {status} {self.headers.get('User-Agent', '')}"
        )
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if article:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log file is the record."""
