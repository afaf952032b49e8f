"""The page tree: plain lxml elements (no per-element Python classes) and a few helpers."""

from __future__ import annotations

from urllib.parse import urljoin

from lxml import etree
from lxml.html import soupparser

Element = etree._Element

_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)


def parse(html: str) -> Element:
    """The page as lxml's HTML parser reads it (it repairs most broken markup on its own)."""
    root = etree.fromstring(html, _PARSER) if html.strip() else None
    return root if root is not None else etree.fromstring("<html><body></body></html>", _PARSER)


def repair(html: str) -> Element | None:
    """The page as BeautifulSoup's tolerant parser rebuilds it, or None if even that fails."""
    try:
        return soupparser.fromstring(html, makeelement=etree.Element)
    except ValueError:
        return None


def text_of(element: Element) -> str:
    """All text inside the element (not its tail)."""
    return etree.tostring(element, method="text", encoding="unicode", with_tail=False)


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


def absolutise_links(element: Element, base_url: str) -> None:
    """Make every link inside the element absolute against the page URL."""
    for link in element.iter("a"):
        href = link.get("href")
        if href:
            link.set("href", urljoin(base_url, href.strip()))


def is_inside(element: Element, ancestor: Element) -> bool:
    """Whether element is ancestor or lies inside it."""
    return element is ancestor or any(node is ancestor for node in element.iterancestors())
