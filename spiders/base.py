"""What every site's spider does whatever its discovery: the archive as frontier, article
pages read into archive records, rechecks and revalidation, failures and their retries.

A site's spider extends `ArchiveSpider` with its discovery only (numbered listings, sitemaps
and feeds, links) and tells the pipeline what it needs through items and stats. A crawl that
cannot go on (robots.txt forbids the site, its first page cannot be fetched) ends by
`refuse`: the reason is in the stats as `newsarchive/refusal`, and Scrapy closes the spider.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

from archive.frontier import Due, Frontier, maintenance
from archive.published import PublishedFrontier
from archive.shared import connect
from crawler.drift import FieldWatch
from crawler.exceptions import ExtractionFailed
from crawler.extract import decode_html, is_error_page, is_truncated
from crawler.failures import describe_failure, is_permanent, requested_url, with_retries
from crawler.items import (
    ArchiveRecord,
    Gone,
    LeaseDone,
    Listed,
    NotArticle,
    NotModified,
    PageFailure,
)
from crawler.leases import LEASE
from crawler.offload import ExtractionPool
from crawler.retry import retry_later
from crawler.sites import Site

GONE = (404, 410)
ERROR_PAGE = "error page with HTTP 200"
TRUNCATED = "truncated page"
REFUSED = "refused"  # the finish reason of a refused crawl


def ends_lease(errback: Callable[..., Any]) -> Callable[..., list[Any]]:
    """An errback whose request, in a shared crawl, is done once its output is: what an errback
    yields for a failed download passes no spider middleware (where a callback's output gets
    the end of its lease), so the errback says it itself."""

    @wraps(errback)
    def ending(spider: Any, failure: Failure) -> list[Any]:
        found = list(errback(spider, failure) or ())
        request = failure.request  # type: ignore[attr-defined]  # Scrapy sets it for an errback
        if (lease := request.meta.get(LEASE)) is not None:
            found.append(LeaseDone(lease))
        return found

    return ending


def page_text(response: Response) -> str:
    """The page decoded by our rules (declared charset, else UTF-8, else windows-1251)."""
    content_type = response.headers.get("Content-Type")
    return decode_html(response.body, content_type.decode("latin-1") if content_type else None)


def request_of(response: Response) -> scrapy.Request:
    """The request a response answers: Scrapy sets it on every response a callback gets."""
    assert response.request is not None
    return response.request


def header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def rebased(url: str, base_url: str) -> str:
    """The URL's path and query on the crawl's base URL (a mirror's, or the site's own)."""
    parts, base = urlsplit(url), urlsplit(base_url)
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))


class ArchiveSpider(scrapy.Spider):
    """The part of a spider every site shares; `site` is the registry entry it crawls.

    Modes: `incremental` and `full` runs also recheck articles due on the recheck schedule
    (conditional GETs) and try failed pages again when due; a full run also revalidates every
    archived article, and `revalidate` does only that, for the least recently checked (at
    most `limit`, last checked before `checked_before`).
    """

    site: Site
    # Set by from_crawler, from the crawl's settings.
    frontier: Frontier | PublishedFrontier
    shared: redis.Redis | None  # the Redis of a shared crawl
    run_token: str  # which shared run
    extractor: ExtractionPool
    enough_pages: int
    known_streak: int
    recheck_limit: int
    fields: FieldWatch

    def __init__(
        self,
        base_url: str | None = None,
        mode: str = "incremental",
        checked_before: str | None = None,
        limit: int | None = None,
        retry_failed: bool = False,
        site: Site | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if site is not None:
            self.site = site
        self.base_url = (base_url or self.site.base_url).rstrip("/")
        host = urlsplit(self.base_url).hostname or ""
        self.allowed_domains = sorted({host, *self.site.domains})
        self.mode = mode
        self.checked_before = checked_before
        self.limit = int(limit) if limit else None
        self.retry_failed = retry_failed

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ArchiveSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.shared, spider.run_token = None, ""
        if redis_url := settings.get("NEWSARCHIVE_REDIS_URL"):
            spider.shared = connect(redis_url)
            spider.run_token = settings.get("NEWSARCHIVE_SHARED_RUN")
            spider.frontier = PublishedFrontier(spider.shared, spider.site.name, spider.run_token)
        else:
            spider.frontier = Frontier(Path(settings.get("NEWSARCHIVE_DB")), spider.site.name)
        crawler.signals.connect(spider.watch_fields, signal=scrapy.signals.spider_opened)
        spider.extractor = ExtractionPool(settings.getint("NEWSARCHIVE_EXTRACT_WORKERS"))
        spider.enough_pages = settings.getint("NEWSARCHIVE_FAILURE_MIN_PAGES")
        spider.known_streak = settings.getint("NEWSARCHIVE_KNOWN_STREAK")
        spider.recheck_limit = settings.getint("NEWSARCHIVE_RECHECK_LIMIT")
        crawler.signals.connect(spider.frontier.close, signal=scrapy.signals.spider_closed)
        crawler.signals.connect(spider.extractor.close, signal=scrapy.signals.spider_closed)
        return spider

    def watch_fields(self) -> None:
        """Start watching the fields the site's archived articles usually have."""
        archived, shares = self.frontier.field_shares()
        profiled = bool(self.site.layouts)
        self.fields = FieldWatch(self.crawler.stats, archived, shares, self.enough_pages, profiled)

    def refuse(self, message: str) -> None:
        """End the crawl: it cannot do what it was asked (the message says why)."""
        self.crawler.stats.set_value("newsarchive/refusal", message)
        raise CloseSpider(REFUSED)

    # What every run asks besides its discovery.

    def maintenance_requests(self) -> Iterator[scrapy.Request]:
        """What the run asks besides its discovery (`archive.frontier.maintenance`): due
        rechecks and failed pages, revalidations."""
        wanted = maintenance(
            self.mode, self.retry_failed, self.checked_before, self.limit, self.recheck_limit
        )
        if (rechecks := wanted.get("rechecks")) is not None:
            yield from self.recheck_requests(*rechecks)
        if (failures := wanted.get("failures")) is not None:
            yield from self.retry_requests(*failures)
        if (revalidations := wanted.get("revalidations")) is not None:
            yield from self.revalidation_requests(*revalidations)

    def recheck_requests(self, now: str, limit: int) -> Iterator[scrapy.Request]:
        """Conditional GETs of the articles due on the recheck schedule."""
        for due in self.frontier.due_rechecks(now, limit):
            self.crawler.stats.inc_value("newsarchive/rechecks")
            yield self.conditional_request(due)

    @property
    def retries_failures(self) -> bool:
        """Whether this run asks failed pages again by themselves (`retry_requests`)."""
        return self.mode in ("incremental", "full")

    def retry_requests(self, now: str | None, limit: int) -> Iterator[scrapy.Request]:
        """Another try of the failed pages that are due (all of them with `retry_failed`):
        one request each, since they failed before, unless all are retried on purpose."""
        for url in self.frontier.due_failures(now, limit):
            request = self.failed_page_request(url)
            if request is None:
                continue
            self.crawler.stats.inc_value("newsarchive/failures_retried")
            if not self.retry_failed:
                request.meta["max_retry_times"] = 0
            yield request

    def failed_page_request(self, url: str) -> scrapy.Request | None:
        """The request that asks a failed page again (None: not a page of this spider's)."""
        return self.article_request(rebased(url, self.base_url), url, listed=Listed(url, "retry"))

    def revalidation_requests(
        self, checked_before: str | None, limit: int | None
    ) -> Iterator[scrapy.Request]:
        """Conditional GETs (plain ones where no validators were stored) of archived
        articles, least recently checked first, whatever their schedule."""
        for due in self.frontier.revalidations(checked_before, limit):
            self.crawler.stats.inc_value("newsarchive/revalidations")
            yield self.conditional_request(due)

    def conditional_request(self, due: Due) -> scrapy.Request:
        """The article's request with the validators of its last answer: a 304 costs no
        parsing, and raw capture writes a revisit record pointing to the stored response."""
        headers = {}
        if due.etag:
            headers["If-None-Match"] = due.etag
        if due.last_modified:
            headers["If-Modified-Since"] = due.last_modified
        request = self.archived_request(due, headers)
        if due.warc_digest and due.fetched_at:
            request.meta["stored_capture"] = {
                "digest": due.warc_digest,
                "fetched_at": due.fetched_at.replace("+00:00", "Z"),
            }
        return request

    def archived_request(self, due: Due, headers: dict[str, str]) -> scrapy.Request:
        """The request of an archived article: its URL, on the crawl's base URL."""
        return self.article_request(rebased(due.url, self.base_url), due.url, headers=headers)

    def article_request(
        self,
        url: str,
        key: str,
        origin: Any = None,
        headers: dict[str, str] | None = None,
        dont_filter: bool = False,
        listed: Listed | None = None,
    ) -> scrapy.Request:
        """An article page's request. `key` names it to whoever waits for it (`origin`: a
        listing page, a sitemap); a candidate page of a site read by its address comes with
        how it was found (`listed`), and is judged. A request someone waits for must never be
        dropped as a duplicate (`dont_filter`), or what waits would never be done."""
        return scrapy.Request(
            url,
            dont_filter=dont_filter,
            headers=headers,
            callback=self.parse_article,
            errback=self.article_failed,
            cb_kwargs={"key": key, "origin": origin, "listed": listed},
            meta={"handle_httpstatus_list": [304, *GONE]},
        )

    # Answers.

    async def parse_article(
        self, response: Response, key: str, origin: Any, listed: Listed | None
    ) -> list[Any]:
        """What an article page's answer adds to the archive, and what it completes. A
        coroutine returning a list: Scrapy passes a list through its spider middlewares with
        plain generators, where an async generator costs a chain of asyncio steps per item."""
        if response.status == 304:
            self.crawler.stats.inc_value("newsarchive/not_modified")
            outcome: list[Any] = [NotModified(response.url)]
        elif response.status in GONE:
            outcome = [Gone(response.url)]
        else:
            outcome = await self.extract(response, listed)
            if len(outcome) == 1 and isinstance(outcome[0], scrapy.Request):
                return outcome  # retried: whatever waits for it waits for the retry's answer
        return [*outcome, *self.resolved(key, origin)]

    async def extract(self, response: Response, listed: Listed | None) -> list[Any]:
        """The page's archive record, or its failure, or (a candidate page) its verdict of no
        article, with what it leads to; or, for a page that is not the article it should be
        (cut short, an error page), a later retry while retries last."""
        stats = self.crawler.stats
        if is_truncated(response.body):
            return [self.page_fault(response, TRUNCATED)]
        writing = response.meta.get("warc")  # where raw capture writes the page
        try:
            capture = asdict(await writing) if writing else {}
        except Exception as error:  # the crawl stops at once; its last commit says why
            raise CloseSpider("raw_capture_failed") from error
        fetch = {
            f"warc_{name}": capture.get(name) for name in ("file", "offset", "length", "digest")
        }
        fetch["fetched_at"] = capture.get("fetched_at")
        fetch["http_etag"] = header(response, "ETag")
        fetch["http_last_modified"] = header(response, "Last-Modified")
        content_type = header(response, "Content-Type")
        try:
            reading: dict[str, Any]
            if listed is None:
                reading = {
                    "record": await self.extractor.article(
                        self.site, response.url, response.body, content_type, fetch
                    )
                }
            else:
                reading = await self.extractor.candidate(
                    self.site,
                    response.url,
                    response.body,
                    content_type,
                    fetch,
                    listed,
                    self.wants_links(listed),
                )
        except ExtractionFailed as failure:
            if is_error_page(page_text(response)):  # decoded here only, off the common path
                return [self.page_fault(response, ERROR_PAGE)]
            stats.inc_value("newsarchive/article_pages")
            stats.inc_value("newsarchive/extraction_failed")
            stats.inc_value(f"newsarchive/extraction_failed/{failure.reason}")
            self.logger.warning("extraction failed (%s): %s", failure.reason, response.url)
            url = requested_url(request_of(response))
            return [PageFailure(self.site.name, url, failure.reason, is_permanent(failure.reason))]
        found = list(self.followed(response, listed, reading.get("links", [])))
        if "not_article" in reading:
            stats.inc_value("newsarchive/not_articles")
            url = requested_url(request_of(response))
            lastmod = listed.lastmod if listed else None
            return [NotArticle(self.site.name, url, reading["not_article"], lastmod), *found]
        record = reading["record"]
        stats.inc_value("newsarchive/article_pages")
        if record["extraction_method"] == "fallback":
            stats.inc_value("newsarchive/extraction_fallback")
        self.fields.seen(record)
        judged = None
        if listed is not None:
            url = requested_url(request_of(response))
            judged = {"url": url, "site": self.site.name, "article_id": record["id"]}
            judged["lastmod"] = listed.lastmod
        return [ArchiveRecord(record, judged), *found]

    def wants_links(self, listed: Listed) -> bool:
        """Whether the crawl walks on from this candidate page (a links walk does)."""
        return False

    def followed(
        self, response: Response, listed: Listed | None, links: list[str]
    ) -> Iterator[scrapy.Request]:
        """The requests a candidate page's links lead to (a links walk's next step)."""
        return iter(())

    def resolved(self, key: str, origin: Any) -> Iterator[Any]:
        """What is done now that the page `key` is archived or accounted for."""
        return iter(())

    def page_fault(self, response: Response, reason: str) -> scrapy.Request | PageFailure:
        """A delayed retry of an article page that answered 200 but is not the article, or,
        once its retries are spent, the failure to record."""
        request = request_of(response)
        retried = retry_later(request, reason, self.crawler)
        if retried is not None:
            return retried
        url = requested_url(request)
        self.crawler.stats.inc_value("newsarchive/fetch_failed")
        self.logger.error("article failed: %s (%s)", url, reason)
        reason = with_retries(reason, request)
        return PageFailure(self.site.name, url, f"fetch: {reason}", is_permanent(reason))

    @ends_lease
    def article_failed(self, failure: Failure) -> Any:
        """A page that could not be fetched is kept in failed_pages, to be tried again; one
        robots.txt forbids is only counted (`newsarchive/robots_forbidden`): asking is ours
        to refrain from, not the site's failure."""
        request = failure.request  # type: ignore[attr-defined]  # Scrapy sets it for an errback
        reason, url = describe_failure(failure), requested_url(request)
        if failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            self.crawler.stats.inc_value("newsarchive/robots_forbidden")
            self.logger.info("robots.txt forbids %s", url)
            yield from self.resolved(request.cb_kwargs["key"], request.cb_kwargs["origin"])
            return
        self.crawler.stats.inc_value("newsarchive/fetch_failed")
        self.logger.error("article failed: %s (%s)", url, reason)
        yield PageFailure(self.site.name, url, f"fetch: {reason}", is_permanent(reason))
        yield from self.resolved(request.cb_kwargs["key"], request.cb_kwargs["origin"])
