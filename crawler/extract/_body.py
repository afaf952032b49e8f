"""An article body element turned into readable text and sanitised HTML."""

from __future__ import annotations

import re
from collections.abc import Iterator

import nh3
from lxml import etree
from lxml.html import HtmlElement

from ._text import clean_block, clean_inline, normalise_fragment

CONTAINERS = frozenset(
    [
        "div",
        "p",
        "section",
        "article",
        "main",
        "blockquote",
        "figure",
        "center",
        "dd",
        "dl",
        "dt",
        "header",
        "footer",
        "aside",
    ]
)
HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
LISTS = frozenset(("ul", "ol"))
BLOCKS = CONTAINERS | HEADINGS | LISTS | {"table", "pre", "hr", "br", "li", "tr"}

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "table",
    "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "a", "strong", "b", "em", "i", "u",
    "s", "sub", "sup", "code", "hr",
}  # fmt: skip
_EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|<br>)*</p>")
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan"}}


def body_blocks(element: HtmlElement) -> list[str]:
    """Readable text blocks (paragraphs, headings, lists, tables) in document order."""
    return [block for block in _blocks(element) if block]


def body_text(element: HtmlElement) -> str:
    """Paragraphs separated by a blank line; list items and table rows one per line."""
    return "\n\n".join(body_blocks(element))


def _blocks(element: HtmlElement) -> Iterator[str]:
    inline: list[str] = [element.text or ""]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else None
        if tag in BLOCKS:
            yield clean_inline("".join(inline))
            inline = []
            yield from _block(child, tag)
        elif tag is not None:
            inline.append(child.text_content())
        inline.append(child.tail or "")
    yield clean_inline("".join(inline))


def _block(element: HtmlElement, tag: str) -> Iterator[str]:
    if tag in HEADINGS:
        yield clean_inline(element.text_content())
    elif tag in LISTS:
        yield _list_text(element, numbered=tag == "ol")
    elif tag == "table":
        yield _table_text(element)
    elif tag == "pre":
        yield clean_block(element.text_content())
    elif tag in ("br", "hr"):
        return
    else:
        yield from _blocks(element)


def _list_text(element: HtmlElement, numbered: bool) -> str:
    items = [clean_inline(li.text_content()) for li in element.iterchildren("li")]
    items = [item for item in items if item]
    if numbered:
        return "\n".join(f"{n}. {item}" for n, item in enumerate(items, 1))
    return "\n".join(f"- {item}" for item in items)


def _table_text(element: HtmlElement) -> str:
    rows = []
    for row in element.iter("tr"):
        cells = [clean_inline(cell.text_content()) for cell in row if cell.tag in ("td", "th")]
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def body_html(element: HtmlElement) -> str:
    """The body's inner HTML, sanitised: structure and links kept, scripts and handlers gone."""
    inner = (element.text or "") + "".join(
        etree.tostring(child, encoding="unicode", method="html", with_tail=True)
        for child in element
    )
    cleaned = nh3.clean(
        inner,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener nofollow",
        strip_comments=True,
    )
    return _EMPTY_PARAGRAPH.sub("", cleaned).strip()


def normalise_tree_text(element: HtmlElement) -> None:
    """Normalise every text node in place (NFC, `&nbsp;`, soft hyphens, zero-width marks)."""
    for node in element.iter():
        if node.text:
            node.text = normalise_fragment(node.text)
        if node.tail and node is not element:
            node.tail = normalise_fragment(node.tail)
