"""robots.txt's `Crawl-delay`, applied: Scrapy's robots middleware reads it but never uses it.

When a site's robots.txt is read, its Crawl-delay for our User-Agent becomes the least delay
between two requests to that host: the downloader slot's delay is raised to it (and new slots
of the host start with it), without the random part Scrapy adds to delays (it would go below
it), and AutoThrottle is told not to lower it.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)


class CrawlDelay:
    """A downloader middleware: each host's Crawl-delay, as its download delay."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.user_agent = crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get(
            "USER_AGENT"
        )
        self.delays: dict[str, float] = {}
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelay:
        return cls(crawler)

    def robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        delay = robotparser.crawl_delay(self.user_agent)
        if not delay or delay <= 0:
            return
        host = urlparse_cached(request).hostname or ""
        self.delays[host] = float(delay)
        self.crawler.stats.set_value(f"newsarchive/crawl_delay/{host}", float(delay))
        logger.info("robots.txt of %s asks %.1f s between requests", host, delay)
        self._apply(request)

    def process_request(self, request: Request) -> None:
        if urlparse_cached(request).hostname in self.delays:
            request.meta["autothrottle_dont_adjust_delay"] = True
            self._apply(request)

    def _apply(self, request: Request) -> None:
        """Raise the delay of the request's slot, and of the slots the host will have."""
        delay = self.delays[urlparse_cached(request).hostname or ""]
        engine = self.crawler.engine
        if engine is None:
            return
        downloader = engine.downloader
        key = downloader.get_slot_key(request)
        slot_settings = downloader.per_slot_settings.setdefault(key, {})
        slot_settings["delay"] = max(delay, slot_settings.get("delay", 0.0))
        slot_settings["jitter"] = 0.0  # a random delay would go below the Crawl-delay
        if (slot := downloader.slots.get(key)) is not None:
            slot.delay = max(slot.delay, delay)
            slot.jitter = 0.0
