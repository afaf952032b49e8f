"""The page tree: plain lxml elements (no per-element Python classes) and a few helpers."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import cast
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import soupparser

Element = etree._Element

_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
_UTF8_PARSER = etree.HTMLParser(
    remove_comments=True, remove_pis=True, no_network=True, encoding="utf-8"
)
# lxml refuses a string that declares its encoding: the declaration is meaningless once decoded.
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*>")


def parse(html: str) -> Element:
    """The page as lxml's HTML parser reads it (it repairs most broken markup on its own).

    Text is text already: a byte-order mark or an XML declaration naming an encoding is
    dropped, and a string lxml will not take as it is (NUL characters, lone surrogates) is
    read as UTF-8 with those characters replaced.
    """
    html = html.lstrip("\ufeff")
    if html.lstrip()[:5].lower() == "<?xml":
        html = _XML_DECLARATION.sub("", html, count=1)
    root = None
    if html.strip():
        try:
            root = etree.fromstring(html, _PARSER)
        except ValueError:
            data = html.replace("\x00", "").encode("utf-8", errors="replace")
            root = etree.fromstring(data, _UTF8_PARSER)
    return root if root is not None else etree.fromstring("<html><body></body></html>", _PARSER)


def repair(html: str) -> Element | None:
    """The page as BeautifulSoup's tolerant parser rebuilds it, or None if even that fails.

    BeautifulSoup walks the tree recursively, so a page nested deeper than Python's recursion
    limit (thousands of unclosed tags) cannot be repaired either.
    """
    try:
        return cast(Element, soupparser.fromstring(html, makeelement=etree.Element))  # no stubs
    except (ValueError, RecursionError):
        return None


def elements(xpath: etree.XPath, node: Element) -> list[Element]:
    """What an XPath that selects only elements finds from node (lxml types any XPath's
    result as every kind of value an XPath can give)."""
    return cast("list[Element]", xpath(node))


def strings(xpath: etree.XPath, node: Element) -> list[str]:
    """What an XPath that selects only attributes or text finds from node, as strings."""
    return cast("list[str]", xpath(node))


def text_of(element: Element) -> str:
    """All text inside the element (not its tail); an element with no children is its text."""
    if not len(element):
        return element.text or ""
    return etree.tostring(element, method="text", encoding="unicode", with_tail=False)


def contains_text(element: Element, needle: str) -> bool:
    """Whether the element's text contains needle: searched in the UTF-8 bytes lxml writes,
    which spares decoding the whole text into a string."""
    text = etree.tostring(element, method="text", encoding="utf-8", with_tail=False)
    return needle.encode() in text


def drop(element: Element) -> None:
    """Remove the element and everything in it, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


@lru_cache(maxsize=8192)
def join_url(base_url: str, href: str | None) -> str | None:
    """`href` made absolute against the page URL, or None if it is no URL at all (a page may
    say `http://[` or `http://host:99999/`, which the URL parser refuses). Remembered: a page
    resolves the same links for its source line, its images and its body."""
    try:
        url = urljoin(base_url, (href or "").strip())
        parts = urlsplit(url)
        _ = parts.hostname, parts.port  # both check what they parse
    except ValueError:
        return None
    return url


def host_of(url: str) -> str | None:
    """The URL's host, or None if it has none or cannot be parsed."""
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def absolutise_links(element: Element, base_url: str) -> None:
    """Make every link inside the element absolute against the page URL; a link that is no
    URL at all loses its target and stays as text."""
    for link in element.iter("a"):
        href = link.get("href")
        if not href:
            continue
        url = join_url(base_url, href)
        if url is None:
            del link.attrib["href"]
        else:
            link.set("href", url)


def is_inside(element: Element, ancestor: Element) -> bool:
    """Whether element is ancestor or lies inside it (elements compare by identity, so `in`
    runs the search in C)."""
    return element is ancestor or ancestor in element.iterancestors()
