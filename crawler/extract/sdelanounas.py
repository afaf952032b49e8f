"""«Сделано у нас» (sdelanounas.ru): article pages and listing pages.

Structured data and the selectors of the layouts known from the site come first; after them,
anchors that outlive a redesign: `h1`, `time[datetime]`, the site's URL patterns for authors
(`/account/<login>/`), categories (`/blogs/?id=<n>`) and tags (`/blogs/?search=<tag>`), and,
for the body, generic main-text detection. An article found that way is marked "fallback".
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree

from ..exceptions import ExtractionFailed
from ..items import Article, ListingEntry
from ..sites import get_site
from ._body import body_blocks, body_html
from ._boilerplate import (
    PAGE_CHROME,
    Removals,
    remove_containers,
    remove_furniture,
    strip_unreadable,
)
from ._content import common_ancestor, main_text_scores, text_outside
from ._dates import find_russian_numeric, parse_iso
from ._images import take_images
from ._structured import json_ld_article, meta_content
from ._text import clean_inline, unique_texts
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

SITE = get_site("sdelanounas").name
DOMAINS = get_site("sdelanounas").domains
ARTICLE_PATH = re.compile(r"^/blogs/(\d+)/?$")

# The title is the page's h1 with one of these classes, else its first h1 that has text.
TITLE_CLASSES = ("h1_openblog", "unique")
# The body is the first div with this class, else the first element with this itemprop.
BODY_CLASS = "__sun_article_text"
BODY_ITEMPROP = "articleBody"
# A profile body with less than this share of the page's best paragraph text is the wrong one.
THIN_BODY_SHARE = 0.5
_METADATA_HREF = re.compile(r"/account/|/blogs/\?(?:search|id)=|#(?:comments|cut)$")
_SOURCE_LABELS = etree.XPath(".//text()[contains(., 'Источник')]")
_LINE_TAGS = ("p", "div", "li", "span")
# Link targets, or parts of them, that mark a link's role.
_METADATA_TARGETS = ("/account/", "/blogs/?", "#")
_AUTHOR_TARGET = "/account/"
_TAG_TARGET = "/blogs/?search="
_CATEGORY_TARGET = "/blogs/?id="
_COMMENTS_TARGET = "#comments"
_DIGITS = re.compile(r"\d+")
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


def article_id(url: str) -> str | None:
    """The native id of an article URL, or None for any other page."""
    parts = urlsplit(url)
    match = ARTICLE_PATH.match(parts.path)
    return match.group(1) if match and not parts.query else None


def extract_article(url: str, html: str) -> Article:
    """The article on one page, or ExtractionFailed naming what the page lacks.

    lxml reads every page; only a page it cannot make sense of is read again with
    BeautifulSoup, whose slower tree repair recovers markup such as an unclosed `<title>`
    or content after `</html>`.
    """
    native_id = article_id(url)
    if native_id is None:
        raise ExtractionFailed("not an article URL", url)
    try:
        return _extract(url, native_id, parse(html))
    except ExtractionFailed as failure:
        repaired = repair(html)
        if repaired is None:
            raise failure from None
        return _extract(url, native_id, repaired)


def _extract(url: str, native_id: str, root: Element) -> Article:
    structured = json_ld_article(root)
    rating = _rating(root)
    removals = Removals()
    strip_unreadable(root, removals)
    remove_containers(root, PAGE_CHROME, removals, by_attributes=False)
    title_element, body, method = _locate(root, removals, url)
    title = clean_inline(text_of(title_element))
    if not title:
        raise ExtractionFailed("no title", url)
    scope = common_ancestor(title_element, body)

    source_url = _source_url(scope, url, {*DOMAINS, urlsplit(url).hostname})
    published = _published(structured, root, scope, body)
    if published is None:
        raise ExtractionFailed("no date", url)
    modified = _modified(structured, root)
    author_login, author = _author(scope)
    tags = _link_texts(scope, _TAG_TARGET)
    categories = _link_texts(scope, _CATEGORY_TARGET)
    comment_count = _comment_count(scope)

    images = take_images(body, url)
    _clean_body(body, title_element, removals)
    absolutise_links(body, url)
    blocks = body_blocks(body)
    if not blocks and not images:
        raise ExtractionFailed("no body", url)
    return Article(
        site=SITE,
        native_id=native_id,
        url=url,
        title=title,
        lead=blocks[0] if blocks else None,
        body_text="\n\n".join(blocks),
        body_html=body_html(body),
        published_at=published[0],
        published_at_source=published[1],
        modified_at=modified[0] if modified else None,
        modified_at_source=modified[1] if modified else None,
        author=author,
        author_login=author_login,
        category=categories[0] if categories else None,
        tags=tags,
        source_url=source_url,
        images=images,
        comment_count=comment_count,
        rating=rating,
        removals=removals.as_list(),
        extraction_method=method,
    )


def _first(root: Element, xpaths: tuple[etree.XPath, ...]) -> Element | None:
    for xpath in xpaths:
        found = xpath(root)
        if found:
            return found[0]
    return None


def _locate(root: Element, removals: Removals, url: str) -> tuple[Element, Element, str]:
    """(title, body, method): by the profile's selectors, else by generic main-text detection.

    With the profile, furniture is removed only around the article (cheap); the fallback
    cleans the whole page first, so that main-text detection cannot pick furniture.
    """
    title = _title(root)
    body = _profile_body(root)
    if title is not None and body is not None:
        remove_furniture(common_ancestor(title, body), PAGE_CHROME, removals)
        if not _is_thin(body, root):
            return title, body, "profile"
    remove_furniture(root, PAGE_CHROME, removals)
    title = _title(root)
    if title is None:
        raise ExtractionFailed("no title", url)
    scores = main_text_scores(root)
    if not scores:
        raise ExtractionFailed("no body", url)
    return title, max(scores, key=scores.__getitem__), "fallback"


def _profile_body(root: Element) -> Element | None:
    """The body as the profile knows it; elements are found by tag in C where possible, since
    an XPath over the whole page tests (and copies the attributes of) every node."""
    for div in root.iter("div"):
        if BODY_CLASS in (div.get("class") or ""):
            return div
    for element in root.iter():
        if element.get("itemprop") == BODY_ITEMPROP:
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


def _title(root: Element) -> Element | None:
    headings = [h1 for h1 in root.iter("h1") if text_of(h1).strip()]
    for name in TITLE_CLASSES:
        for h1 in headings:
            if name in (h1.get("class") or ""):
                return h1
    return headings[0] if headings else None


def _rating(root: Element) -> int | None:
    found = next((span for span in root.iter("span") if _is_rating(span)), None)
    if found is None:
        return None
    text = clean_inline(text_of(found)).replace("−", "-")
    return int(text) if re.fullmatch(r"[+-]?\d+", text) else None


def _is_rating(span: Element) -> bool:
    return "rating" in (span.get("class") or "") and any(
        "rate-block" in (div.get("class") or "") for div in span.iterancestors("div")
    )


def _published(
    structured: dict[str, Any], root: Element, scope: Element, body: Element
) -> tuple[str, str] | None:
    """(ISO date, where it came from), in order of trust: structured data, markup, text."""
    if parsed := parse_iso(str(structured.get("datePublished", ""))):
        return parsed, "json-ld"
    if parsed := parse_iso(meta_content(root, "article:published_time") or ""):
        return parsed, "meta"
    for time in scope.iterdescendants("time"):
        if time.get("datetime") is None:
            continue
        if time.get("itemprop") == "dateModified" or is_inside(time, body):
            continue
        if parsed := parse_iso(time.get("datetime")):
            return parsed, "time"
    if parsed := find_russian_numeric(text_outside(scope, body)):
        return parsed, "text"
    return None


def _modified(structured: dict[str, Any], root: Element) -> tuple[str, str] | None:
    if parsed := parse_iso(str(structured.get("dateModified", ""))):
        return parsed, "json-ld"
    if parsed := parse_iso(meta_content(root, "article:modified_time") or ""):
        return parsed, "meta"
    for time in root.iter("time"):
        value = time.get("datetime")
        if value is not None and _is_modification(time) and (parsed := parse_iso(value)):
            return parsed, "time"
    return None


def _is_modification(time: Element) -> bool:
    return time.get("itemprop") == "dateModified" or "modified" in (time.get("class") or "")


def _author(scope: Element) -> tuple[str | None, str | None]:
    for link in _links_to(scope, _AUTHOR_TARGET):
        name = clean_inline(text_of(link))
        login = unquote(link.get("href").split("/account/", 1)[1].strip("/"))
        if name or login:
            return login or None, name or login
    return None, None


def _link_texts(scope: Element, target: str) -> list[str]:
    """Texts of the links to target in order, without empty ones or repeats (ignoring case)."""
    return unique_texts(text_of(link) for link in _links_to(scope, target))


def _links_to(scope: Element, *targets: str) -> list[Element]:
    """Links inside scope whose href contains one of the targets, in document order.

    Links are found by tag in C; an XPath would test (and copy the attributes of) every node.
    """
    found = []
    for link in scope.iterdescendants("a"):
        href = link.get("href")
        if href is not None and any(target in href for target in targets):
            found.append(link)
    return found


def _links(scope: Element) -> list[Element]:
    """Links inside scope that have an href, in document order."""
    return [link for link in scope.iterdescendants("a") if link.get("href") is not None]


def _comment_count(scope: Element) -> int | None:
    for link in _links_to(scope, _COMMENTS_TARGET):
        for text in (text_of(link), link.get("title") or ""):
            if match := _DIGITS.search(text):
                return int(match.group())
    return None


def _source_url(scope: Element, page_url: str, own_hosts: set[str | None]) -> str | None:
    """The off-site link a «Источник» line names; the line itself leaves the page."""
    if not contains_text(scope, "Источник"):  # one serialisation, far cheaper than the XPath
        return None
    for text in _SOURCE_LABELS(scope):
        owner = text.getparent()
        if text.is_tail:
            owner = owner.getparent()
        if not text.strip().startswith("Источник"):
            continue
        line = (
            next(owner.iterancestors(*_LINE_TAGS), None) if owner.tag not in _LINE_TAGS else owner
        )
        for link in line.iter("a") if line is not None else ():
            href = join_url(page_url, link.get("href"))
            if href and host_of(href) not in own_hosts and href.startswith("http"):
                drop(line)
                return href
    return None


def _clean_body(body: Element, title: Element, removals: Removals) -> None:
    if is_inside(title, body) and title is not body:
        drop(title)
    for link in _links_to(body, *_METADATA_TARGETS):
        block = next(link.iterancestors("ul", "ol", "div", "p", "li"), None)
        if block is None or block is body or not is_inside(block, body):
            continue
        while block.getparent() is not body and _is_metadata_toolbar(block.getparent()):
            block = block.getparent()
        if _is_metadata_toolbar(block):
            removals.remove(block, "metadata-toolbar", "container")


def _is_metadata_toolbar(block: Element) -> bool:
    links = _links(block)
    if not links or not all(_METADATA_HREF.search(a.get("href")) for a in links):
        return False
    text = clean_inline(text_of(block))
    link_text = sum(len(clean_inline(text_of(a))) for a in links)
    return len(text) - link_text <= max(40, len(text) // 2)


def parse_listing(url: str, html: str) -> list[ListingEntry]:
    """The posts of a listing page, newest first; ads skipped; empty when the page has none."""
    root = parse(html)
    posts = _POSTS(root)
    if posts:
        return [
            _listing_entry(post, url)
            for post in posts
            if post.get("id", "").removeprefix("blog_").isdigit()
        ]
    return _bare_article_links(root, url)


def _listing_entry(post: Element, page_url: str) -> ListingEntry:
    native_id = post.get("id").removeprefix("blog_")
    title_link = _first(post, _POST_TITLE_LINKS)
    time = _first(post, _POST_TIMES)
    stamp = None
    if time is not None:
        datetimes = _DATETIMES(time)
        stamp = parse_iso(datetimes[0]) if datetimes else None
        stamp = stamp or find_russian_numeric(text_of(time))
    categories = _link_texts(post, _CATEGORY_TARGET)
    return ListingEntry(
        native_id=native_id,
        url=urljoin(page_url, f"/blogs/{native_id}/"),
        title=clean_inline(text_of(title_link)) if title_link is not None else "",
        published_at=stamp,
        author=_author(post)[1],
        category=categories[0] if categories else None,
        comment_count=_comment_count(post),
        tags=_link_texts(post, _TAG_TARGET),
    )


def _bare_article_links(root: Element, page_url: str) -> list[ListingEntry]:
    """Fallback for an unknown listing layout: every link to an article of this site
    outside the page chrome."""
    remove_containers(root, PAGE_CHROME, Removals())
    own_hosts = {*DOMAINS, urlsplit(page_url).hostname}
    entries: dict[str, ListingEntry] = {}
    for link in _links(root):
        href = join_url(page_url, link.get("href"))
        native_id = article_id(href) if href and host_of(href) in own_hosts else None
        if native_id and native_id not in entries:
            title = clean_inline(text_of(link))
            entries[native_id] = ListingEntry(native_id=native_id, url=href, title=title)
    return list(entries.values())
