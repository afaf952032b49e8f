"""Where a page leads: its links to the site's own pages, and the feeds it names.

A crawl of a site without sitemaps or feeds walks these links from the home page; the home
page's `<link rel=alternate>` feeds are where a feed is looked for first.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from ._tree import host_of, join_url, parse

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
# Addresses of files, not pages: never fetched as candidates.
_FILE = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|ico|css|js|json|xml|rss|atom|pdf|zip|gz|mp[34]|avi|mov|"
    r"docx?|xlsx?|pptx?|woff2?|ttf|txt)$",
    re.I,
)


def page_links(url: str, html: str, hosts: frozenset[str]) -> list[str]:
    """The page's links to pages of these hosts, absolute, without fragments, in page order,
    each once; links to files, and `rel=nofollow` ones, left out."""
    root = parse(html)
    found: dict[str, None] = {}
    for link in root.iter("a"):
        if "nofollow" in (link.get("rel") or "").lower().split():
            continue
        target = join_url(url, link.get("href"))
        if not target or host_of(target) not in hosts:
            continue
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or _FILE.search(parts.path):
            continue
        found.setdefault(urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, "")))
    return list(found)


def feed_links(url: str, html: str) -> list[str]:
    """The feeds the page names in `<link rel=alternate>`, absolute; a feed of comments only
    where the page names no other (its entries are comments, not posts)."""
    root = parse(html)
    feeds: list[tuple[bool, str]] = []
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").strip().lower()
        if "alternate" not in rel or kind not in FEED_TYPES:
            continue
        target = join_url(url, link.get("href"))
        if target:
            about_comments = "comment" in f"{link.get('title') or ''} {target}".lower()
            feeds.append((about_comments, target))
    posts = [target for about_comments, target in feeds if not about_comments]
    return posts or [target for _, target in feeds]
