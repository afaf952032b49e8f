"""What sitemaps and feeds list: pure readers over their bytes, by well-kept libraries.

Sitemaps are read by Scrapy's own `Sitemap` (the parser of its SitemapSpider: lxml with
entities off, recovering from broken XML), gzipped ones unpacked by Scrapy's `gunzip` with the
crawl's size cap; Google News sitemaps' `<news:publication_date>` and `<news:title>`, which it
does not keep, are read from the same elements. Feeds, RSS and Atom of every version, are read
by feedparser, which copes with the broken feeds real sites serve.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

import feedparser
from lxml import etree
from scrapy.http import Response
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap

from .extract._dates import parse_iso

SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml")
FEED_PATHS = ("/feed/", "/rss.xml", "/rss/", "/atom.xml", "/feed.xml")
_NEWS_FIELDS = {"publication_date": "published_at", "title": "title"}


@dataclass(frozen=True)
class Entry:
    """One URL a sitemap or feed lists, with the dates it gives."""

    url: str
    lastmod: str | None = None  # ISO 8601, when the page last changed
    published_at: str | None = None  # ISO 8601 (news sitemaps and feeds)
    title: str | None = None


@dataclass(frozen=True)
class SitemapReading:
    """A sitemap: an index of other sitemaps, or a set of page URLs."""

    is_index: bool
    entries: list[Entry]
    news: bool = False  # a Google News sitemap


class _NewsSitemap(Sitemap):
    """Scrapy's Sitemap, keeping the fields of each entry's `<news:news>`."""

    __slots__ = ()

    def _process_sitemap_element(self, elem: etree._Element) -> dict[str, Any] | None:
        news = {
            _NEWS_FIELDS[name]: (child.text or "").strip()
            for child in elem.iter()
            if isinstance(child.tag, str)
            and "news" in child.tag.partition("}")[0]
            and (name := child.tag.partition("}")[2]) in _NEWS_FIELDS
        }
        found = super()._process_sitemap_element(elem)
        return {**found, **news} if found is not None else None


def sitemap_body(response: Response, max_size: int) -> bytes:
    """A sitemap's XML: gunzipped (within `max_size`) when the body is gzip's (a `.xml.gz`
    file; a sitemap sent with `Content-Encoding: gzip` is unpacked by Scrapy already)."""
    if gzip_magic_number(response):
        return gunzip(response.body, max_size=max_size)
    return response.body


def read_sitemap(body: bytes, tz: tzinfo | None) -> SitemapReading | None:
    """The sitemap's entries, or None for bytes that are no sitemap."""
    try:
        sitemap = _NewsSitemap(body)
    except (etree.XMLSyntaxError, StopIteration, ValueError):
        return None
    if sitemap.type not in ("sitemapindex", "urlset"):
        return None
    entries, news = [], False
    for item in sitemap:
        loc = (item.get("loc") or "").strip()
        if not loc:
            continue
        news = news or "published_at" in item
        entries.append(
            Entry(
                url=loc,
                lastmod=date_of(item.get("lastmod"), tz),
                published_at=date_of(item.get("published_at"), tz),
                title=item.get("title") or None,
            )
        )
    return SitemapReading(sitemap.type == "sitemapindex", entries, news)


def read_feed(body: bytes, url: str, tz: tzinfo | None) -> list[Entry] | None:
    """The posts an RSS or Atom feed lists, or None for bytes that are no feed."""
    parsed = feedparser.parse(body, response_headers={"content-location": url})
    if not parsed.get("version"):
        return None
    entries = []
    for item in parsed.entries:
        link = item.get("link") or next(
            (link.get("href") for link in item.get("links", ()) if link.get("href")), None
        )
        if not link:
            continue
        published = date_of(item.get("published"), tz)
        entries.append(
            Entry(
                url=link,
                # asked only if there: feedparser answers a missing one with the publication
                # date, and a deprecation warning
                lastmod=(date_of(item["updated"], tz) if "updated" in item else None) or published,
                published_at=published,
                title=item.get("title") or None,
            )
        )
    return entries


def date_of(value: str | None, tz: tzinfo | None) -> str | None:
    """An ISO 8601 date or an RFC 822 one (RSS), as ISO 8601 with its offset; a date without
    one is read in the site's time zone."""
    return parse_iso(value, tz) if value else None
