"""The site's boundary, enforced on every request, redirects and `dont_filter` ones included.

Scrapy's own offsite filter lets `dont_filter` requests through; this one does not: no request
leaves the spider's `allowed_domains`, and only http(s) is fetched.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request


class SiteBoundary:
    """Refuses any request to a host outside the site, or with another scheme than http(s)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteBoundary:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider: Spider | None = self.crawler.spider
        domains = getattr(spider, "allowed_domains", None) or []
        parts = urlsplit(request.url)
        host = parts.hostname or ""
        inside = any(host == domain or host.endswith(f".{domain}") for domain in domains)
        if parts.scheme not in ("http", "https") or not inside:
            self.crawler.stats.inc_value("newsarchive/offsite_refused")
            raise IgnoreRequest(f"outside the site: {request.url}")
