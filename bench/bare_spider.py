"""The baseline crawler: plain Scrapy fetching a site's listings and articles, nothing more.

Usage: python bench/bare_spider.py --base-url URL --articles N
       python bench/bare_spider.py --sitemap URL [--follow REGEX]
The first form requests the sdelanounas simulator's listing pages and articles; the second is
Scrapy's own SitemapSpider: the sitemap index, the child sitemaps whose URL matches REGEX, and
every page they list. Same Scrapy settings as `newsarchive crawl` on loopback (robots.txt,
concurrency, headers, no throttling), without any of our middlewares, extensions or pipelines:
no parsing of pages, no archive.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from scrapy.spiders import SitemapSpider

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.configure import crawl_settings
from tests.sitesim.corpus import FIRST_ID

PER_PAGE = 10


class BareSpider(scrapy.Spider):
    """Requests every listing page (through the empty one) and every article; reads nothing."""

    name = "bare"

    def __init__(self, base_url: str, articles: int, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self.articles = articles

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for page in range(-(-self.articles // PER_PAGE) + 1):
            yield scrapy.Request(f"{self.base_url}/blogs/?page={page}", dont_filter=True)
        for native_id in range(FIRST_ID + self.articles - 1, FIRST_ID - 1, -1):
            yield scrapy.Request(f"{self.base_url}/blogs/{native_id}/", dont_filter=True)

    def parse(self, response: Response) -> None:
        """Nothing: the baseline only fetches."""


class BareSitemapSpider(SitemapSpider):
    """Reads the sitemap (an index: the children matching `follow`) and requests every page it
    lists; reads nothing of those pages."""

    name = "bare-sitemap"

    def __init__(self, sitemap: str, follow: str, **kwargs: object) -> None:
        self.sitemap_urls = [sitemap]
        self.sitemap_follow = [follow]
        super().__init__(**kwargs)

    def parse(self, response: Response) -> None:
        """Nothing: the baseline only fetches."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="the served sdelanounas site")
    parser.add_argument("--articles", type=int, help="articles the sdelanounas site serves")
    parser.add_argument("--sitemap", help="instead: the URL of a site's sitemap (or index)")
    parser.add_argument("--follow", default="", help="with --sitemap: child sitemaps to read")
    args = parser.parse_args()
    if bool(args.sitemap) == bool(args.base_url and args.articles is not None):
        parser.error("give either --base-url and --articles, or --sitemap")
    settings = crawl_settings(Path("unused.db"), args.base_url or args.sitemap, {})
    for name in ("ITEM_PIPELINES", "EXTENSIONS", "DOWNLOADER_MIDDLEWARES"):
        settings.set(name, {}, priority="cmdline")
    process = CrawlerProcess(settings)
    if args.sitemap:
        process.crawl(BareSitemapSpider, sitemap=args.sitemap, follow=args.follow)
    else:
        process.crawl(BareSpider, base_url=args.base_url, articles=args.articles)
    process.start()


if __name__ == "__main__":
    main()
