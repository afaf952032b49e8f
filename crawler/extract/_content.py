"""Generic page anatomy: where the main text is when no selector knows."""

from __future__ import annotations

from ._tree import Element, text_of

_TEXT_BLOCKS = frozenset(("p", "ul", "ol", "table", "blockquote", "h2", "h3", "h4", "pre"))
_MAX_LINK_DENSITY = 0.5


def main_text_scores(root: Element) -> dict[Element, int]:
    """For each element holding text blocks, how much text its own (link-poor) blocks carry.

    The element with the highest score is the page's main text.
    """
    scores: dict[Element, int] = {}
    for block in root.iter(*_TEXT_BLOCKS):
        parent = block.getparent()
        length = len(text_of(block).strip())
        if parent is None or not length:
            continue
        link_text = sum(len(text_of(a).strip()) for a in block.iter("a"))
        if link_text <= _MAX_LINK_DENSITY * length:
            scores[parent] = scores.get(parent, 0) + length
    return scores


def common_ancestor(first: Element, second: Element) -> Element:
    """The lowest element that contains both.

    Sets hold the elements themselves, not their `id()`: lxml makes a new Python object for a
    node whose last one was freed, and a freed object's id can be reused for another node.
    """
    ancestors = {*first.iterancestors(), first}
    node = second
    while node not in ancestors:
        parent = node.getparent()
        if parent is None:
            return node
        node = parent
    return node


def text_outside(root: Element, excluded: Element) -> str:
    """The text of root without the text of one of its descendants.

    Only the elements on the path down to the excluded one are walked; every other subtree is
    serialised whole by lxml.
    """
    path = set(excluded.iterancestors())
    if root not in path:
        return "" if root is excluded else text_of(root)
    parts = [root.text or ""]
    for child in root:
        if child is not excluded:
            parts.append(text_outside(child, excluded) if child in path else text_of(child))
        parts.append(child.tail or "")
    return " ".join(parts)
