"""Raw capture: every response the crawler receives is written to WARC as it arrives.

A downloader middleware placed next to the downloader (above HttpCompressionMiddleware,
RedirectMiddleware and RetryMiddleware) sees each response as received: its headers, and its
body before content decoding; Twisted has already undone any Transfer-Encoding, so the
record is rebuilt without that header. Requests are rebuilt from Scrapy's request headers
(plus Host).

Records are written by a WarcWriter in a process of its own (`crawler.worker.Worker`), one
after the other, while the crawl goes on: building, hashing and compressing records would
otherwise take the crawl's Python lock for as long as parsing. A response is handed on at once,
with where its record will be (a future, in the request's meta, that the spider awaits before
it builds the article): a download slot never waits for the disk. Before each commit the
pipeline awaits `flush`: every record so far on disk. If the writing process dies, that commit
fails and the crawl stops: no article points to a record that is not on disk.
"""

from __future__ import annotations

import asyncio
import os
import socket
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Request, Response

from archive.warc import Exchange, WarcWriter

from . import __version__
from .signals import before_commit
from .worker import Worker


def _pairs(headers: Headers) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]


class WarcCapture:
    """Writes a request and a response record per response; a revisit record for a 304."""

    def __init__(self, writer: Worker, crawler: Crawler) -> None:
        self.writer = writer
        self.crawler = crawler
        self.failure: BaseException | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCapture:
        settings = crawler.settings
        directory = settings.get("NEWSARCHIVE_WARC_DIR")
        if not settings.getbool("NEWSARCHIVE_WARC") or not directory:
            raise NotConfigured
        run_id = settings.getint("NEWSARCHIVE_RUN_ID") or None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        # One archive's files are named by it; a crawler of a shared crawl, by host and process.
        db = settings.get("NEWSARCHIVE_DB")
        stem = Path(db).stem if db else f"{socket.gethostname()}-{os.getpid()}"
        Path(directory).mkdir(parents=True, exist_ok=True)  # any error shows here, at start
        writer = Worker(
            WarcWriter,
            "the raw capture process died; rerun the crawl",
            directory=Path(directory),
            prefix=f"{stem}-run{run_id or 0:05d}-{stamp}",
            software=f"Newsarchive/{__version__}",
            run_id=run_id,
            max_size=settings.getint("NEWSARCHIVE_WARC_MAX_SIZE"),
        )
        capture = cls(writer, crawler)
        crawler.signals.connect(capture.flush, signal=before_commit)
        crawler.signals.connect(capture.close, signal=signals.spider_closed)
        return capture

    async def flush(self) -> None:
        """Every record so far on disk (the writer answers calls in order), or the error that
        kept one from it."""
        await self.writer.call("flush")
        if self.failure is not None:
            raise self.failure

    async def close(self) -> None:
        await self.writer.close()

    def process_response(self, request: Request, response: Response) -> Response:
        headers = _pairs(request.headers)
        if not any(name.lower() == "host" for name, _ in headers):
            headers.insert(0, ("Host", urlsplit(request.url).netloc))
        exchange = Exchange(
            url=response.url,
            method=request.method,
            request_headers=headers,
            protocol=response.protocol or "HTTP/1.1",
            status=response.status,
            reason=_reason(response.status),
            response_headers=_pairs(response.headers),
            body=response.body,
            fetched_at=datetime.now(UTC),
        )
        stored = request.meta.get("stored_capture")
        if response.status == 304 and stored:
            self._watch(
                self.writer.call("write_revisit", exchange, stored["digest"], stored["fetched_at"])
            )
        else:
            request.meta["warc"] = self._watch(self.writer.call("write", exchange))
        self.crawler.stats.inc_value("newsarchive/warc_records")
        return response

    def _watch(self, writing: asyncio.Future[Any]) -> asyncio.Future[Any]:
        """Keep the first error of a write, for the next flush to raise."""
        writing.add_done_callback(self._note_failure)
        return writing

    def _note_failure(self, writing: asyncio.Future[Any]) -> None:
        error = writing.exception()  # retrieved, whether or not it is the first
        if self.failure is None and error is not None:
            self.failure = error


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
