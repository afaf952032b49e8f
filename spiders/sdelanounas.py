"""Spider for «Сделано у нас»: listing pages newest first, article ids, and due rechecks.

The archive is the frontier: before fetching an entry the spider asks it what is already
archived (`archive.frontier`), so a rerun after any stop fetches only what is missing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.extract import is_error_page, is_truncated
from crawler.extract._dates import MOSCOW
from crawler.failures import describe_failure, requested_url, with_retries
from crawler.items import ListingDone, ListingEntry
from crawler.retry import ask_again, retry_later
from crawler.sites import SDELANOUNAS

from .base import (
    ERROR_PAGE,
    TRUNCATED,
    ArchiveSpider,
    ends_lease,
    header,
    page_text,
    request_of,
)
from .walk import ListingWalk, SharedListingWalk

ID_CHUNK = 500


class SdelanounasSpider(ArchiveSpider):
    """Walks `/blogs/?page=N` from 0, or an id range, fetching what the archive lacks.

    Modes: `incremental` stops after `NEWSARCHIVE_KNOWN_STREAK` archived, unchanged entries
    below what the last finished run had seen; `full` walks every listing page; `since`
    stops at entries older than a date; `ids` fetches an id range directly; `revalidate`
    only revalidates (see `ArchiveSpider`). The walk's first page and its newest id are in
    the stats (`newsarchive/walk_start`, `newsarchive/high_water`) for the run's record.
    """

    name = SDELANOUNAS.name
    site = SDELANOUNAS
    walk: ListingWalk

    def __init__(
        self,
        max_pages: int | str | None = None,
        since: str | None = None,
        ids: tuple[int, int] | None = None,
        resume_cursor: int | str | None = None,
        previous_high_water: str | None = None,
        high_water: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.max_pages = int(max_pages) if max_pages else None
        self.since = datetime.fromisoformat(since).replace(tzinfo=MOSCOW) if since else None
        self.ids = ids
        self.main_start = int(resume_cursor) if resume_cursor else 0
        self.previous_high_water = int(previous_high_water) if previous_high_water else None
        self.high_water = high_water
        self.expected_articles: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SdelanounasSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, SdelanounasSpider)
        if spider.shared is None:
            spider.walk = ListingWalk()
        else:
            spider.walk = SharedListingWalk(spider.shared, spider.site.name, spider.run_token)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        stats = self.crawler.stats
        stats.set_value("newsarchive/walk_start", self.main_start)
        stats.set_value("newsarchive/high_water", self.high_water)
        if self.ids is not None:
            for request in self.id_requests(*self.ids):
                yield request
            return
        if self.mode != "revalidate":
            yield self.listing_request(0, "top" if self.main_start else "main")
            if self.main_start:
                yield self.listing_request(self.main_start, "main")
        for request in self.maintenance_requests():
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
                yield self.id_request(native_id, page=None)

    def failed_page_request(self, url: str) -> scrapy.Request | None:
        native_id = self.site.article_key(url)
        return self.id_request(native_id, page=None) if native_id is not None else None

    def id_request(
        self, native_id: str, page: int | None, dont_filter: bool = False
    ) -> scrapy.Request:
        """The request of the article with this id, which listing page `page` waits for."""
        url = f"{self.base_url}/blogs/{native_id}/"
        return self.article_request(url, native_id, page, dont_filter=dont_filter)

    def listing_request(self, page: int, walk: str) -> scrapy.Request:
        return scrapy.Request(
            f"{self.base_url}/blogs/?page={page}",
            callback=self.parse_listing,
            errback=self.listing_failed,
            cb_kwargs={"page": page, "walk": walk},
            priority=-page,
            # In a shared crawl, a page read again (its crawler died) must not walk on twice:
            # the run's dupefilter lets each listing page be asked once.
            dont_filter=self.shared is None,
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
        if not entries or self.repeats(entries, walk, page):
            if walk == "main":
                yield ListingDone(page)
            return
        newest = max(int(entry.native_id) for entry in entries)
        if self.high_water is None or newest > int(self.high_water):
            self.high_water = str(newest)
            self.crawler.stats.set_value("newsarchive/high_water", self.high_water)
        known = self.frontier.known([entry.native_id for entry in entries])
        failed = self.frontier.failed([entry.url for entry in entries])
        streak = self.walk.streak(walk, page)
        requested: list[str] = []
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
                streak += 1
                stop = stop or self.walk_is_done(walk, streak, int(entry.native_id))
                continue
            streak = 0
            requested.append(entry.native_id)
        self.walk.set_streak(walk, page, streak)
        asked = self.walk.claim(f"{walk}:{page}", list(dict.fromkeys(requested)))
        if walk == "main":
            self.walk.expect(page, set(asked))  # before any answer can come back
        for native_id in asked:
            yield self.id_request(native_id, page if walk == "main" else None, dont_filter=True)
        if walk == "main" and not asked:
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
        shown = self.walk.last_shown(walk)  # None: the walk's first page (a start, a resume)
        after_full_page = shown is None or shown >= self.walk.page_size()
        if response.meta.get("confirms_empty") or not after_full_page:
            return None
        again = ask_again(request, self.crawler)
        again.meta["confirms_empty"] = True
        return [again]

    def repeats(self, entries: list[ListingEntry], walk: str, page: int) -> bool:
        """Whether a listing page shows only entries earlier pages of this walk showed: a
        site that serves the same page for any page number would otherwise never end."""
        if self.walk.repeats(walk, page, {entry.native_id for entry in entries}):
            self.logger.warning("a listing page repeats earlier ones; the walk ends there")
            return True
        return False

    def is_before_since(self, published_at: str | None) -> bool:
        if not self.since or not published_at:
            return False
        return datetime.fromisoformat(published_at) < self.since

    def walk_is_done(self, walk: str, streak: int, native_id: int) -> bool:
        """Whether enough archived, unchanged entries in a row (`streak`) end this walk."""
        if streak < self.known_streak:
            return False
        if walk == "top":
            return True
        covered = self.previous_high_water is not None and native_id <= self.previous_high_water
        return self.mode == "incremental" and covered

    def resolved(self, key: str, origin: Any) -> Iterator[ListingDone]:
        """Note an entry of a listing page as done; the page is done when all of it is."""
        if origin is not None and self.walk.resolve(origin, key):
            yield ListingDone(origin)

    @ends_lease
    def listing_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]  # Scrapy sets it for an errback
        if failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            self.crawler.stats.inc_value("newsarchive/listing_failed")
            self.refuse(f"robots.txt of {self.base_url} forbids the listing {request.url}")
        self.listing_lost(request, describe_failure(failure))

    def listing_lost(self, request: scrapy.Request, reason: str) -> None:
        """A listing page that could not be read: the walk is incomplete (or, for the first
        page, never started)."""
        self.crawler.stats.inc_value("newsarchive/listing_failed")
        url = requested_url(request)
        self.logger.error("listing failed: %s (%s)", url, reason)
        if request.cb_kwargs.get("page") == 0:
            self.refuse(f"cannot fetch {url}: {reason}")
