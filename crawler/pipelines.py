"""Item pipeline: normalise each Article and write it, with the run's progress, in batches.

Each batch is one transaction holding its articles, failures, gone pages and the run's
counters and listing cursor, so a run killed at any moment leaves an archive that says exactly
how far it got. Batches are written by a thread of their own, one after the other, while the
crawl goes on: SQLite lets go of Python's lock while it works, so the writing runs on another
core. A batch is taken when full, then waits its turn (`turn`): batches are written in order.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from archive.store import SAVE_OUTCOMES, Archive, Batch, SaveCounts

from .failures import requested_url
from .items import (
    ArchiveRecord,
    Gone,
    ListingDone,
    NotArticle,
    NotModified,
    PageFailure,
    SourceDone,
    SourceFound,
)
from .normalise import utc_now
from .signals import before_commit

logger = logging.getLogger(__name__)

# crawl_runs counter <- Scrapy stats key, for what the spider counts.
SPIDER_COUNTERS = {
    "pages_fetched": "downloader/response_count",
    "listing_pages": "newsarchive/listing_pages",
    "extraction_failures": "newsarchive/extraction_failed",
    "extraction_fallbacks": "newsarchive/extraction_fallback",
    "retries": "retry/count",
}
HTTP_ERRORS = ("newsarchive/fetch_failed", "newsarchive/listing_failed")


def recheck_delays(value: str | list[Any] | tuple[Any, ...]) -> tuple[int, ...]:
    """`NEWSARCHIVE_RECHECK_AFTER` as seconds: "3600,86400" or a list."""
    parts = value.split(",") if isinstance(value, str) else value
    return tuple(int(part) for part in parts if str(part).strip())


def run_id_of(settings: BaseSettings) -> int | None:
    """The crawl_runs row the crawl writes to (`NEWSARCHIVE_RUN_ID`), if any."""
    run_id = settings.get("NEWSARCHIVE_RUN_ID")
    return int(run_id) if run_id else None


class BatchingPipeline:
    """Buffers what the spider yields into batches of `NEWSARCHIVE_BATCH_SIZE` items; a
    subclass says where a batch goes (`_flush`)."""

    def __init__(self, crawler: Crawler, batch_size: int, run_id: int | None) -> None:
        self.crawler = crawler
        self.batch_size = batch_size
        self.run_id = run_id
        self.batch = Batch(run_id=self.run_id)
        self.done_pages: set[int] = set()
        self.turn = asyncio.Lock()  # one batch at a time goes out, in the order taken

    def crawler_error(self, failure: Failure, response: Response | Failure) -> None:
        """A page that an error in the crawler itself (a bug in a callback, or in an errback,
        whose `response` is then the download's failure) kept out of the archive is kept in
        `failed_pages` with the error; Scrapy has logged it and counted it in its stats."""
        error = failure.value
        reason = f"crawler error: {type(error).__name__}: {error}"
        assert self.crawler.spider is not None  # the crawl is running
        request: Request = response.request  # type: ignore[union-attr,assignment]  # Scrapy sets it
        self.add(PageFailure(self.crawler.spider.name, requested_url(request), reason))

    async def process_item(self, item: Any) -> Any:
        self.add(item)
        if len(self.batch) >= self.batch_size:
            await self._flush()
        return item

    def add(self, item: Any) -> None:
        """Put the item in the batch."""
        batch = self.batch
        if isinstance(item, ArchiveRecord):
            batch.articles.append(item.record)
            if item.judged is not None:
                batch.judged.append(item.judged)
        elif isinstance(item, NotArticle):
            page = {"url": item.url, "site": item.site, "not_article": item.reason}
            batch.judged.append({**page, "lastmod": item.lastmod})
        elif isinstance(item, SourceDone | SourceFound):
            batch.sources.append(item.state)
        elif isinstance(item, PageFailure):
            batch.failures.append(item.to_dict())
        elif isinstance(item, Gone):
            batch.gone.append(item.url)
        elif isinstance(item, NotModified):
            batch.not_modified.append(item.url)
        elif isinstance(item, ListingDone):
            self.done_pages.add(item.page)

    async def _flush(self) -> None:
        raise NotImplementedError

    async def raw_capture_on_disk(self) -> None:
        """Wait until the raw capture the batch points to is on disk, or raise what kept it
        from there: no row may point to a record that is not written."""
        signals = self.crawler.signals
        for _, outcome in await signals.send_catch_log_async(before_commit, dont_log=Exception):
            if isinstance(outcome, Exception):  # the caller says it in one line
                raise outcome


class ArchivePipeline(BatchingPipeline):
    """Writes each batch, with the run's progress, to the archive file."""

    def __init__(
        self,
        crawler: Crawler,
        batch_size: int,
        run_id: int | None,
        db_path: Path,
        rechecks: tuple[int, ...],
        retry_delays: tuple[int, ...],
    ) -> None:
        super().__init__(crawler, batch_size, run_id)
        self.db_path = db_path
        self.rechecks = rechecks
        self.retry_delays = retry_delays
        self.archive: Archive | None = None
        self.counts = SaveCounts()
        self.base: dict[str, int] = {}
        self.failed = False
        self.thread = ThreadPoolExecutor(1, thread_name_prefix="archive")
        self.writing: Future[SaveCounts] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        settings = crawler.settings
        pipeline = cls(
            crawler,
            settings.getint("NEWSARCHIVE_BATCH_SIZE"),
            run_id_of(settings),
            Path(settings.get("NEWSARCHIVE_DB")),
            recheck_delays(settings.get("NEWSARCHIVE_RECHECK_AFTER")),
            recheck_delays(settings.get("NEWSARCHIVE_RETRY_FAILED_AFTER")),
        )
        crawler.signals.connect(pipeline.crawler_error, signal=signals.spider_error)
        return pipeline

    def open_spider(self) -> None:
        self.archive = self.thread.submit(
            Archive, self.db_path, self.rechecks, self.retry_delays
        ).result()
        if self.run_id is not None:
            self.base = self.thread.submit(self.archive.run_counters, self.run_id).result()

    async def close_spider(self) -> None:
        await self._flush()
        async with self.turn:
            await self._written()
        if self.archive is not None:
            self.thread.submit(self.archive.close).result()
        self.thread.shutdown()

    def _cursor(self) -> int:
        """The first listing page of the main walk not yet fully archived (the walk's start
        is in the stats)."""
        page = int(self.crawler.stats.get_value("newsarchive/walk_start", 0))
        while page in self.done_pages:
            page += 1
        return page

    def _progress(self) -> dict[str, Any]:
        """The run's counters (without the articles saved), cursor and high water, as of now."""
        stats = self.crawler.stats
        counters = {name: stats.get_value(key, 0) for name, key in SPIDER_COUNTERS.items()}
        counters["http_errors"] = sum(stats.get_value(key, 0) for key in HTTP_ERRORS)
        high_water = stats.get_value("newsarchive/high_water")
        return {"counters": counters, "cursor": self._cursor(), "high_water": high_water}

    def _with_saved(self, progress: dict[str, Any], batch_counts: SaveCounts) -> dict[str, Any]:
        """The run's row as of a batch: `progress` plus what this and earlier batches saved."""
        saved = SaveCounts()
        saved.add(self.counts)
        saved.add(batch_counts)
        counters = dict(progress["counters"])
        for name in SAVE_OUTCOMES:
            counters[f"articles_{name}"] = getattr(saved, name)
        totals = {name: self.base.get(name, 0) + value for name, value in counters.items()}
        return {**progress, "counters": totals}

    async def _flush(self) -> None:
        """Hand the batch to the writing thread, once the batch before it is written and the raw
        capture it points to is on disk. Its progress is taken now: the cursor must not run
        ahead of what the batch holds."""
        batch, progress = self.batch, self._progress()
        self.batch = Batch(run_id=self.run_id)
        async with self.turn:
            await self._written()
            if self.archive is None or self.failed:
                return
            try:
                await self.raw_capture_on_disk()
            except Exception as error:
                self._stop(error)
                return
            self.writing = self.thread.submit(
                self.archive.save_batch,
                batch,
                utc_now(),
                lambda counts: self._with_saved(progress, counts),
            )

    async def _written(self) -> None:
        """Wait for the batch being written; count it, or stop the crawl if the archive refused
        it, rather than lose pages."""
        if self.writing is None:
            return
        writing, self.writing = self.writing, None
        try:
            saved = await asyncio.wrap_future(writing)
        except Exception as error:
            self._stop(error)
            return
        self.counts.add(saved)
        for name in SAVE_OUTCOMES:
            self.crawler.stats.set_value(f"newsarchive/articles_{name}", getattr(self.counts, name))

    def _stop(self, error: Exception) -> None:
        self.failed = True
        message = f"{type(error).__name__}: {error}"
        self.crawler.stats.set_value("newsarchive/write_error", message)
        logger.error("writing to the archive failed, stopping the crawl: %s", message)
        if self.crawler.engine is not None and self.crawler.engine.running:
            deferred_from_coro(
                self.crawler.engine.close_spider_async(reason="archive_write_failed")
            )
