"""Spider for «Сделано у нас»: listing pages newest first, then every article they link."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.exceptions import ExtractionFailed
from crawler.extract import decode_html, extract_article, parse_listing
from crawler.items import PageFailure
from crawler.sites import get_site

SITE = get_site("sdelanounas")


def page_text(response: Response) -> str:
    """The page decoded by our rules (declared charset, else UTF-8, else windows-1251)."""
    content_type = response.headers.get("Content-Type")
    return decode_html(response.body, content_type.decode("latin-1") if content_type else None)


class SdelanounasSpider(scrapy.Spider):
    """Walks `/blogs/?page=N` from 0 until a page has no posts or `max_pages` were read."""

    name = SITE.name

    def __init__(
        self, base_url: str | None = None, max_pages: int | str | None = None, **kwargs: Any
    ):
        super().__init__(**kwargs)
        self.base_url = (base_url or SITE.base_url).rstrip("/")
        host = urlsplit(self.base_url).hostname or ""
        self.allowed_domains = sorted({host, *SITE.domains})
        self.max_pages = int(max_pages) if max_pages else None
        self.refusal: str | None = None

    def listing_url(self, page: int) -> str:
        return f"{self.base_url}/blogs/?page={page}"

    def listing_request(self, page: int) -> scrapy.Request:
        return scrapy.Request(
            self.listing_url(page),
            callback=self.parse_listing,
            errback=self.listing_failed,
            cb_kwargs={"page": page},
            priority=-page,
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.listing_request(0)

    def parse_listing(self, response: Response, page: int) -> Any:
        self.crawler.stats.inc_value("newsarchive/listing_pages")
        entries = parse_listing(response.url, page_text(response))
        if not entries:
            return
        for entry in entries:
            yield scrapy.Request(
                f"{self.base_url}/blogs/{entry.native_id}/",
                callback=self.parse_article,
                errback=self.article_failed,
            )
        if self.max_pages is None or page + 1 < self.max_pages:
            yield self.listing_request(page + 1)

    def parse_article(self, response: Response) -> Any:
        stats = self.crawler.stats
        stats.inc_value("newsarchive/article_pages")
        try:
            article = extract_article(response.url, page_text(response))
        except ExtractionFailed as failure:
            stats.inc_value("newsarchive/extraction_failed")
            stats.inc_value(f"newsarchive/extraction_failed/{failure.reason}")
            self.logger.warning("extraction failed (%s): %s", failure.reason, response.url)
            yield PageFailure(SITE.name, response.url, failure.reason)
            return
        if article.extraction_method == "fallback":
            stats.inc_value("newsarchive/extraction_fallback")
            self.logger.warning("extracted by the generic fallback: %s", response.url)
        yield article

    def listing_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self.crawler.stats.inc_value("newsarchive/listing_failed")
        if failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            self.refusal = f"robots.txt of {self.base_url} forbids the listing {request.url}"
            return
        if request.cb_kwargs.get("page") == 0:
            self.refusal = f"cannot fetch {request.url}: {failure.getErrorMessage()}"
        self.logger.error("listing failed: %s (%s)", request.url, failure.getErrorMessage())

    def article_failed(self, failure: Failure) -> Any:
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(HttpError) and failure.value.response.status in (404, 410):
            self.crawler.stats.inc_value("newsarchive/absent")
            return
        self.crawler.stats.inc_value("newsarchive/fetch_failed")
        self.logger.error("article failed: %s (%s)", request.url, failure.getErrorMessage())
        yield PageFailure(SITE.name, request.url, f"fetch: {failure.getErrorMessage()}")
