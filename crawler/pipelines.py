"""Item pipeline: normalise each Article and write it, with the run's progress, in batches.

Each batch is one transaction holding its articles, failures, gone pages and the run's
counters and listing cursor, so a run killed at any moment leaves an archive that says exactly
how far it got.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from archive.store import SAVE_OUTCOMES, Archive, Batch, SaveCounts

from .items import ArchiveRecord, Gone, ListingDone, NotModified, PageFailure
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


class ArchivePipeline:
    """Buffers what the spider yields and saves it `NEWSARCHIVE_BATCH_SIZE` items at a time."""

    def __init__(self, crawler: Crawler, db_path: Path, batch_size: int) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.db_path = db_path
        self.batch_size = batch_size
        self.rechecks = recheck_delays(settings.get("NEWSARCHIVE_RECHECK_AFTER"))
        run_id = settings.get("NEWSARCHIVE_RUN_ID")
        self.run_id = int(run_id) if run_id else None
        self.archive: Archive | None = None
        self.batch = Batch(run_id=self.run_id)
        self.counts = SaveCounts()
        self.base: dict[str, int] = {}
        self.done_pages: set[int] = set()
        self.failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        settings = crawler.settings
        return cls(
            crawler,
            Path(settings.get("NEWSARCHIVE_DB")),
            settings.getint("NEWSARCHIVE_BATCH_SIZE"),
        )

    def open_spider(self) -> None:
        self.archive = Archive(self.db_path, self.rechecks)
        if self.run_id is not None:
            self.base = self.archive.run_counters(self.run_id)

    def process_item(self, item: Any) -> Any:
        batch = self.batch
        if isinstance(item, ArchiveRecord):
            batch.articles.append(item.record)
        elif isinstance(item, PageFailure):
            batch.failures.append(item.to_dict())
        elif isinstance(item, Gone):
            batch.gone.append(item.url)
        elif isinstance(item, NotModified):
            batch.not_modified.append(item.url)
        elif isinstance(item, ListingDone):
            self.done_pages.add(item.page)
        if len(batch) >= self.batch_size:
            self._flush()
        return item

    def close_spider(self) -> None:
        self._flush()
        if self.archive is not None:
            self.archive.close()

    def _cursor(self) -> int:
        """The first listing page of the main walk not yet fully archived."""
        page = getattr(self.crawler.spider, "main_start", 0)
        while page in self.done_pages:
            page += 1
        return page

    def _progress(self, batch_counts: SaveCounts) -> dict[str, Any]:
        """The run's row as of this batch: counters (with the batch's), cursor, high water."""
        saved = SaveCounts()
        saved.add(self.counts)
        saved.add(batch_counts)
        stats = self.crawler.stats
        counters = {name: stats.get_value(key, 0) for name, key in SPIDER_COUNTERS.items()}
        counters["http_errors"] = sum(stats.get_value(key, 0) for key in HTTP_ERRORS)
        for name in SAVE_OUTCOMES:
            counters[f"articles_{name}"] = getattr(saved, name)
        totals = {name: self.base.get(name, 0) + value for name, value in counters.items()}
        high_water = getattr(self.crawler.spider, "high_water", None)
        return {"counters": totals, "cursor": self._cursor(), "high_water": high_water}

    def _flush(self) -> None:
        """Write the batch; if the archive refuses it, stop the crawl rather than lose pages."""
        if self.archive is None or self.failed:
            return
        try:
            for _, outcome in self.crawler.signals.send_catch_log(signal=before_commit):
                if isinstance(outcome, Failure):
                    outcome.raiseException()  # raw capture not on disk: commit nothing
            saved = self.archive.save_batch(self.batch, utc_now(), self._progress)
        except Exception as error:
            self.failed = True
            message = f"{type(error).__name__}: {error}"
            self.crawler.stats.set_value("newsarchive/write_error", message)
            logger.error("writing to the archive failed, stopping the crawl: %s", message)
            if self.crawler.engine is not None and self.crawler.engine.running:
                deferred_from_coro(
                    self.crawler.engine.close_spider_async(reason="archive_write_failed")
                )
            return
        self.counts.add(saved)
        self.batch = Batch(run_id=self.run_id)
        for name in SAVE_OUTCOMES:
            self.crawler.stats.set_value(f"newsarchive/articles_{name}", getattr(self.counts, name))
