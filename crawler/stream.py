"""Item pipeline of a shared crawl: batches go to the results stream in Redis, not to a file.

A crawler of a shared crawl never opens the archive. Each batch (articles, failures, judged
pages, the crawler's counters since its last batch) is one stream entry, added in the same
Redis transaction that ends the leases of the requests it completes: a crawler killed before
that leaves those requests to the others, one killed after has lost nothing. Batches go when
full, every `NEWSARCHIVE_SHARED_FLUSH_SECONDS`, when the crawler is idle, and at its end.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.defer import Deferred
from twisted.internet.task import LoopingCall
from twisted.python.failure import Failure

from archive.shared import STREAM, RunKeys, Sender, connect, encode_entry, run_state_key
from archive.store import Batch

from .items import LeaseDone
from .leases import LEASE, release, run_keys
from .normalise import utc_now
from .pipelines import HTTP_ERRORS, SPIDER_COUNTERS, BatchingPipeline, run_id_of

logger = logging.getLogger(__name__)
# Stats that say where one process is, not how much it did: never summed over crawlers (the
# walk's cursor and high water go to the writer with each batch).
OWN_STATS = ("newsarchive/walk_start", "newsarchive/high_water")


CURSOR_STEP = 64  # listing pages looked up at a time for the walk's cursor
# What of a batch goes to the writer (its records are plain data already: no copy is made).
BATCH_PARTS = ("articles", "failures", "gone", "not_modified", "judged", "sources")


class StreamPipeline(BatchingPipeline):
    """Sends each batch, with the leases it completes and the counters it adds, to Redis."""

    def __init__(
        self,
        crawler: Crawler,
        batch_size: int,
        run_id: int | None,
        client: redis.Redis,
        keys: RunKeys,
        interval: float,
    ) -> None:
        super().__init__(crawler, batch_size, run_id)
        self.client = client
        self.keys = keys
        self.leases: list[str] = []
        self.sender = Sender()
        self.sent_stats: dict[str, int] = {}
        self.sent_counters: dict[str, int] = {}
        self.cursor = 0  # the first listing page of the walk not fully archived, as known
        self.failed = False
        self.timer = LoopingCall(self.flush_now)
        self.interval = interval

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StreamPipeline:
        settings = crawler.settings
        pipeline = cls(
            crawler,
            settings.getint("NEWSARCHIVE_BATCH_SIZE"),
            run_id_of(settings),
            connect(settings.get("NEWSARCHIVE_REDIS_URL")),
            run_keys(settings),
            settings.getfloat("NEWSARCHIVE_SHARED_FLUSH_SECONDS"),
        )
        crawler.signals.connect(pipeline.crawler_error, signal=signals.spider_error)
        crawler.signals.connect(pipeline.flush_when_idle, signal=signals.spider_idle)
        return pipeline

    def open_spider(self) -> None:
        cursor = self.client.hget(run_state_key(self.keys.site), "cursor")
        self.cursor = int(cursor) if cursor else 0
        self.timer.start(self.interval, now=False)

    async def close_spider(self) -> None:
        if self.timer.running:
            self.timer.stop()
        await self._flush(final=True)

    def flush_now(self) -> Deferred[None]:
        """Send what the batch holds (it is time); an error is logged, the timer goes on."""
        sending: Deferred[None] = deferred_from_coro(self._flush())
        return sending.addErrback(self._log_failure)

    def flush_when_idle(self) -> None:
        """The crawler is idle: send what the batch holds (Scrapy's idle signal awaits no
        handler, so the sending goes on by itself)."""
        self.flush_now()

    def _log_failure(self, failure: Failure) -> None:
        logger.error("sending a batch failed: %s", failure.getErrorMessage())

    def crawler_error(self, failure: Failure, response: Response | Failure) -> None:
        """A page an error in the crawler kept out is a failure, kept; its request is done."""
        super().crawler_error(failure, response)
        request = getattr(response, "request", None)  # a Failure of an errback carries it too
        if request is not None and (lease := request.meta.get(LEASE)) is not None:
            self.leases.append(lease)

    def add(self, item: Any) -> None:
        if isinstance(item, LeaseDone):
            self.leases.append(item.lease)
        else:
            super().add(item)

    def _deltas(self) -> tuple[dict[str, int], dict[str, int], dict[str, float]]:
        """What this crawler added since its last batch: the run's counters; its stats, summed
        (counts) or set (shares)."""
        stats = self.crawler.stats.get_stats()
        counters = {name: int(stats.get(key, 0)) for name, key in SPIDER_COUNTERS.items()}
        counters["http_errors"] = sum(int(stats.get(key, 0)) for key in HTTP_ERRORS)
        added = {name: value - self.sent_counters.get(name, 0) for name, value in counters.items()}
        self.sent_counters = counters
        counts = {
            key: value
            for key, value in stats.items()
            if isinstance(value, int) and not isinstance(value, bool) and key not in OWN_STATS
        }
        summed = {key: value - self.sent_stats.get(key, 0) for key, value in counts.items()}
        self.sent_stats = counts
        shares = {key: value for key, value in stats.items() if isinstance(value, float)}
        return added, summed, shares

    def _cursor(self) -> int:
        """The first listing page of the run's walk not fully archived, over every crawler:
        this crawler's done pages added, the pages from the last cursor on looked up."""
        self.client.sadd(self.keys.done_pages, *self.done_pages)
        self.done_pages = set()
        while True:
            pages = list(range(self.cursor, self.cursor + CURSOR_STEP))
            done = self.client.smismember(self.keys.done_pages, pages)
            for page, is_done in zip(pages, done, strict=True):
                if not is_done:
                    self.cursor = page
                    return page

    async def _flush(self, final: bool = False) -> None:
        """Send the batch and end the leases it completes, in one transaction, once the raw
        capture it points to is on disk; batches go in the order taken."""
        batch, leases = self.batch, self.leases
        busy = len(batch) or batch.sources or leases or self.done_pages
        if self.failed or not (busy or final):
            return
        self.batch, self.leases = Batch(run_id=self.run_id), []
        body: dict[str, Any] = {name: getattr(batch, name) for name in BATCH_PARTS}
        body.update(
            site=self.keys.site,
            token=self.keys.token,
            run_id=self.run_id,
            cursor=self._cursor() if self.done_pages else None,
            high_water=self.crawler.stats.get_value("newsarchive/high_water"),
        )
        async with self.turn:
            if self.failed:
                return
            try:
                await self.raw_capture_on_disk()
            except Exception as error:  # the leases stay: another crawler will do these pages
                self.failed = True
                logger.error("raw capture failed, stopping this crawler: %s", error)
                engine = self.crawler.engine
                if engine is not None and engine.running:
                    deferred_from_coro(engine.close_spider_async(reason="raw_capture_failed"))
                return
            counters, summed, shares = self._deltas()
            body.update(seen_at=utc_now(), counters=counters)
            pipe = self.client.pipeline()
            pipe.xadd(STREAM, encode_entry("batch", self.sender.stamp(body)))
            release(pipe, self.keys, leases)
            for key, value in summed.items():
                if value:
                    pipe.hincrby(self.keys.stats, key, value)
            for key, share in shares.items():
                pipe.hset(self.keys.stats, key, share)
            pipe.execute()
