"""«Сделано у нас» (sdelanounas.ru): its listing pages, the discovery no generic source covers.

Its article pages need no code: the registry's entry (`crawler.sites.SDELANOUNAS`) holds their
layout profile, link patterns and furniture, and the engine reads them by it. Listing pages show
posts in the real 2018 markup (`li.post#blog_<id>`); an unknown listing layout still gives
every link to an article of the site.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from lxml import etree

from ..items import ListingEntry
from ..sites import SDELANOUNAS
from ._boilerplate import GENERIC_CHROME, Keep, Removals, remove_containers
from ._dates import find_russian_numeric, parse_iso
from ._links import count_of, link_texts, links_to
from ._text import clean_inline
from ._tree import Element, elements, host_of, join_url, parse, strings, text_of

SITE = SDELANOUNAS
_POSTS = etree.XPath(
    "//li[contains(concat(' ', @class, ' '), ' post ')][starts-with(@id, 'blog_')]"
    "[not(contains(@class, 'banner-post'))]"
)
_POST_TITLE_LINKS = (
    etree.XPath(".//div[@class='title']//h2//a"),
    etree.XPath(".//h2//a"),
    etree.XPath(".//h1//a"),
)
_POST_TIMES = (etree.XPath(".//li[contains(@class, 'time')]"),)
_DATETIMES = etree.XPath(".//time/@datetime")


def _first(root: Element, xpaths: tuple[etree.XPath, ...]) -> Element | None:
    for xpath in xpaths:
        found = elements(xpath, root)
        if found:
            return found[0]
    return None


def parse_listing(url: str, html: str) -> list[ListingEntry]:
    """The posts of a listing page, newest first; ads skipped; empty when the page has none."""
    root = parse(html)
    posts = elements(_POSTS, root)
    if posts:
        return [
            _listing_entry(post, url)
            for post in posts
            if post.get("id", "").removeprefix("blog_").isdigit()
        ]
    return _bare_article_links(root, url)


def _listing_entry(post: Element, page_url: str) -> ListingEntry:
    native_id = post.get("id", "").removeprefix("blog_")
    title_link = _first(post, _POST_TITLE_LINKS)
    time = _first(post, _POST_TIMES)
    stamp = None
    if time is not None:
        datetimes = strings(_DATETIMES, time)
        stamp = parse_iso(datetimes[0]) if datetimes else None
        stamp = stamp or find_russian_numeric(text_of(time))
    links = SITE.links
    categories = link_texts(post, links.category or "")
    return ListingEntry(
        native_id=native_id,
        url=urljoin(page_url, f"/blogs/{native_id}/"),
        title=clean_inline(text_of(title_link)) if title_link is not None else "",
        published_at=stamp,
        author=next(iter(link_texts(post, links.author or "")), None),
        category=categories[0] if categories else None,
        comment_count=_comment_count(post),
        tags=link_texts(post, links.tag or ""),
    )


def _comment_count(post: Element) -> int | None:
    for link in links_to(post, SITE.links.comments or ""):
        if (count := count_of(link, loose=True)) is not None:
            return count
    return None


def _bare_article_links(root: Element, page_url: str) -> list[ListingEntry]:
    """Fallback for an unknown listing layout: every link to an article of this site
    outside the page chrome."""
    remove_containers(root, GENERIC_CHROME, Removals(), Keep(root))
    own_hosts = {*SITE.domains, urlsplit(page_url).hostname}
    entries: dict[str, ListingEntry] = {}
    for link in root.iter("a"):
        href = join_url(page_url, link.get("href"))
        if not href or host_of(href) not in own_hosts:
            continue
        native_id = _article_id(href)
        if native_id and native_id not in entries:
            title = clean_inline(text_of(link))
            entries[native_id] = ListingEntry(native_id=native_id, url=href, title=title)
    return list(entries.values())


def _article_id(url: str) -> str | None:
    """The id of a link to an article itself (not to its comments or its cut)."""
    return SITE.article_key(url) if "#" not in url and "?" not in url else None
