"""Sitemap XML as the sitemaps.org protocol and Google News describe it.

A sitemap index lists its children with the newest lastmod of each child's entries, which is
what lets a crawler skip the children that did not change since its last visit.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
IMAGE_NS = "http://www.google.com/schemas/sitemap-image/1.1"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True)
class News:
    """The `<news:news>` part of an entry."""

    publication: str
    language: str
    published: str
    title: str


@dataclass(frozen=True)
class Entry:
    loc: str
    lastmod: datetime | None = None
    news: News | None = None
    image: str | None = None


Stamp = Callable[[datetime], str]


def iso(moment: datetime) -> str:
    return moment.isoformat()


def urlset(entries: Iterable[Entry], stamp: Stamp = iso) -> str:
    """A `<urlset>`; the news and image namespaces are declared when an entry uses them."""
    entries = list(entries)
    namespaces = f'xmlns="{SITEMAP_NS}"'
    if any(entry.news for entry in entries):
        namespaces += f' xmlns:news="{NEWS_NS}"'
    if any(entry.image for entry in entries):
        namespaces += f' xmlns:image="{IMAGE_NS}"'
    return f"{HEAD}<urlset {namespaces}>\n{''.join(_url(e, stamp) for e in entries)}</urlset>\n"


def sitemap_index(children: Iterable[Entry], stamp: Stamp = iso) -> str:
    items = "".join(
        f"<sitemap><loc>{escape(child.loc)}</loc>{_lastmod(child.lastmod, stamp)}</sitemap>\n"
        for child in children
    )
    return f'{HEAD}<sitemapindex xmlns="{SITEMAP_NS}">\n{items}</sitemapindex>\n'


def newest(entries: Iterable[Entry]) -> datetime | None:
    """The lastmod an index gives a child: the newest of its entries."""
    return max((entry.lastmod for entry in entries if entry.lastmod), default=None)


def gzipped(text: str) -> bytes:
    """Gzip with a fixed header time, so the same sitemap always gives the same bytes."""
    return gzip.compress(text.encode("utf-8"), mtime=0)


def _url(entry: Entry, stamp: Stamp) -> str:
    parts = [f"<loc>{escape(entry.loc)}</loc>", _lastmod(entry.lastmod, stamp)]
    if entry.image:
        parts.append(f"<image:image><image:loc>{escape(entry.image)}</image:loc></image:image>")
    if news := entry.news:
        parts.append(
            "<news:news><news:publication>"
            f"<news:name>{escape(news.publication)}</news:name>"
            f"<news:language>{news.language}</news:language></news:publication>"
            f"<news:publication_date>{news.published}</news:publication_date>"
            f"<news:title>{escape(news.title)}</news:title></news:news>"
        )
    return f"<url>{''.join(parts)}</url>\n"


def _lastmod(moment: datetime | None, stamp: Stamp) -> str:
    return f"<lastmod>{stamp(moment)}</lastmod>" if moment else ""
