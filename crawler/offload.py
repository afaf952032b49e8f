"""Pages read beside the crawl: parsed and normalised in a worker process, off the crawl's core.

Scrapy runs on one core; parsing a page costs more than fetching it, so a crawl of a fast
mirror would wait on extraction. With `NEWSARCHIVE_EXTRACT_WORKERS` > 0 the spider hands each
page's bytes to that many worker processes and goes on fetching while they decode, parse and
normalise it (`to_record`); with 0 it does that in its own process. Either way the result is
the same: the archive record of an article page, the entries of a listing page.

Each worker talks to the crawl over a socket that the crawl's own event loop reads: no threads
in the crawl's process, so handing a page over costs one write and its answer one read.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import signal
import socket
import struct
from collections import deque
from collections.abc import Callable
from multiprocessing import get_context
from typing import Any, TypeVar, cast

from archive.process import crossable

from .exceptions import ExtractionFailed, NotAnArticle
from .extract import decode_html, extract_page, page_links, parse_listing
from .extract._tree import host_of
from .items import Listed, ListingEntry
from .normalise import to_record
from .sites import Site

logger = logging.getLogger(__name__)
T = TypeVar("T")
LENGTH = struct.Struct("!I")  # each message: its length, then a pickle
Job = tuple[Callable[..., Any], tuple[Any, ...]]
Task = tuple[Job, "asyncio.Future[Any]"]  # a job and where its answer goes


def article_record(
    site: Site, url: str, body: bytes, content_type: str | None, fetch: dict[str, Any]
) -> dict[str, Any]:
    """The archive record of an article page of a registry site, with what the crawl knows of
    its fetch (`fetch`: validators, raw capture); or ExtractionFailed."""
    article = extract_page(url, decode_html(body, content_type), site)
    for name, value in fetch.items():
        setattr(article, name, value)
    return to_record(article)


def candidate_reading(
    site: Site,
    url: str,
    body: bytes,
    content_type: str | None,
    fetch: dict[str, Any],
    listed: Listed,
    want_links: bool,
) -> dict[str, Any]:
    """What a candidate page holds: `record`, its archive record, or `not_article`, why it is
    none; and `links`, the site's pages it links to, when the crawl walks links. A page found
    by a link that cannot be read as an article is none; a listed one is a failure
    (ExtractionFailed), as on a known site."""
    text = decode_html(body, content_type)
    reading: dict[str, Any] = {}
    if want_links:
        hosts = frozenset(host for host in (*site.domains, host_of(url)) if host)
        reading["links"] = page_links(url, text, hosts)
    try:
        article = extract_page(url, text, site, listed.via, listed.published_at)
    except NotAnArticle as verdict:
        return {**reading, "not_article": verdict.reason}
    except ExtractionFailed as failure:
        if listed.by_link:
            return {**reading, "not_article": f"no article: {failure.reason}"}
        raise
    for name, value in fetch.items():
        setattr(article, name, value)
    return {**reading, "record": to_record(article)}


def listing_entries(url: str, body: bytes, content_type: str | None) -> list[ListingEntry]:
    """The posts of a listing page; empty when it shows none."""
    return parse_listing(url, decode_html(body, content_type))


def _message(value: object) -> bytes:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return LENGTH.pack(len(data)) + data


def _serve(connection: socket.socket) -> None:
    """A worker: run each job the crawl sends and answer (ok, result or exception), in order,
    until the crawl hangs up. Ctrl-C reaches the whole process group: the crawl decides how to
    stop, so the worker ignores it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stream = connection.makefile("rwb")
    while header := stream.read(LENGTH.size):
        function, args = pickle.loads(stream.read(LENGTH.unpack(header)[0]))
        try:
            reply = _message((True, function(*args)))
        except Exception as error:
            reply = _message((False, crossable(error)))
        stream.write(reply)
        stream.flush()


class _Worker(asyncio.Protocol):
    """One worker process and the jobs it has not answered yet, oldest first."""

    def __init__(self, extractor: Extractor) -> None:
        self.extractor = extractor
        ours, theirs = socket.socketpair()
        self.socket = ours
        self.process = get_context("spawn").Process(target=_serve, args=(theirs,), daemon=True)
        self.process.start()
        theirs.close()
        self.transport: asyncio.Transport | None = None
        self.waiting: deque[Task] = deque()
        self.received = bytearray()

    async def connect(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.create_connection(lambda: self, sock=self.socket)

    def send(self, task: Task) -> None:
        assert self.transport is not None
        self.waiting.append(task)
        self.transport.write(_message(task[0]))

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # a socket's is one

    def data_received(self, data: bytes) -> None:
        self.received += data
        while len(self.received) >= LENGTH.size:
            end = LENGTH.size + LENGTH.unpack_from(self.received)[0]
            if len(self.received) < end:
                break
            ok, value = pickle.loads(self.received[LENGTH.size : end])
            del self.received[:end]
            _, answer = self.waiting.popleft()
            if ok:
                answer.set_result(value)
            else:
                answer.set_exception(value)
        self.extractor.dispatch()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.extractor.lost(self)

    def close(self) -> None:
        """Hang up: the worker finishes its job in hand and exits."""
        self.socket.shutdown(socket.SHUT_RDWR)
        if self.transport is not None:
            self.transport.close()
        else:
            self.socket.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()


class Extractor:
    """Reads pages in `workers` processes (started with the crawl), or in this one if 0.

    Each worker is given at most `IN_FLIGHT` jobs at a time, the rest wait here, and listing
    pages go first: a listing page says what to fetch next, so one that waited behind every
    article page already fetched would leave the crawl with nothing to fetch.
    """

    IN_FLIGHT = 2

    def __init__(self, workers: int) -> None:
        self.workers = [_Worker(self) for _ in range(workers)]
        self.connected: asyncio.Future[Any] | None = None
        self.listings: deque[Task] = deque()
        self.articles: deque[Task] = deque()
        self.closing = False

    async def article(
        self, site: Site, url: str, body: bytes, content_type: str | None, fetch: dict[str, Any]
    ) -> dict[str, Any]:
        """The page's archive record (see `article_record`), or ExtractionFailed."""
        return await self._run(self.articles, article_record, site, url, body, content_type, fetch)

    async def candidate(
        self,
        site: Site,
        url: str,
        body: bytes,
        content_type: str | None,
        fetch: dict[str, Any],
        listed: Listed,
        want_links: bool,
    ) -> dict[str, Any]:
        """What a candidate page holds (see `candidate_reading`); a page whose links the walk
        waits for goes first, like a listing page."""
        queue = self.listings if want_links else self.articles
        arguments = (site, url, body, content_type, fetch, listed, want_links)
        return await self._run(queue, candidate_reading, *arguments)

    async def listing(self, url: str, body: bytes, content_type: str | None) -> list[ListingEntry]:
        """The posts of a listing page (see `listing_entries`)."""
        return await self._run(self.listings, listing_entries, url, body, content_type)

    async def _run(self, queue: deque[Task], function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in a worker, or here if none is left."""
        if self.connected is None and self.workers:
            connecting = [worker.connect() for worker in self.workers]
            self.connected = asyncio.ensure_future(asyncio.gather(*connecting))
        if self.connected is not None:
            await self.connected
        if not self.workers:
            return function(*args)
        answer: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        queue.append(((function, args), answer))
        self.dispatch()
        return await answer

    def dispatch(self) -> None:
        """Hand waiting jobs to workers with room for them, listing pages first."""
        for worker in self.workers:
            while len(worker.waiting) < self.IN_FLIGHT and (self.listings or self.articles):
                worker.send((self.listings or self.articles).popleft())

    def lost(self, worker: _Worker) -> None:
        """A worker died (killed, out of memory): the jobs it held, and the rest if it was the
        last, are done here, so a crawl never loses pages to a lost worker."""
        if worker in self.workers:
            self.workers.remove(worker)
        if not self.closing:
            instead = "the others" if self.workers else "the crawl's process"
            logger.warning("the extraction worker died; extracting in %s", instead)
        left = [*worker.waiting]
        worker.waiting.clear()
        if not self.workers:
            left += [*self.listings, *self.articles]
            self.listings.clear()
            self.articles.clear()
        for (function, args), answer in left:
            if answer.done():
                continue
            try:
                answer.set_result(function(*args))
            except Exception as error:
                answer.set_exception(error)
        self.dispatch()

    def close(self) -> None:
        self.closing = True
        for worker in list(self.workers):
            worker.close()
