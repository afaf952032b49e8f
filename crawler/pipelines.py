"""Item pipeline: normalise each Article and write it to the archive in batched transactions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler

from archive.store import Archive, SaveCounts

from .items import Article
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

    def process_item(self, item: Article) -> Article:
        self.pending.append(to_record(item))
        if len(self.pending) >= self.batch_size:
            self._flush()
        return item

    def close_spider(self) -> None:
        self._flush()
        if self.archive is not None:
            self.archive.close()
        for name in ("new", "updated", "unchanged"):
            self.stats.set_value(f"newsarchive/articles_{name}", getattr(self.counts, name))

    def _flush(self) -> None:
        if not self.pending or self.archive is None:
            return
        self.counts.add(self.archive.save_articles(self.pending, utc_now()))
        self.pending = []
