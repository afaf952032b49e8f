"""The extraction engine: one page in, one Article out, every field with its evidence.

The registry picks the site by the URL's host (or the caller names it); the site's profile
and the generic rules then read each field by its chain (`_fields`, `_links`). The body is
the profile's where a layout profile finds one that holds the page's text, else the generic
reader's (`_reader`); which one it was is recorded, not judged: whether a page lost anything
is for the crawl to say, comparing fields with the site's archive.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from ..exceptions import ExtractionFailed, NotAnArticle
from ..items import Article, Image
from ..sites import Site, site_for_url
from . import _fields, _kind, _links
from ._body import body_blocks, body_html
from ._boilerplate import (
    GENERIC_CHROME,
    Keep,
    Removals,
    remove_containers,
    remove_furniture,
    strip_unreadable,
)
from ._content import common_ancestor, main_text_scores
from ._dates import is_date_line, zone
from ._encoding import decode_html
from ._images import pictures_around, take_images
from ._language import detect_language
from ._page import Found, Page
from ._reader import read_main_text
from ._structured import read_structured
from ._text import clean_inline
from ._tree import (
    Element,
    absolutise_links,
    contains_text,
    drop,
    host_of,
    is_inside,
    join_url,
    parse,
    repair,
    text_of,
)

# A profile body with less than this share of the page's best paragraph text is the wrong one.
THIN_BODY_SHARE = 0.5
_DATE_LINE_TAGS = ("p", "div", "span", "time", "li", "small", "dd")
_DATE_LINE_PARTS = 3  # a date line holds a few inline parts at most (a time, a span)
_ECHO_TAGS = ("a", "p", "div", "span", "li", "small", "dd", "dt")
# The words that find the generic body's place in the page are at least this long.
_WORD = re.compile(r"\w{5,}")


def extract_page(
    url: str,
    html: str | bytes,
    site: Site | None = None,
    found_by: str | None = None,
    listed_date: str | None = None,
) -> Article:
    """The article on one page, or ExtractionFailed naming what the page lacks.

    `html` is the page's text, or its bytes (decoded by their declared charset, else as they
    look). `site` is the registry entry to read it by; by default, the one that owns the URL's
    host. lxml reads every page; only a page it cannot make sense of is read again with
    BeautifulSoup, whose slower tree repair recovers markup such as an unclosed `<title>`.
    `found_by` is how a crawl found a candidate page ("sitemap", "news sitemap", "feed" or
    "link"): the page is then judged, and NotAnArticle says why one is no article (see
    `_kind`); `listed_date` is the publication date its sitemap or feed gives, the page's own
    where it shows none.
    """
    site = site or site_for_url(url)
    text = decode_html(html) if isinstance(html, bytes) else html
    key = site.article_key(url)
    if key is None:
        raise ExtractionFailed("not an article URL", url)
    try:
        return _extract(url, key, site, parse(text), found_by, listed_date)
    except ExtractionFailed as failure:
        repaired = repair(text) if failure.reason != "not an article URL" else None
        if repaired is None:
            raise failure from None
        return _extract(url, key, site, repaired, found_by, listed_date)


def _extract(
    url: str,
    key: str,
    site: Site,
    root: Element,
    found_by: str | None,
    listed_date: str | None,
) -> Article:
    page = _page(url, site, root)
    rating = _fields.rating(page)  # before its box goes as furniture
    strip_unreadable(root, page.removals)
    shape = _kind.teasers(page) if found_by is not None else (0, 0)
    headline = _fields.title_element(page)
    page.title = headline.value if headline is not None else None
    method = _locate_body(page)
    found = _metadata(page, headline, rating)
    # Whether the page, or a feed or news sitemap, dates it (a plain sitemap's lastmod may be
    # any page's: it is the page's date, not a sign of an article).
    dated = found["published_at"] is not None or bool(listed_date and found_by != "sitemap")
    if found["published_at"] is None and found_by and listed_date:
        found["published_at"] = _fields.listed_date(page, listed_date, found_by)
    if found["title"] is None:
        raise ExtractionFailed("no title", url)
    if found["published_at"] is None and "published_at" in site.required:
        raise ExtractionFailed("no date", url)
    echoes = [str(echo.value) for echo in (found["category"], found["author"]) if echo]
    blocks, body, images = _read_body(page, echoes)
    if body is None or (not blocks and not images):
        raise ExtractionFailed("no body", url)
    if found["language"] is None and (language := detect_language(" ".join(blocks[:20]))):
        found["language"] = Found(language, "detected")
    by_link = found_by == "link"
    if found_by and (reason := _kind.not_article(page, blocks, shape, dated, by_link)):
        raise NotAnArticle(reason, url)
    sources = {name: value.source for name, value in found.items() if value is not None}
    sources["body"] = method
    if images:
        sources["images"] = method
    values: dict[str, Any] = {
        name: value.value if value is not None else None for name, value in found.items()
    }
    kept_url = _canonical(page)
    if site.article_path is None:  # known by its URL: the one it is kept under
        key = site.article_key(kept_url) or key
    return Article(
        site=site.name,
        native_id=key,
        url=kept_url,
        lead=blocks[0] if blocks else None,
        body_text="\n\n".join(blocks),
        body_html=body_html(body),
        published_at_source=sources.get("published_at"),
        modified_at_source=sources.get("modified_at"),
        tags=values.pop("tags") or [],
        images=images,
        removals=page.removals.as_list(),
        extraction_method="profile" if method == "profile" else "fallback",
        field_sources=dict(sorted(sources.items())),
        **values,
    )


def _metadata(
    page: Page, headline: Found[Element] | None, rating: Found[int] | None
) -> dict[str, Found[Any] | None]:
    """Every field but the body, each read by its chain; the source line leaves the page."""
    author, login = _fields.author(page)
    return {
        "title": _fields.title_text(page, headline),
        "source_url": _links.source_url(page),
        "published_at": _fields.published(page),
        "modified_at": _fields.modified(page),
        "author": author,
        "author_login": Found(login, "profile") if login else None,
        "category": _fields.category(page),
        "tags": _fields.tags(page),
        "comment_count": _links.comment_count(page),
        "rating": rating,
        "language": _fields.language(page),
    }


def _page(url: str, site: Site, root: Element) -> Page:
    own = {host for host in (*site.domains, host_of(url)) if host}
    return Page(
        url=url,
        site=site,
        tz=zone(site.time_zone),
        root=root,
        data=read_structured(root),
        removals=Removals(),
        own_hosts=frozenset(own),
    )


def _canonical(page: Page) -> str:
    """The URL the archive keeps: the site's rule rebuilt; for a site known by its URLs, the
    page's canonical link when it is on the site's own hosts and names a page of its own (a
    canonical link to the home page would give every article the same URL)."""
    canonical = page.data.canonical
    if page.site.article_path is None and canonical:
        absolute = join_url(page.url, canonical)
        if absolute and host_of(absolute) in page.own_hosts and urlsplit(absolute).path.strip("/"):
            return page.site.canonical_url(absolute)
    return page.site.canonical_url(page.url)


def _locate_body(page: Page) -> str:
    """Find the body ("profile" or "generic"), removing the page's furniture around it.

    With the profile, furniture is removed only around the article (cheap); the generic path
    cleans the whole page first, so that the reader cannot pick furniture. No rule removes an
    element holding the title, the body or most of the page's text.
    """
    root, site, title = page.root, page.site, page.title
    body = _profile_body(page)
    keep = Keep(root, (title, body))
    remove_containers(root, GENERIC_CHROME, page.removals, keep, False)
    rules = site.chrome + GENERIC_CHROME
    if body is not None:
        scope = common_ancestor(title, body) if title is not None else body
        remove_furniture(scope, rules, site.furniture, page.removals, keep)
        if not _is_thin(body, root):
            page.body, page.live_body, page.scope = body, body, scope
            return "profile"
    remove_furniture(root, rules, site.furniture, page.removals, keep.keeping((title,)))
    page.body = read_main_text(root, title, page.removals)
    page.scope = _scope(title, page.body, root)
    return "generic"


def _profile_body(page: Page) -> Element | None:
    """The body as a layout profile knows it; found by tag in C where possible."""
    for layout in page.site.layouts:
        for div in page.root.iter("div"):
            classes = (div.get("class") or "").split()
            if any(name in classes for name in layout.body_classes):
                return div
        for name in layout.body_itemprops:
            for element in page.data.itemprops.get(name, ()):
                return element
    return None


def _is_thin(body: Element, root: Element) -> bool:
    """Whether the page has far more main text elsewhere than in this body."""
    own_length = len(text_of(body))
    if own_length >= THIN_BODY_SHARE * (len(text_of(root)) - own_length):
        return False  # no other container can hold twice the body's text
    scores = main_text_scores(root)
    own = sum(score for element, score in scores.items() if is_inside(element, body))
    return own < THIN_BODY_SHARE * max(scores.values(), default=0)


def _scope(title: Element | None, body: Element | None, root: Element) -> Element | None:
    """The part of the page that holds the article: the lowest ancestor of the title that
    holds the body's first and last words (the generic body is a copy, not in the page)."""
    if title is None or body is None:
        return None
    text = text_of(body)
    needles = [needle for needle in (_needle(text[:300]), _needle(text[-300:])) if needle]
    if not needles:
        return None
    node = title
    while (parent := node.getparent()) is not None:
        node = parent
        if all(contains_text(node, needle) for needle in needles):
            return node
    return node


def _needle(text: str) -> str | None:
    words = _WORD.findall(text)
    return max(words, key=len) if words else None


def _remove_date_lines(body: Element, removals: Removals) -> None:
    """Remove the blocks of the body that only say when it was published (a byline's date)."""
    for element in list(body.iter(*_DATE_LINE_TAGS)):
        if element is body or len(element) > _DATE_LINE_PARTS or not is_inside(element, body):
            continue
        text = clean_inline(text_of(element))
        if text and is_date_line(text):
            removals.remove(element, "date-line", "container")


def _remove_echoes(body: Element, echoes: list[str], removals: Removals) -> None:
    """Remove lines of the body that only repeat the article's rubric or author (a kicker
    link above the headline, a byline): they are fields, not text."""
    wanted = {echo.casefold() for echo in echoes if echo and contains_text(body, echo)}
    if not wanted:
        return
    for element in list(body.iter(*_ECHO_TAGS)):
        if element is body or not is_inside(element, body) or len(element) > 1:
            continue
        if clean_inline(text_of(element)).casefold() in wanted:
            removals.remove(element, "metadata-line", "container")


def _read_body(page: Page, echoes: list[str]) -> tuple[list[str], Element | None, list[Image]]:
    """The body's text blocks, the body element (cleaned, links absolute) and its images;
    `echoes` are metadata values (rubric, author) whose lone lines in the body are removed."""
    body = page.body
    if body is None:
        return [], None, []
    title = page.title
    if title is not None and title is not body and is_inside(title, body):
        drop(title)
    _links.remove_metadata_toolbars(page, body, page.removals)
    _remove_date_lines(body, page.removals)
    _remove_echoes(body, echoes, page.removals)
    images = pictures_around(page.region(), page.url, take_images(body, page.url))
    absolutise_links(body, page.url)
    return body_blocks(body), body, images
