"""A progress line on stderr every few seconds, so a long crawl is never silent."""

from __future__ import annotations

import sys
import time

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class ProgressLine:
    """Prints pages, new, updated, errors and rate; when revalidating, how many articles are to
    be asked again and what they answered; an ETA when the amount of work is known."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressLine:
        interval = crawler.settings.getfloat("NEWSARCHIVE_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        extension = cls(crawler, interval)
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self) -> None:
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.report)
        self.loop.start(self.interval, now=False)

    def closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()

    def line(self) -> str:
        """The progress as one line."""
        stats = self.crawler.stats
        value = stats.get_value
        pages = value("downloader/response_count", 0)
        articles = value("newsarchive/article_pages", 0)
        errors = sum(
            value(key, 0) for key in ("newsarchive/fetch_failed", "newsarchive/listing_failed")
        )
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = pages / elapsed
        text = (
            f"progress: {pages} pages, {value('newsarchive/articles_new', 0)} new, "
            f"{value('newsarchive/articles_updated', 0)} updated, {errors} errors, "
            f"{rate:.1f} pages/s"
        )
        if revalidated := value("newsarchive/revalidations", 0):
            text += (
                f", {revalidated} to revalidate: {value('newsarchive/not_modified', 0)} not "
                f"modified, {value('newsarchive/articles_updated', 0)} changed"
            )
        expected = getattr(self.crawler.spider, "expected_articles", None)
        if expected and rate > 0:
            remaining = max(expected - articles, 0) / (articles / elapsed or rate)
            text += f", ETA {int(remaining // 60)}m{int(remaining % 60):02d}s"
        return text

    def report(self) -> None:
        print(self.line(), file=sys.stderr, flush=True)
