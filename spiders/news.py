"""Spider for any news site by its address: sitemaps, news sitemaps and feeds, else links.

Discovery, in this order: the sitemaps robots.txt names (else the registry's, else the usual
locations), sitemap indexes followed to their sitemaps; the feeds the home page names (else
the registry's, else the usual paths); and, when none of these lists a page, a walk of the
site's own links from the home page, bounded in depth and pages. Every candidate page is
judged by the extraction engine (`crawler.extract._kind`): what is no article is remembered
and never fetched again as a candidate.

A rerun asks what changed only: the sitemaps and feeds read to their end before (with their
validators: a 304 costs nothing), a sitemap only when its index gives it a new lastmod, a page
only when it is new or its lastmod moved. A sitemap or feed is recorded as read (`SourceDone`)
once every page it lists is archived or accounted for, and a root one (an index, a feed) as
found (`SourceFound`, no validators) as soon as it is read, so a run stopped in any way leaves
the next one to start from every root and ask again what it did not finish.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from twisted.python.failure import Failure

from archive.frontier import Seen, Source
from crawler.discovery import (
    FEED_PATHS,
    SITEMAP_PATHS,
    Entry,
    read_feed,
    read_sitemap,
    sitemap_body,
)
from crawler.extract import feed_links, page_links
from crawler.extract._dates import zone
from crawler.extract._kind import listing_by_address
from crawler.failures import describe_failure, requested_url
from crawler.items import Listed, NotArticle, SourceDone, SourceFound
from crawler.sites import normalised_url

from .base import ArchiveSpider, ends_lease, header, page_text, rebased
from .walk import SharedTally, Tally

WALK = "walk"  # the origin of a page the links walk asks
# A links walk of a later run asks again the pages judged no article this near the home page
# (its sections): new articles appear there.
REVISIT_DEPTH = 1


def later(lastmod: str | None, than: str | None) -> bool:
    """Whether a listed lastmod is later than the one on record (any, where none is)."""
    if lastmod is None:
        return False
    if than is None:
        return True
    try:
        return datetime.fromisoformat(lastmod) > datetime.fromisoformat(than)
    except ValueError:
        return lastmod != than


class NewsSpider(ArchiveSpider):
    """Discovers a site's articles by its sitemaps, feeds or links (see the module)."""

    name = "news"
    link_depth: int
    link_pages: int

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.tz = zone(self.site.time_zone)
        self.known: dict[str, Source] = {}
        self.robots_sitemaps: list[str] = []
        self.asked: set[str] = set()  # every source and page asked this run
        self.done: set[str] = set()  # pages archived or accounted for this run
        self.waiting: dict[str, set[str]] = {}  # source -> what it waits for
        self.waited_by: dict[str, set[str]] = {}  # a page or source -> the sources waiting
        self.states: dict[str, dict[str, Any]] = {}  # source -> its record, once read
        # Over every crawler of a shared run (see `from_crawler`): "discovering", sources
        # asked and not answered yet; "listed", candidate pages sitemaps and feeds listed;
        # "walk pending" and "walk pages", pages the links walk asked and is waiting for;
        # "home links"; the marks "walking" and "walked".
        self.tally = Tally()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, NewsSpider)
        spider.link_depth = crawler.settings.getint("NEWSARCHIVE_LINK_DEPTH")
        spider.link_pages = crawler.settings.getint("NEWSARCHIVE_LINK_MAX_PAGES")
        if spider.shared is not None:
            spider.tally = SharedTally(spider.shared, spider.site.name, spider.run_token)
        # What earlier runs read to the end (every crawler of a shared run asks with them); a
        # full run reads every sitemap and feed again, whatever their validators say.
        if spider.mode == "incremental":
            spider.known = spider.frontier.sources()
        crawler.signals.connect(spider.robots_parsed, signal=scrapy.signals.robots_parsed)
        return spider

    def robots_parsed(self, robotparser: RobotParser, request: scrapy.Request) -> None:
        """Keep the sitemaps robots.txt names (Protego, Scrapy's default parser, reads them)."""
        protego = getattr(robotparser, "rp", None)
        for url in getattr(protego, "sitemaps", ()):
            if url not in self.robots_sitemaps:
                self.robots_sitemaps.append(url)

    @property
    def home(self) -> str:
        return f"{self.base_url}/"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.mode != "revalidate":
            roots = [source for source in self.known.values() if source.parent is None]
            if any(source.kind == "links" for source in roots):
                yield self.walk_home()
            elif roots and self.mode == "incremental":
                for source in roots:
                    yield self.source_request(source.url, source.kind, None)
            elif self.site.sitemaps or self.site.feeds:
                for path in self.site.sitemaps:
                    yield self.source_request(self.on_site(path), "sitemap", None)
                for path in self.site.feeds:
                    yield self.source_request(self.on_site(path), "feed", None)
            else:
                yield self.home_request()
        for request in self.maintenance_requests():
            yield request

    def on_site(self, path_or_url: str) -> str:
        """An address of the site, on the crawl's base URL."""
        return rebased(path_or_url if "//" in path_or_url else self.base_url + path_or_url,
                       self.base_url)  # fmt: skip

    # Discovery from the home page.

    def home_request(self) -> scrapy.Request:
        self.asked.add(self.home)
        return scrapy.Request(
            self.home, callback=self.parse_home, errback=self.home_failed, dont_filter=True
        )

    def parse_home(self, response: Response) -> Iterator[scrapy.Request]:
        """Ask the sitemaps robots.txt names, else the usual ones; the feeds the home page
        names, else those at the usual paths; keep the home page's links for a walk."""
        text = page_text(response)
        self.tally.put("home links", json.dumps(page_links(response.url, text, self.hosts)))
        yield from self.robots_roots()
        if not self.robots_sitemaps:
            for path in self.site.sitemaps:
                yield from self.probe(self.on_site(path), "sitemap")
            for path in () if self.site.sitemaps else SITEMAP_PATHS:
                yield from self.probe(self.on_site(path), "sitemap", quiet=True)
        feeds = [self.on_site(path) for path in self.site.feeds] or feed_links(response.url, text)
        for url in feeds:
            yield from self.probe(url, "feed")
        if not feeds:
            for path in FEED_PATHS:
                yield from self.probe(self.on_site(path), "feed", quiet=True)
        yield from self.walk_if_nothing_listed()

    @ends_lease
    def home_failed(self, failure: Failure) -> None:
        reason = describe_failure(failure)
        if failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            self.refuse(f"robots.txt of {self.base_url} forbids crawling the site")
        self.refuse(f"cannot fetch {self.home}: {reason}")

    @property
    def hosts(self) -> frozenset[str]:
        return frozenset(self.allowed_domains)

    def robots_roots(self) -> Iterator[scrapy.Request]:
        """Requests for the sitemaps robots.txt names that are not asked yet."""
        for url in self.robots_sitemaps:
            yield from self.probe(self.on_site(url), "sitemap")

    def probe(self, url: str, kind: str, quiet: bool = False) -> Iterator[scrapy.Request]:
        """A root source's request, once; `quiet`: a guess at a usual path (a 404 is fine)."""
        if url not in self.asked and self.owns(url):
            yield self.source_request(url, kind, None, guess=quiet)

    def owns(self, url: str) -> bool:
        return (urlsplit(url).hostname or "").lower() in self.hosts

    # Sitemaps and feeds.

    def source_request(
        self, url: str, kind: str, parent: str | None, guess: bool = False
    ) -> scrapy.Request:
        """A sitemap's or feed's request, conditional when an earlier run read it whole."""
        self.asked.add(url)
        self.tally.add("discovering", 1)
        if parent is not None:
            self.expect(parent, url)
        headers = {}
        if (known := self.known.get(url)) is not None:
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        return scrapy.Request(
            url,
            headers=headers,
            callback=self.parse_source,
            errback=self.source_failed,
            cb_kwargs={"kind": kind, "parent": parent, "guess": guess},
            meta={"handle_httpstatus_list": [304, 404, 410]},
            priority=10,  # sources first: they say what to fetch
            dont_filter=self.dont_filter,
        )

    def parse_source(
        self, response: Response, kind: str, parent: str | None, guess: bool
    ) -> Iterator[Any]:
        """The pages and sitemaps a sitemap or feed lists, each asked if new or changed."""
        self.tally.add("discovering", -1)
        url = requested_url(response.request) if response.request else response.url
        self.crawler.stats.inc_value("newsarchive/listing_pages")
        if response.status in (404, 410):
            if not guess:
                self.logger.warning("%s answered %s", url, response.status)
            yield from self.finished(url, record=False)
            yield from self.walk_if_nothing_listed()
            return
        state = {
            "url": url,
            "site": self.site.name,
            "kind": kind,
            "parent": parent,
            "lastmod": self.states.get(url, {}).get("lastmod"),
            "http_etag": header(response, "ETag"),
            "http_last_modified": header(response, "Last-Modified"),
            "entries": 0,
            "newest": None,
        }
        known = self.known.get(url)
        if response.status == 304 and known is not None:
            self.crawler.stats.inc_value("newsarchive/sources_not_modified")
            state.update(newest=known.newest, http_etag=known.etag or state["http_etag"])
            state["http_last_modified"] = known.last_modified or state["http_last_modified"]
            self.states[url] = {**self.states.get(url, {}), **state}
            yield from self.finished(url)
            return
        yield from self.robots_roots()
        yield from self.read_source(response, url, state)
        yield from self.walk_if_nothing_listed()

    def read_source(self, response: Response, url: str, state: dict[str, Any]) -> Iterator[Any]:
        maxsize = response.meta.get("download_maxsize", self.settings.getint("DOWNLOAD_MAXSIZE"))
        body = sitemap_body(response, maxsize)
        sitemap = read_sitemap(body, self.tz)
        entries: list[Entry] | None
        if sitemap is not None:
            state["kind"], entries = "sitemap", sitemap.entries
        else:
            state["kind"], entries = "feed", read_feed(response.body, url, self.tz)
        if entries is None:
            self.logger.warning("%s is neither a sitemap nor a feed", url)
            yield from self.finished(url, record=False)
            return
        if state["parent"] is None and url not in self.known:
            found = {**state, "lastmod": None, "http_etag": None, "http_last_modified": None}
            yield SourceFound(found)
        state["entries"] = len(entries)
        dates = [date for entry in entries for date in (entry.lastmod, entry.published_at) if date]
        state["newest"] = max(dates, key=datetime.fromisoformat, default=None)
        self.states[url] = state
        self.waiting.setdefault(url, set())
        if sitemap is not None and sitemap.is_index:
            yield from self.children(url, entries)
        else:
            via = "news sitemap" if sitemap and sitemap.news else state["kind"]
            yield from self.candidates(url, entries, via)
        yield from self.finished(url) if not self.waiting[url] else ()

    def children(self, index: str, entries: list[Entry]) -> Iterator[scrapy.Request]:
        """The sitemaps of an index that are new or whose lastmod moved since they were read."""
        for entry in entries:
            url = self.on_site(entry.url) if self.owns(entry.url) else None
            if url is None or url in self.asked:
                continue
            known = self.known.get(url)
            self.states[url] = {"lastmod": entry.lastmod}
            if known is not None and entry.lastmod and not later(entry.lastmod, known.lastmod):
                self.crawler.stats.inc_value("newsarchive/sitemaps_unchanged")
                continue
            yield self.source_request(url, "sitemap", index)

    def candidates(self, source: str, entries: list[Entry], via: str) -> Iterator[Any]:
        """Requests for the pages a sitemap or feed lists that are new or changed."""
        urls: dict[str, Entry] = {}
        for entry in entries:
            url = normalised_url(entry.url)
            if not self.owns(url):
                self.crawler.stats.inc_value("newsarchive/offsite_listed")
                continue
            urls.setdefault(rebased(url, self.base_url), entry)
        seen = self.frontier.seen(list(urls))
        failed = self.frontier.failed(list(urls))
        for url, entry in urls.items():
            yield from self.candidate(source, url, entry, via, seen.get(url), url in failed)

    def candidate(
        self, source: str, url: str, entry: Entry, via: str, seen: Seen | None, failed: bool
    ) -> Iterator[Any]:
        self.tally.add("listed", 1)
        if url in self.asked:
            if url not in self.done:
                self.expect(source, url)
            return
        if seen is not None and (seen.not_article or not later(entry.lastmod, seen.lastmod)):
            return  # judged before, or archived and not changed since
        if failed and seen is None and self.retries_failures:
            return  # tried again when due (`retry_requests`), never twice in a run
        self.asked.add(url)
        if self.site.article_path is not None:
            if self.site.article_key(url) is None:
                return  # not an article by the site's URL rule
        elif role := listing_by_address(url):
            self.crawler.stats.inc_value("newsarchive/not_articles")
            yield NotArticle(self.site.name, url, role, entry.lastmod)
            return
        self.expect(source, url)
        # A sitemap's only date is its lastmod: the date of a page that shows none.
        listed = Listed(url, via, entry.lastmod, entry.published_at or entry.lastmod)
        yield self.article_request(url, url, listed=listed, dont_filter=self.dont_filter)

    def expect(self, source: str, key: str) -> None:
        self.waiting.setdefault(source, set()).add(key)
        self.waited_by.setdefault(key, set()).add(source)

    def resolved(self, key: str, origin: Any) -> Iterator[Any]:
        self.done.add(key)
        if origin == WALK:
            self.tally.add("walk pending", -1)
            yield from self.walk_finished()
        for source in self.waited_by.pop(key, ()):
            waiting = self.waiting.get(source)
            if waiting is not None:
                waiting.discard(key)
                if not waiting and source in self.states and "url" in self.states[source]:
                    yield from self.finished(source)

    def finished(self, source: str, record: bool = True) -> Iterator[Any]:
        """A source all of whose entries are done: recorded, and done for its index."""
        state = self.states.get(source)
        if record and state is not None and "url" in state:
            yield SourceDone(state)
        yield from self.resolved(source, None)

    @ends_lease
    def source_failed(self, failure: Failure) -> Iterator[Any]:
        """A sitemap or feed that could not be read: its index is not done, so a later run
        asks it again; a guessed one that fails is no source."""
        request = failure.request  # type: ignore[attr-defined]  # Scrapy sets it for an errback
        self.tally.add("discovering", -1)
        url = requested_url(request)
        if failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            if request.cb_kwargs["parent"] is None and not self.tally.add("listed"):
                self.refuse(f"robots.txt of {self.base_url} forbids its sitemaps and feeds")
            self.logger.warning("robots.txt forbids %s", url)
        elif not request.cb_kwargs["guess"]:
            self.crawler.stats.inc_value("newsarchive/listing_failed")
            self.logger.error("sitemap or feed failed: %s (%s)", url, describe_failure(failure))
        yield from self.walk_if_nothing_listed()

    # The links walk, when no sitemap or feed lists a page.

    def walk_if_nothing_listed(self) -> Iterator[scrapy.Request]:
        """Start the links walk once every source has answered and none listed a page."""
        if self.tally.get("walking") or self.tally.add("discovering") or self.tally.add("listed"):
            return
        home_links = json.loads(self.tally.get("home links") or "[]")
        if not home_links or "links" not in (self.site.discovery or ("links",)):
            return
        if not self.tally.first("walking"):
            return
        yield from self.walk(home_links, 1)
        yield from self.walk_finished()

    def walk_source(self) -> dict[str, Any]:
        """The record of a links walk read to its end: the home page is its source."""
        return {
            "url": self.home, "site": self.site.name, "kind": "links", "parent": None,
            "lastmod": None, "newest": None, "entries": 0, "http_etag": None,
            "http_last_modified": None,
        }  # fmt: skip

    @property
    def dont_filter(self) -> bool:
        """Whether requests for pages a source lists skip the dupefilter: in one process the
        spider knows what it asked (`asked`) and every source that lists a page must see its
        answer; in a shared crawl the run's dupefilter keeps crawlers from asking a page twice,
        and a source whose page another crawler answered is not recorded (a rerun reads it
        again)."""
        return self.shared is None

    def walk_home(self) -> scrapy.Request:
        """A later run's links walk: the home page again, its links walked as before."""
        self.asked.add(self.home)
        return scrapy.Request(
            self.home, callback=self.parse_walk_home, errback=self.home_failed, dont_filter=True
        )

    def parse_walk_home(self, response: Response) -> Iterator[Any]:
        links = page_links(response.url, page_text(response), self.hosts)
        self.tally.put("home links", json.dumps(links))
        yield from self.robots_roots()
        yield from self.walk_if_nothing_listed()

    def walk(self, links: Iterable[str], depth: int) -> Iterator[Any]:
        """Requests for the linked pages not judged yet (and, at the top, the sections)."""
        urls = [rebased(normalised_url(link), self.base_url) for link in links]
        urls = [url for url in dict.fromkeys(urls) if url not in self.asked and self.owns(url)]
        seen = self.frontier.seen(urls)
        for url in urls:
            known = seen.get(url)
            if known is not None and (known.article_id or depth > REVISIT_DEPTH):
                continue
            if self.tally.add("walk pages") >= self.link_pages:
                self.crawler.stats.set_value("newsarchive/walk_cut", self.link_pages)
                return
            self.asked.add(url)
            self.tally.add("walk pages", 1)
            self.tally.add("walk pending", 1)
            listed = Listed(url, "link", depth=depth)
            yield self.article_request(url, url, WALK, listed=listed, dont_filter=self.dont_filter)

    def wants_links(self, listed: Listed) -> bool:
        return listed.by_link and listed.depth < self.link_depth

    def followed(
        self, response: Response, listed: Listed | None, links: list[str]
    ) -> Iterator[scrapy.Request]:
        if listed is not None and links:
            yield from self.walk(links, listed.depth + 1)

    def walk_finished(self) -> Iterator[Any]:
        """The walk's record, once every page it asked is done and no cap cut it."""
        if not self.tally.get("walking") or self.tally.add("walk pending"):
            return
        if not self.tally.first("walked"):
            return
        if not self.crawler.stats.get_value("newsarchive/walk_cut"):
            yield SourceDone(self.walk_source())
