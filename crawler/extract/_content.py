"""Generic page anatomy: where the title and the main text are when no selector knows."""

from __future__ import annotations

from lxml.html import HtmlElement

from ._text import clean_inline

_TEXT_BLOCKS = frozenset(("p", "ul", "ol", "table", "blockquote", "h2", "h3", "h4", "pre"))
_MAX_LINK_DENSITY = 0.5


def first_match(root: HtmlElement, xpaths: tuple[str, ...]) -> HtmlElement | None:
    """The first element found by the first XPath, in order of preference, that finds one."""
    for xpath in xpaths:
        found = root.xpath(xpath)
        if found:
            return found[0]
    return None


def densest_text_container(root: HtmlElement) -> HtmlElement | None:
    """The element whose own paragraphs carry the most non-link text: the main text."""
    scores: dict[HtmlElement, int] = {}
    for block in root.iter(*_TEXT_BLOCKS):
        parent = block.getparent()
        if parent is None:
            continue
        text = clean_inline(block.text_content())
        if not text:
            continue
        link_text = sum(len(clean_inline(a.text_content())) for a in block.iter("a"))
        if link_text / len(text) > _MAX_LINK_DENSITY:
            continue
        scores[parent] = scores.get(parent, 0) + len(text)
    if not scores:
        return None
    return max(scores, key=scores.__getitem__)


def common_ancestor(first: HtmlElement, second: HtmlElement) -> HtmlElement:
    """The lowest element that contains both."""
    ancestors = {id(node) for node in first.iterancestors()} | {id(first)}
    node = second
    while id(node) not in ancestors:
        parent = node.getparent()
        if parent is None:
            return node
        node = parent
    return node


def contains(ancestor: HtmlElement, element: HtmlElement) -> bool:
    """Whether element is ancestor or lies inside it."""
    return element is ancestor or any(node is ancestor for node in element.iterancestors())
