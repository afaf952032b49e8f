"""Spider for «Сделано у нас»: listing pages newest first, article ids, and due rechecks.

The archive is the frontier: before fetching an entry the spider asks it what is already
archived (`archive.frontier`), so a rerun after any stop fetches only what is missing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

from archive.frontier import Due, Frontier
from crawler.drift import FieldWatch
from crawler.exceptions import ExtractionFailed
from crawler.extract import decode_html, is_error_page, is_truncated
from crawler.extract._dates import MOSCOW
from crawler.failures import describe_failure, is_permanent, requested_url, with_retries
from crawler.items import (
    ArchiveRecord,
    Gone,
    ListingDone,
    ListingEntry,
    NotModified,
    PageFailure,
)
from crawler.offload import Extractor
from crawler.retry import ask_again, retry_later
from crawler.sites import get_site

SITE = get_site("sdelanounas")
GONE = (404, 410)
ID_CHUNK = 500
ERROR_PAGE = "error page with HTTP 200"
TRUNCATED = "truncated page"


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


class SdelanounasSpider(scrapy.Spider):
    """Walks `/blogs/?page=N` from 0, or an id range, fetching what the archive lacks.

    Modes: `incremental` stops after `NEWSARCHIVE_KNOWN_STREAK` archived, unchanged entries
    below what the last finished run had seen; `full` walks every listing page; `since`
    stops at entries older than a date; `ids` fetches an id range directly. Incremental and
    full runs also recheck articles due on the recheck schedule, with conditional GETs; a full
    run also revalidates every archived article, and `revalidate` does only that, for the
    least recently checked (at most `limit`, last checked before `checked_before`).
    """

    name = SITE.name
    # Set by from_crawler, from the crawl's settings.
    frontier: Frontier
    extractor: Extractor
    enough_pages: int
    known_streak: int
    recheck_limit: int

    def __init__(
        self,
        base_url: str | None = None,
        max_pages: int | str | None = None,
        mode: str = "incremental",
        since: str | None = None,
        ids: tuple[int, int] | None = None,
        checked_before: str | None = None,
        limit: int | None = None,
        retry_failed: bool = False,
        resume_cursor: int | None = None,
        previous_high_water: str | None = None,
        high_water: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.base_url = (base_url or SITE.base_url).rstrip("/")
        host = urlsplit(self.base_url).hostname or ""
        self.allowed_domains = sorted({host, *SITE.domains})
        self.max_pages = int(max_pages) if max_pages else None
        self.mode = mode
        self.since = datetime.fromisoformat(since).replace(tzinfo=MOSCOW) if since else None
        self.ids = ids
        self.checked_before = checked_before
        self.limit = int(limit) if limit else None
        self.retry_failed = retry_failed
        self.main_start = resume_cursor or 0
        self.previous_high_water = int(previous_high_water) if previous_high_water else None
        self.high_water = high_water
        self.refusal: str | None = None
        self.pending: dict[int, set[str]] = {}
        self.streaks = {"main": 0, "top": 0}
        self.listed: dict[str, set[str]] = {"main": set(), "top": set()}
        self.last_shown: dict[str, int] = {}  # posts on the walk's latest listing page
        self.page_size = 0  # the most posts a listing page has shown
        self.expected_articles: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SdelanounasSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.frontier = Frontier(Path(settings.get("NEWSARCHIVE_DB")), SITE.name)
        spider.extractor = Extractor(settings.getint("NEWSARCHIVE_EXTRACT_WORKERS"))
        spider.enough_pages = settings.getint("NEWSARCHIVE_FAILURE_MIN_PAGES")
        spider.known_streak = settings.getint("NEWSARCHIVE_KNOWN_STREAK")
        spider.recheck_limit = settings.getint("NEWSARCHIVE_RECHECK_LIMIT")
        crawler.signals.connect(spider.frontier.close, signal=scrapy.signals.spider_closed)
        crawler.signals.connect(spider.extractor.close, signal=scrapy.signals.spider_closed)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        archived, shares = self.frontier.field_shares()
        self.fields = FieldWatch(self.crawler.stats, archived, shares, self.enough_pages)
        if self.ids is not None:
            for request in self.id_requests(*self.ids):
                yield request
            return
        if self.mode == "revalidate":
            for request in self.revalidation_requests(self.checked_before, self.limit):
                yield request
            return
        yield self.listing_request(0, "top" if self.main_start else "main")
        if self.main_start:
            yield self.listing_request(self.main_start, "main")
        if self.mode in ("incremental", "full"):
            for request in self.recheck_requests():
                yield request
            for request in self.retry_requests():
                yield request
        if self.mode == "full":
            for request in self.revalidation_requests(None, None):
                yield request

    def id_requests(self, low: int, high: int) -> Iterator[scrapy.Request]:
        """Requests for the ids of a range the archive lacks, newest first."""
        wanted = range(high, low - 1, -1)
        missing_total = 0
        for start in range(0, len(wanted), ID_CHUNK):
            chunk = [str(native_id) for native_id in wanted[start : start + ID_CHUNK]]
            known = self.frontier.known(chunk)
            missing = [native_id for native_id in chunk if native_id not in known]
            missing_total += len(missing)
            self.expected_articles = missing_total if start + ID_CHUNK >= len(wanted) else None
            for native_id in missing:
                yield self.article_request(native_id, page=None)

    def recheck_requests(self) -> Iterator[scrapy.Request]:
        """Conditional GETs of the articles due on the recheck schedule."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        for due in self.frontier.due_rechecks(now, self.recheck_limit):
            self.crawler.stats.inc_value("newsarchive/rechecks")
            yield self.conditional_request(due)

    @property
    def retries_failures(self) -> bool:
        """Whether this run asks failed pages again by themselves (`retry_requests`)."""
        return self.mode in ("incremental", "full")

    def retry_requests(self) -> Iterator[scrapy.Request]:
        """Another try of the failed pages that are due (all of them with `retry_failed`):
        one request each, since they failed before, unless all are retried on purpose."""
        now = None if self.retry_failed else datetime.now(UTC).isoformat(timespec="seconds")
        for url in self.frontier.due_failures(now, self.recheck_limit):
            native_id = SITE.article_key(url)
            if native_id is None:
                continue
            self.crawler.stats.inc_value("newsarchive/failures_retried")
            request = self.article_request(native_id, page=None)
            if not self.retry_failed:
                request.meta["max_retry_times"] = 0
            yield request

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
        request = self.article_request(due.native_id, page=None, headers=headers)
        if due.warc_digest and due.fetched_at:
            request.meta["stored_capture"] = {
                "digest": due.warc_digest,
                "fetched_at": due.fetched_at.replace("+00:00", "Z"),
            }
        return request

    def listing_request(self, page: int, walk: str) -> scrapy.Request:
        return scrapy.Request(
            f"{self.base_url}/blogs/?page={page}",
            callback=self.parse_listing,
            errback=self.listing_failed,
            cb_kwargs={"page": page, "walk": walk},
            priority=-page,
            dont_filter=True,
        )

    def article_request(
        self,
        native_id: str,
        page: int | None,
        headers: dict[str, str] | None = None,
        dont_filter: bool = False,
    ) -> scrapy.Request:
        """An article request; one a listing page waits for must never be dropped as a
        duplicate (`dont_filter`), or that page would never count as done."""
        return scrapy.Request(
            f"{self.base_url}/blogs/{native_id}/",
            dont_filter=dont_filter,
            headers=headers,
            callback=self.parse_article,
            errback=self.article_failed,
            cb_kwargs={"native_id": native_id, "page": page},
            meta={"handle_httpstatus_list": [304, *GONE]},
        )

    async def parse_listing(self, response: Response, page: int, walk: str) -> list[Any]:
        entries = []
        if not is_truncated(response.body):
            content_type = header(response, "Content-Type")
            entries = await self.extractor.listing(response.url, response.body, content_type)
        return list(self.follow_listing(response, entries, page, walk))

    def follow_listing(
        self, response: Response, entries: list[ListingEntry], page: int, walk: str
    ) -> Iterator[Any]:
        """The article requests of a listing page's entries, and the next page's request."""
        if not entries and (fault := self.listing_fault(response)):
            yield from fault
            return
        self.crawler.stats.inc_value("newsarchive/listing_pages")
        if not entries or self.repeats(entries, walk):
            if walk == "main":
                yield ListingDone(page)
            return
        newest = max(int(entry.native_id) for entry in entries)
        if self.high_water is None or newest > int(self.high_water):
            self.high_water = str(newest)
        known = self.frontier.known([entry.native_id for entry in entries])
        failed = self.frontier.failed([entry.url for entry in entries])
        requested: set[str] = set()
        if walk == "main":
            self.pending[page] = requested  # filled below, before any answer can come back
        stop = False
        for entry in entries:
            if self.is_before_since(entry.published_at):
                stop = True
                continue
            if entry.url in failed and entry.native_id not in known and self.retries_failures:
                continue  # tried again when due (`retry_requests`), never twice in a run
            # A full run asks every archived article again by its revalidation, not here.
            unchanged = known.get(entry.native_id) == entry.title
            if unchanged or (self.mode == "full" and entry.native_id in known):
                self.streaks[walk] += 1
                stop = stop or self.walk_is_done(walk, int(entry.native_id))
                continue
            self.streaks[walk] = 0
            requested.add(entry.native_id)
            yield self.article_request(
                entry.native_id, page if walk == "main" else None, dont_filter=True
            )
        if walk == "main" and not requested:
            yield ListingDone(page)
        if not stop and (self.max_pages is None or page + 1 < self.max_pages):
            yield self.listing_request(page + 1, walk)
        elif not stop and walk == "main":
            self.crawler.stats.set_value("newsarchive/walk_cut", page + 1)  # by --max-pages

    def listing_fault(self, response: Response) -> list[scrapy.Request] | None:
        """What to ask instead of a listing page with no posts: a retry if it is cut short or
        an error page ([] once its retries are spent); the page again if it is the walk's
        first or follows a full page (a listing that suddenly shows nothing where more was
        due must say so twice before the walk ends there); None at the end of the walk: a
        page after a page that was not full, or empty again. The end of a walk that reached
        it is thus asked once."""
        request = request_of(response)
        truncated = is_truncated(response.body)
        if truncated or is_error_page(page_text(response)):
            reason = TRUNCATED if truncated else ERROR_PAGE
            retried = retry_later(request, reason, self.crawler)
            if retried is None:
                self.listing_lost(request, with_retries(reason, request))
            return [retried] if retried is not None else []
        walk = request.cb_kwargs.get("walk", "main")
        shown = self.last_shown.get(walk)  # None: the walk's first page (a start, a resume)
        after_full_page = shown is None or shown >= self.page_size
        if response.meta.get("confirms_empty") or not after_full_page:
            return None
        again = ask_again(request, self.crawler)
        again.meta["confirms_empty"] = True
        return [again]

    def repeats(self, entries: list[ListingEntry], walk: str) -> bool:
        """Whether a listing page shows only entries earlier pages of this walk showed: a
        site that serves the same page for any page number would otherwise never end."""
        ids = {entry.native_id for entry in entries}
        if ids <= self.listed[walk]:
            self.logger.warning("a listing page repeats earlier ones; the walk ends there")
            return True
        self.listed[walk] |= ids
        self.last_shown[walk] = len(entries)
        self.page_size = max(self.page_size, len(entries))
        return False

    def is_before_since(self, published_at: str | None) -> bool:
        if not self.since or not published_at:
            return False
        return datetime.fromisoformat(published_at) < self.since

    def walk_is_done(self, walk: str, native_id: int) -> bool:
        """Whether enough archived, unchanged entries in a row end this walk."""
        if self.streaks[walk] < self.known_streak:
            return False
        if walk == "top":
            return True
        covered = self.previous_high_water is not None and native_id <= self.previous_high_water
        return self.mode == "incremental" and covered

    async def parse_article(
        self, response: Response, native_id: str, page: int | None
    ) -> list[Any]:
        """What an article page's answer adds to the archive, and the listing page it
        completes. A coroutine returning a list, like `parse_listing`: Scrapy passes a list
        through its spider middlewares with plain generators, where an async generator costs
        a chain of asyncio steps for every item."""
        if response.status == 304:
            self.crawler.stats.inc_value("newsarchive/not_modified")
            outcome: Any = NotModified(response.url)
        elif response.status in GONE:
            outcome = Gone(response.url)
        else:
            outcome = await self.extract(response)
            if isinstance(outcome, scrapy.Request):
                return [outcome]  # retried: the listing page waits for the retry's answer
        return [outcome, *self.resolved(native_id, page)]

    async def extract(self, response: Response) -> ArchiveRecord | PageFailure | scrapy.Request:
        """The page's archive record; or its failure; or, for a page that is not the article
        it should be (cut short, an error page), a later retry while retries last."""
        stats = self.crawler.stats
        if is_truncated(response.body):
            return self.page_fault(response, TRUNCATED)
        writing = response.meta.get("warc")  # where raw capture writes the page
        capture = await asyncio.wrap_future(writing) if writing else {}
        fetch = {
            f"warc_{name}": capture.get(name) for name in ("file", "offset", "length", "digest")
        }
        fetch["fetched_at"] = capture.get("fetched_at")
        fetch["http_etag"] = header(response, "ETag")
        fetch["http_last_modified"] = header(response, "Last-Modified")
        content_type = header(response, "Content-Type")
        try:
            record = await self.extractor.article(
                SITE.name, response.url, response.body, content_type, fetch
            )
        except ExtractionFailed as failure:
            if is_error_page(page_text(response)):  # decoded here only, off the common path
                return self.page_fault(response, ERROR_PAGE)
            stats.inc_value("newsarchive/article_pages")
            stats.inc_value("newsarchive/extraction_failed")
            stats.inc_value(f"newsarchive/extraction_failed/{failure.reason}")
            self.logger.warning("extraction failed (%s): %s", failure.reason, response.url)
            url = requested_url(request_of(response))
            return PageFailure(SITE.name, url, failure.reason, is_permanent(failure.reason))
        stats.inc_value("newsarchive/article_pages")
        if record["extraction_method"] == "fallback":
            stats.inc_value("newsarchive/extraction_fallback")
        self.fields.seen(record)
        return ArchiveRecord(record)

    def resolved(self, native_id: str, page: int | None) -> Iterator[ListingDone]:
        """Note an entry of a listing page as done; the page is done when all of it is."""
        if page is None or (pending := self.pending.get(page)) is None:
            return
        pending.discard(native_id)
        if not pending:
            yield ListingDone(page)

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
        return PageFailure(SITE.name, url, f"fetch: {reason}", is_permanent(reason))

    def listing_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]  # Scrapy sets it for an errback
        if failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            self.crawler.stats.inc_value("newsarchive/listing_failed")
            self.refusal = f"robots.txt of {self.base_url} forbids the listing {request.url}"
            return
        self.listing_lost(request, describe_failure(failure))

    def listing_lost(self, request: scrapy.Request, reason: str) -> None:
        """A listing page that could not be read: the walk is incomplete (or, for the first
        page, never started)."""
        self.crawler.stats.inc_value("newsarchive/listing_failed")
        url = requested_url(request)
        if request.cb_kwargs.get("page") == 0:
            self.refusal = f"cannot fetch {url}: {reason}"
        self.logger.error("listing failed: %s (%s)", url, reason)

    def article_failed(self, failure: Failure) -> Any:
        request = failure.request  # type: ignore[attr-defined]  # Scrapy sets it for an errback
        reason, url = describe_failure(failure), requested_url(request)
        self.crawler.stats.inc_value("newsarchive/fetch_failed")
        self.logger.error("article failed: %s (%s)", url, reason)
        yield PageFailure(SITE.name, url, f"fetch: {reason}", is_permanent(reason))
        yield from self.resolved(request.cb_kwargs["native_id"], request.cb_kwargs["page"])
