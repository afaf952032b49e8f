"""An article body element turned into readable text and sanitised HTML."""

from __future__ import annotations

import re

import nh3
from lxml import etree

from archive.view import ARTICLE_TAGS

from ._text import clean_block, clean_inline, normalise_fragment
from ._tree import Element, text_of

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

# The archive's one list of tags an article body may keep, for storage and for display.
ALLOWED_TAGS = ARTICLE_TAGS
_EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|<br>)*</p>")
# Removed blocks leave their line breaks behind: at most one blank line between blocks.
_BLANK_LINES = re.compile(r"\n\s*\n(?:\s*\n)+")
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan"}}


def body_blocks(element: Element) -> list[str]:
    """Readable text blocks (paragraphs, headings, lists, tables) in document order."""
    blocks: list[str] = []
    _add_blocks(element, blocks)
    return [block for block in blocks if block]


def _add_blocks(element: Element, blocks: list[str]) -> None:
    inline: list[str] = [element.text or ""]
    for child in element:
        tag = child.tag  # a comment's tag is a function: never a block, and its text not read
        if tag in BLOCKS:
            blocks.append(clean_inline("".join(inline)))
            inline = []
            _add_block(child, tag, blocks)
        elif isinstance(tag, str):
            inline.append(text_of(child))
        inline.append(child.tail or "")
    blocks.append(clean_inline("".join(inline)))


def _add_block(element: Element, tag: str, blocks: list[str]) -> None:
    if tag in HEADINGS:
        blocks.append(clean_inline(text_of(element)))
    elif tag in LISTS:
        blocks.append(_list_text(element, numbered=tag == "ol"))
    elif tag == "table":
        blocks.append(_table_text(element))
    elif tag == "pre":
        blocks.append(clean_block(text_of(element)))
    elif tag in ("br", "hr"):
        return
    elif not len(element) or BLOCKS.isdisjoint([child.tag for child in element]):
        blocks.append(clean_inline(text_of(element)))
    else:
        _add_blocks(element, blocks)


def _list_text(element: Element, numbered: bool, depth: int = 0) -> str:
    lines = []
    for number, item in enumerate(element.iterchildren("li"), 1):
        nested = [child for child in item if child.tag in LISTS]
        own = (item.text or "") + "".join(
            ("" if child in nested else text_of(child)) + (child.tail or "")
            for child in item
            if isinstance(child.tag, str)
        )
        text = clean_inline(own)
        if text:
            marker = f"{number}." if numbered else "-"
            lines.append(f"{'  ' * depth}{marker} {text}")
        lines.extend(
            _list_text(child, numbered=child.tag == "ol", depth=depth + 1) for child in nested
        )
    return "\n".join(line for line in lines if line)


def _table_text(element: Element) -> str:
    rows = []
    for row in element.iter("tr"):
        cells = [clean_inline(text_of(cell)) for cell in row if cell.tag in ("td", "th")]
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def body_html(element: Element) -> str:
    """The body's inner HTML, sanitised: structure and links kept, scripts and handlers gone.

    The body is serialised in one call, without its own attributes, and its tag cut off.
    """
    element.attrib.clear()
    outer = etree.tostring(element, encoding="unicode", method="html", with_tail=False)
    opening, closing = f"<{element.tag}>", f"</{element.tag}>"
    inner = outer.removeprefix(opening).removesuffix(closing)
    cleaned = nh3.clean(
        normalise_fragment(inner),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener nofollow",
        strip_comments=True,
    )
    return _BLANK_LINES.sub("\n\n", _EMPTY_PARAGRAPH.sub("", cleaned)).strip()
