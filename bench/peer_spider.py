"""The peer: the pipeline a user would build by hand from Scrapy, trafilatura and sqlite-utils.

Usage: python bench/peer_spider.py --base-url URL --db FILE
       python bench/peer_spider.py --sitemap URL [--follow REGEX] --db FILE
The first form walks sdelanounas's listing pages (`/blogs/?page=N`, until one lists no article)
and follows each article link; the second is Scrapy's own SitemapSpider: the sitemap index, the
child sitemaps whose URL matches REGEX, and every page they list, each taken for an article.
Either extracts the article with `trafilatura.bare_extraction(..., with_metadata=True)` in its
callback, and writes (url, title, author, date, text) with sqlite-utils' `upsert_all` in batches
of 100. Same Scrapy settings as the bare spider (bench/bare_spider.py): ours on loopback without
our middlewares, extensions or pipelines; its own pipeline is the only component it adds.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import scrapy
import sqlite_utils
import trafilatura
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.http import Response
from scrapy.spiders import SitemapSpider

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.configure import crawl_settings

BATCH = 100


class PeerSpider(scrapy.Spider):
    """Listing pages in order, the articles each one links to."""

    name = "peer"

    def __init__(self, base_url: str, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def listing(self, page: int) -> scrapy.Request:
        url = f"{self.base_url}/blogs/?page={page}"
        return scrapy.Request(url, self.parse, priority=1, cb_kwargs={"page": page})

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.listing(0)

    def parse(self, response: Response, page: int) -> Iterator[scrapy.Request]:
        links = set(response.css("a::attr(href)").re(r"^/blogs/\d+/$"))
        for link in links:
            yield response.follow(link, self.parse_article)
        if links:
            yield self.listing(page + 1)

    def parse_article(self, response: Response) -> Iterator[dict[str, str | None]]:
        yield from extract(response)


class PeerSitemapSpider(SitemapSpider):
    """Every page the sitemap lists (an index: the children matching `follow`), as an article."""

    name = "peer-sitemap"
    sitemap_rules = (("", "parse_article"),)

    def __init__(self, sitemap: str, follow: str, **kwargs: object) -> None:
        self.sitemap_urls = [sitemap]
        self.sitemap_follow = [follow]
        super().__init__(**kwargs)

    def parse_article(self, response: Response) -> Iterator[dict[str, str | None]]:
        yield from extract(response)


def extract(response: Response) -> Iterator[dict[str, str | None]]:
    """The article's row, as trafilatura reads it; none where it finds nothing."""
    doc = trafilatura.bare_extraction(response.text, url=response.url, with_metadata=True)
    if doc is not None:
        yield {
            "url": response.url,
            "title": doc.title,
            "author": doc.author,
            "date": doc.date,
            "text": doc.text,
        }


class SqlitePipeline:
    """Rows upserted by URL, 100 at a time."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.rows: list[dict[str, str | None]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SqlitePipeline:
        return cls(crawler.settings["PEER_DB"])

    def open_spider(self) -> None:
        self.db = sqlite_utils.Database(self.path)

    def process_item(self, item: dict[str, str | None]) -> dict[str, str | None]:
        self.rows.append(item)
        if len(self.rows) >= BATCH:
            self.flush()
        return item

    def close_spider(self) -> None:
        self.flush()
        self.db.close()

    def flush(self) -> None:
        if self.rows:
            self.db.table("articles").upsert_all(self.rows, pk="url")
            self.rows = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="the served sdelanounas site")
    parser.add_argument("--sitemap", help="instead: the URL of a site's sitemap (or index)")
    parser.add_argument("--follow", default="", help="with --sitemap: child sitemaps to read")
    parser.add_argument("--db", required=True, help="the SQLite file to write")
    args = parser.parse_args()
    if bool(args.sitemap) == bool(args.base_url):
        parser.error("give either --base-url or --sitemap")
    settings = crawl_settings(Path("unused.db"), args.base_url or args.sitemap, {})
    for name in ("EXTENSIONS", "DOWNLOADER_MIDDLEWARES"):
        settings.set(name, {}, priority="cmdline")
    settings.set("ITEM_PIPELINES", {SqlitePipeline: 300}, priority="cmdline")
    settings.set("PEER_DB", args.db, priority="cmdline")
    process = CrawlerProcess(settings)
    if args.sitemap:
        process.crawl(PeerSitemapSpider, sitemap=args.sitemap, follow=args.follow)
    else:
        process.crawl(PeerSpider, base_url=args.base_url)
    process.start()


if __name__ == "__main__":
    main()
