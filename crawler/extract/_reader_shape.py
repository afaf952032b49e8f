"""The chosen body's copy reshaped for reading: layout tables become divisions, and text runs
between `<br>`s become paragraphs, so that each line is a block the reader can weigh and prune.
"""

from __future__ import annotations

import copy

from lxml import etree

from ._boilerplate import Removals
from ._reader_weigh import UNREAD_TAGS
from ._tree import Element, elements, text_of

_BREAK = "br"
# Containers whose direct text runs between `<br>`s are wrapped into paragraphs.
RUN_CONTAINERS = ("div", "section", "article", "main", "td", "blockquote", "center", "dd")
# Tags of a table's own structure, retagged when the table only lays a page out.
_TABLE_PARTS = ("thead", "tbody", "tfoot")
_ROW_CELLS = ("td", "th")
_CELL_TAGS = frozenset((*_TABLE_PARTS, "tr", *_ROW_CELLS))
# A cell with this much text, or with a table or heading in it, is a page's layout, not data.
LAYOUT_CELL_CHARS = 250
_LAYOUT_CELL_BLOCKS = ("table", "h1", "h2", "h3", "h4", "h5", "h6")
_MARK = "data-reader-mark"
_MARKED = etree.XPath(f"descendant-or-self::*[@{_MARK}]")


def marked_copy(original: Element, mark: Element | None) -> tuple[Element, Element | None]:
    """A deep copy of the original and, if the marked element is inside it, that element's
    twin in the copy (found by an attribute set for the copy's moment, in C)."""
    if mark is None:
        return copy_of(original), None
    mark.set(_MARK, "")
    try:
        twin_copy = copy_of(original)
    finally:
        del mark.attrib[_MARK]
    found = elements(_MARKED, twin_copy)
    if not found:
        return twin_copy, None
    del found[0].attrib[_MARK]
    return twin_copy, found[0]


def copy_of(original: Element) -> Element:
    """A detached deep copy, without the original's tail."""
    twin = copy.deepcopy(original)
    twin.tail = None
    return twin


def unlayout_tables(body: Element) -> None:
    """Retag the tables that lay the page out (cells of prose, nested tables) as divisions: their
    cells are paragraphs of the body, not the rows of a data table. A body that is a cell or a
    row itself is one of a layout."""
    if body.tag in _CELL_TAGS:
        body.tag = "div"
    for table in list(body.iter("table")):
        cells = _cells(table)
        if any(_is_layout_cell(cell) for cell in cells):
            for part in (table, *_parts(table), *cells):
                part.tag = "div"


def _parts(table: Element) -> list[Element]:
    """The table's own row groups and rows (not a nested table's)."""
    groups = [child for child in table if child.tag in _TABLE_PARTS]
    rows = [row for group in (table, *groups) for row in group if row.tag == "tr"]
    return groups + rows


def _cells(table: Element) -> list[Element]:
    rows = [part for part in _parts(table) if part.tag == "tr"]
    return [cell for row in rows for cell in row if cell.tag in _ROW_CELLS]


def _is_layout_cell(cell: Element) -> bool:
    if next(cell.iter(*_LAYOUT_CELL_BLOCKS), None) is not None:
        return True
    return len(text_of(cell)) >= LAYOUT_CELL_CHARS


def drop_unread(body: Element, removals: Removals) -> None:
    """Remove the form controls and ruby readings of the copy: their text is not the body's."""
    for element in list(body.iter(*UNREAD_TAGS)):
        removals.remove(element, "unread-text", "container")


def wrap_runs(body: Element, blocks: frozenset[str]) -> int:
    """Wrap text runs between `<br>`s of containers into paragraphs of their own; how many
    containers were."""
    wrapped = 0
    for container in list(body.iter(*RUN_CONTAINERS)):
        if container.find(_BREAK) is None or not _has_direct_text(container):
            continue
        _wrap_container(container, blocks)
        wrapped += 1
    return wrapped


def _has_direct_text(element: Element) -> bool:
    if element.text and not element.text.isspace():
        return True
    return any(child.tail and not child.tail.isspace() for child in element)


def _wrap_container(container: Element, blocks: frozenset[str]) -> None:
    children = list(container)
    paragraph = etree.Element("p")
    paragraph.text = container.text
    container.text = None
    rebuilt: list[Element] = []
    for child in children:
        container.remove(child)
        if child.tag == _BREAK or child.tag in blocks:
            tail, child.tail = child.tail, None
            _flush(paragraph, rebuilt)
            if child.tag != _BREAK:
                rebuilt.append(child)
            paragraph = etree.Element("p")
            paragraph.text = tail
        else:
            paragraph.append(child)
    _flush(paragraph, rebuilt)
    container.extend(rebuilt)


def _flush(paragraph: Element, rebuilt: list[Element]) -> None:
    if len(paragraph) or (paragraph.text and not paragraph.text.isspace()):
        rebuilt.append(paragraph)
