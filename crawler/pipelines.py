"""Item pipeline: normalise each Article and write it to the archive in batched transactions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler

from archive.store import Archive, SaveCounts

from .items import Article, PageFailure
from .normalise import to_record


def utc_now() -> str:
    """The current time as ISO 8601 in UTC: when a page was seen."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class ArchivePipeline:
    """Buffers records and saves them `NEWSARCHIVE_BATCH_SIZE` at a time."""

    def __init__(self, db_path: Path, batch_size: int, crawler: Crawler) -> None:
        self.db_path = db_path
        self.batch_size = batch_size
        self.stats = crawler.stats
        self.archive: Archive | None = None
        self.pending: list[dict[str, Any]] = []
        self.failures: list[dict[str, Any]] = []
        self.counts = SaveCounts()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        settings = crawler.settings
        return cls(
            Path(settings.get("NEWSARCHIVE_DB")),
            settings.getint("NEWSARCHIVE_BATCH_SIZE"),
            crawler,
        )

    def open_spider(self) -> None:
        self.archive = Archive(self.db_path)

    def process_item(self, item: Article | PageFailure) -> Article | PageFailure:
        if isinstance(item, PageFailure):
            self.failures.append(item.to_dict())
        else:
            self.pending.append(to_record(item))
        if len(self.pending) + len(self.failures) >= self.batch_size:
            self._flush()
        return item

    def close_spider(self) -> None:
        self._flush()
        if self.archive is not None:
            self.archive.close()
        for name in ("new", "updated", "unchanged"):
            self.stats.set_value(f"newsarchive/articles_{name}", getattr(self.counts, name))

    def _flush(self) -> None:
        if self.archive is None:
            return
        if self.pending:
            self.counts.add(self.archive.save_articles(self.pending, utc_now()))
            self.pending = []
        if self.failures:
            self.archive.record_failures(self.failures, utc_now())
            self.failures = []
