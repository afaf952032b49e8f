"""Pages read beside the crawl: parsed and normalised in worker processes, off the crawl's core.

Scrapy runs on one core; parsing a page costs more than fetching it, so a crawl of a fast
mirror would wait on extraction. With `NEWSARCHIVE_EXTRACT_WORKERS` > 0 the spider hands each
page's bytes to that many worker processes and goes on fetching while they decode, parse and
normalise it (`to_record`); with 0 it does that in its own process. Either way the result is
the same: the archive record of an article page, the entries of a listing page.

Each worker is a `crawler.worker.Worker` serving a `PageReader`: handing a page over costs one
write on a socket the crawl's event loop reads, and its answer one read.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from functools import partial
from typing import Any

from .exceptions import ExtractionFailed, NotAnArticle
from .extract import decode_html, extract_page, page_links, parse_listing
from .extract._tree import host_of
from .items import Listed, ListingEntry
from .normalise import to_record
from .sites import Site
from .worker import Worker, WorkerDied

logger = logging.getLogger(__name__)
# Where a call waits, its method and arguments, and where its answer goes.
Call = tuple["deque[Call]", str, tuple[Any, ...], "asyncio.Future[Any]"]


class PageReader:
    """What a page holds, read from its bytes: the object each extraction worker serves."""

    def article(
        self, site: Site, url: str, body: bytes, content_type: str | None, fetch: dict[str, Any]
    ) -> dict[str, Any]:
        """The archive record of an article page of a registry site, with what the crawl knows
        of its fetch (`fetch`: validators, raw capture); or ExtractionFailed."""
        article = extract_page(url, decode_html(body, content_type), site)
        for name, value in fetch.items():
            setattr(article, name, value)
        return to_record(article)

    def candidate(
        self,
        site: Site,
        url: str,
        body: bytes,
        content_type: str | None,
        fetch: dict[str, Any],
        listed: Listed,
        want_links: bool,
    ) -> dict[str, Any]:
        """What a candidate page holds: `record`, its archive record, or `not_article`, why it
        is none; and `links`, the site's pages it links to, when the crawl walks links. A page
        found by a link that cannot be read as an article is none; a listed one is a failure
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

    def listing(self, url: str, body: bytes, content_type: str | None) -> list[ListingEntry]:
        """The posts of a listing page; empty when it shows none."""
        return parse_listing(url, decode_html(body, content_type))

    def close(self) -> None:
        """Nothing to release."""


class ExtractionPool:
    """`PageReader`s in `workers` processes (started with the crawl), or in this one if 0.

    Each worker is given at most `IN_FLIGHT` pages at a time, the rest wait here, and listing
    pages go first: a listing page says what to fetch next, so one that waited behind every
    article page already fetched would leave the crawl with nothing to fetch. A worker that dies
    loses no page: what it held goes to the others, or is read here if none is left.
    """

    IN_FLIGHT = 2

    def __init__(self, workers: int) -> None:
        died = "the extraction worker died"
        # Each live worker, with how many pages it holds.
        self.busy = {Worker(PageReader, died): 0 for _ in range(workers)}
        self.here = PageReader()
        self.listings: deque[Call] = deque()
        self.articles: deque[Call] = deque()
        self.closing = False

    async def article(
        self, site: Site, url: str, body: bytes, content_type: str | None, fetch: dict[str, Any]
    ) -> dict[str, Any]:
        """The page's archive record (see `PageReader.article`), or ExtractionFailed."""
        answer: dict[str, Any] = await self._run(
            self.articles, "article", site, url, body, content_type, fetch
        )
        return answer

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
        """What a candidate page holds (see `PageReader.candidate`); a page whose links the
        walk waits for goes first, like a listing page."""
        queue = self.listings if want_links else self.articles
        arguments = (site, url, body, content_type, fetch, listed, want_links)
        answer: dict[str, Any] = await self._run(queue, "candidate", *arguments)
        return answer

    async def listing(self, url: str, body: bytes, content_type: str | None) -> list[ListingEntry]:
        """The posts of a listing page (see `PageReader.listing`)."""
        entries: list[ListingEntry] = await self._run(
            self.listings, "listing", url, body, content_type
        )
        return entries

    async def _run(self, queue: deque[Call], method: str, *args: Any) -> Any:
        """`method(*args)` of a worker's reader, or of this process's if none is left."""
        if not self.busy:
            return getattr(self.here, method)(*args)
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        queue.append((queue, method, args, answer))
        self.dispatch()
        return await answer

    def dispatch(self) -> None:
        """Hand waiting pages to workers with room for them, listing pages first; with no
        worker left, read them here."""
        for worker in self.busy:
            while self.busy[worker] < self.IN_FLIGHT and (self.listings or self.articles):
                call = (self.listings or self.articles).popleft()
                self.busy[worker] += 1
                _, method, args, _ = call
                worker.call(method, *args).add_done_callback(partial(self._answered, worker, call))
        if not self.busy:
            for _, method, args, answer in (*self.listings, *self.articles):
                if answer.done():
                    continue
                try:
                    answer.set_result(getattr(self.here, method)(*args))
                except Exception as error:
                    answer.set_exception(error)
            self.listings.clear()
            self.articles.clear()

    def _answered(self, worker: Worker, call: Call, outcome: asyncio.Future[Any]) -> None:
        queue, _, _, answer = call
        error = outcome.exception()
        if isinstance(error, WorkerDied):
            self._lost(worker)
            queue.appendleft(call)
        elif worker in self.busy:
            self.busy[worker] -= 1
            if answer.done():  # its caller stopped waiting
                pass
            elif error is not None:
                answer.set_exception(error)
            else:
                answer.set_result(outcome.result())
        self.dispatch()

    def _lost(self, worker: Worker) -> None:
        """A worker died (killed, out of memory): say so once; its pages are read again."""
        if worker not in self.busy:
            return
        del self.busy[worker]
        if not self.closing:
            instead = "the others" if self.busy else "the crawl's process"
            logger.warning("the extraction worker died; extracting in %s", instead)

    async def close(self) -> None:
        self.closing = True
        await asyncio.gather(*(worker.close() for worker in self.busy))
