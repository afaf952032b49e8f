"""«Сделано у нас» (sdelanounas.ru): article pages and listing pages.

Selectors for the layouts known from the site come first; after them, anchors that outlive a
redesign: `h1`, `time[datetime]`, the site's URL patterns for authors (`/account/<login>/`),
categories (`/blogs/?id=<n>`) and tags (`/blogs/?search=<tag>`), and the main-text detector.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
from lxml import etree
from lxml.html import HtmlElement, soupparser

from ..exceptions import ExtractionFailed
from ..items import Article, Image, ListingEntry
from ._body import body_blocks, body_html, normalise_tree_text
from ._boilerplate import (
    PAGE_CHROME,
    UNREADABLE,
    remove_containers,
    remove_share_toolbars,
    remove_signatures,
)
from ._content import common_ancestor, contains, densest_text_container, first_match
from ._dates import find_russian_numeric, parse_iso
from ._text import clean_inline

SITE = "sdelanounas"
DOMAINS = ("sdelanounas.ru", "www.sdelanounas.ru")
ARTICLE_PATH = re.compile(r"^/blogs/(\d+)/?$")

TITLE_XPATHS = (
    "//h1[contains(@class, 'h1_openblog')]",
    "//h1[contains(@class, 'unique')]",
    "//h1[normalize-space()]",
)
BODY_XPATHS = (
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' __sun_article_text ')]",
    "//*[@itemprop='articleBody']",
)
_METADATA_HREF = re.compile(r"/account/|/blogs/\?(?:search|id)=|#(?:comments|cut)$")
_DIGITS = re.compile(r"\d+")


def article_id(url: str) -> str | None:
    """The native id of an article URL, or None for any other page."""
    parts = urlsplit(url)
    match = ARTICLE_PATH.match(parts.path)
    return match.group(1) if match and not parts.query else None


def parse(html: str) -> HtmlElement:
    """The page as an lxml tree (lxml's parser repairs broken markup well enough here)."""
    return lxml.html.document_fromstring(html or "<html></html>")


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


def repair(html: str) -> HtmlElement | None:
    """The page as BeautifulSoup's tolerant parser rebuilds it, or None if even that fails."""
    try:
        return soupparser.fromstring(html)
    except ValueError:
        return None


def _extract(url: str, native_id: str, root: HtmlElement) -> Article:
    fired: list[str] = []
    remove_containers(root, UNREADABLE, fired)
    rating = _rating(root)
    remove_containers(root, PAGE_CHROME, fired)
    remove_share_toolbars(root, fired)
    remove_signatures(root, fired)

    title_element = first_match(root, TITLE_XPATHS)
    title = clean_inline(title_element.text_content()) if title_element is not None else ""
    if not title:
        raise ExtractionFailed("no title", url)
    body = first_match(root, BODY_XPATHS)
    if body is None:
        body = densest_text_container(root)
    if body is None:
        raise ExtractionFailed("no body", url)
    scope = common_ancestor(title_element, body)

    own_hosts = {*DOMAINS, urlsplit(url).hostname}
    source_url = _source_url(scope, url, own_hosts)
    published_at = _published_at(scope, body, root)
    if published_at is None:
        raise ExtractionFailed("no date", url)
    author_login, author = _author(scope)
    tags = _link_texts(scope, ".//a[contains(@href, '/blogs/?search=')]")
    categories = _link_texts(scope, ".//a[contains(@href, '/blogs/?id=')]")

    images = _take_images(body, url)
    _clean_body(body, title_element, fired)
    normalise_tree_text(body)
    blocks = body_blocks(body)
    if not blocks:
        raise ExtractionFailed("no body", url)
    return Article(
        site=SITE,
        native_id=native_id,
        url=url,
        title=title,
        lead=blocks[0],
        body_text="\n\n".join(blocks),
        body_html=body_html(body),
        published_at=published_at,
        author=author,
        author_login=author_login,
        category=categories[0] if categories else None,
        tags=tags,
        source_url=source_url,
        images=images,
        comment_count=_comment_count(scope),
        rating=rating,
        boilerplate_removed=fired,
    )


_RATING = etree.XPath("//*[contains(@class, 'rate-block')]//*[contains(@class, 'rating')]")


def _rating(root: HtmlElement) -> int | None:
    found = _RATING(root)
    if not found:
        return None
    text = clean_inline(found[0].text_content()).replace("−", "-")
    return int(text) if re.fullmatch(r"[+-]?\d+", text) else None


def _text_outside(root: HtmlElement, excluded: HtmlElement) -> str:
    parts: list[str] = []

    def walk(node: HtmlElement) -> None:
        if node is excluded or not isinstance(node.tag, str):
            return
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(root)
    return " ".join(parts)


def _published_at(scope: HtmlElement, body: HtmlElement, root: HtmlElement) -> str | None:
    for time in scope.xpath(".//time[@datetime]"):
        if not contains(body, time) and (parsed := parse_iso(time.get("datetime"))):
            return parsed
    for meta in root.xpath("//meta[@property='article:published_time']/@content"):
        if parsed := parse_iso(meta):
            return parsed
    return find_russian_numeric(_text_outside(scope, body))


def _author(scope: HtmlElement) -> tuple[str | None, str | None]:
    for link in scope.xpath(".//a[contains(@href, '/account/')]"):
        name = clean_inline(link.text_content())
        login = unquote(link.get("href").split("/account/", 1)[1].strip("/"))
        if name or login:
            return login or None, name or login
    return None, None


def _link_texts(scope: HtmlElement, xpath: str) -> list[str]:
    texts: list[str] = []
    for link in scope.xpath(xpath):
        text = clean_inline(link.text_content())
        if text and text not in texts:
            texts.append(text)
    return texts


def _comment_count(scope: HtmlElement) -> int | None:
    for link in scope.xpath(".//a[contains(@href, '#comments')]"):
        for text in (link.text_content(), link.get("title") or ""):
            if match := _DIGITS.search(text):
                return int(match.group())
    return None


def _source_url(scope: HtmlElement, page_url: str, own_hosts: set[str | None]) -> str | None:
    labelled = scope.xpath(
        ".//*[self::p or self::div or self::li or self::span]"
        "[starts-with(normalize-space(.), 'Источник')][.//a[@href]]"
    )
    for element in sorted(labelled, key=lambda e: len(e.text_content())):
        for link in element.iter("a"):
            href = urljoin(page_url, link.get("href", ""))
            if urlsplit(href).hostname not in own_hosts and href.startswith("http"):
                element.drop_tree()
                return href
    return None


def _take_images(body: HtmlElement, page_url: str) -> list[Image]:
    """Images of the body as data; their blocks (and credits) leave the body."""
    images = []
    for img in list(body.iter("img")):
        src = img.get("src")
        if not src:
            continue
        link = next((a for a in img.iterancestors("a") if a.get("href")), None)
        block = next(img.iterancestors("ul", "figure"), None)
        credit = caption = None
        if block is not None:
            credit_node = block.xpath(".//*[contains(@class, 'img-source')]")
            credit = _credit(credit_node[0].text_content()) if credit_node else None
            caption = clean_inline(" ".join(block.xpath(".//figcaption//text()"))) or None
        images.append(
            Image(
                url=urljoin(page_url, src),
                full_url=urljoin(page_url, link.get("href")) if link is not None else None,
                credit=credit,
                caption=caption or clean_inline(img.get("alt")) or None,
            )
        )
        doomed = block if block is not None else (link if link is not None else img)
        if doomed.getparent() is not None:
            doomed.drop_tree()
    return images


def _credit(text: str) -> str | None:
    return clean_inline(text).lstrip("©").strip() or None


def _clean_body(body: HtmlElement, title: HtmlElement, fired: list[str]) -> None:
    if contains(body, title) and title is not body:
        title.drop_tree()
    for block in list(body.iter("ul", "ol", "div", "p", "li")):
        if block.getparent() is None or block is body:
            continue
        if _is_metadata_toolbar(block):
            block.drop_tree()
            if "metadata-toolbar" not in fired:
                fired.append("metadata-toolbar")


def _is_metadata_toolbar(block: HtmlElement) -> bool:
    links = block.xpath(".//a[@href]")
    if not links or not all(_METADATA_HREF.search(a.get("href")) for a in links):
        return False
    text = clean_inline(block.text_content())
    link_text = sum(len(clean_inline(a.text_content())) for a in links)
    return len(text) - link_text <= max(40, len(text) // 2)


def parse_listing(url: str, html: str) -> list[ListingEntry]:
    """The posts of a listing page, newest first; ads skipped; empty when the page has none."""
    root = parse(html)
    posts = root.xpath(
        "//li[contains(concat(' ', @class, ' '), ' post ')][starts-with(@id, 'blog_')]"
        "[not(contains(@class, 'banner-post'))]"
    )
    if posts:
        return [_listing_entry(post, url) for post in posts]
    return _bare_article_links(root, url)


def _listing_entry(post: HtmlElement, page_url: str) -> ListingEntry:
    native_id = post.get("id").removeprefix("blog_")
    title_link = first_match(post, (".//div[@class='title']//h2//a", ".//h2//a", ".//h1//a"))
    time = first_match(post, (".//li[contains(@class, 'time')]",))
    stamp = None
    if time is not None:
        datetimes = time.xpath(".//time/@datetime")
        stamp = parse_iso(datetimes[0]) if datetimes else None
        stamp = stamp or find_russian_numeric(time.text_content())
    categories = _link_texts(post, ".//a[contains(@href, '/blogs/?id=')]")
    author = _author(post)[1]
    return ListingEntry(
        native_id=native_id,
        url=urljoin(page_url, f"/blogs/{native_id}/"),
        title=clean_inline(title_link.text_content()) if title_link is not None else "",
        published_at=stamp,
        author=author,
        category=categories[0] if categories else None,
        comment_count=_comment_count(post),
        tags=_link_texts(post, ".//a[contains(@href, '/blogs/?search=')]"),
    )


def _bare_article_links(root: HtmlElement, page_url: str) -> list[ListingEntry]:
    """Fallback for an unknown listing layout: every article link in the main column."""
    remove_containers(root, PAGE_CHROME, [])
    entries: dict[str, ListingEntry] = {}
    for link in root.xpath("//a[@href]"):
        href = urljoin(page_url, link.get("href"))
        native_id = article_id(href)
        if native_id and native_id not in entries:
            title = clean_inline(link.text_content())
            entries[native_id] = ListingEntry(native_id=native_id, url=href, title=title)
    return list(entries.values())
