"""Generic main-text reader: where a page's article body is, with no rules of any one site.

Every block (a `p`, a `div` with text of its own, a list item …) is weighed by what its own
text looks like (`_reader_weigh`): sentences count for it, link text and the fixed cost of a
short line count against it. Weights add up the tree, so the element with the highest sum is
the one that holds the most prose and the least furniture: a body split over sibling divs is
taken whole, while a list of teasers, all links and short lines, weighs less the longer it is.
The chosen element is copied and reshaped (`_reader_shape`: layout tables become divisions,
lines between `<br>`s paragraphs, weighed again), and its furniture pruned by generic evidence
(`_reader_prune`): link density, ARIA roles, tag names, the usual words of class names
(share, related, comment, newsletter …), and the short lines around the text (metadata under
the headline, a kicker above it, labels after the last paragraph).
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from ._boilerplate import Removals
from ._reader_prune import furniture_inside
from ._reader_shape import drop_unread, marked_copy, unlayout_tables, wrap_runs
from ._reader_weigh import (
    BLOCK_TAGS,
    BLOCKS,
    Weights,
    block_parent,
    discount_furniture,
    linked_blocks,
    weigh,
)
from ._tree import Element

# Each unit of prose between a block and the headline costs the block this much …
TITLE_DISTANCE_COST = 1.0
# … past this much, which a byline, a date or a standfirst's label may take.
TITLE_GAP_ALLOWANCE = 60.0
# A page whose best element weighs less than this has no main text.
MIN_WEIGHT = 10.0
# A body is a container of paragraphs: one of these chosen alone stands for its container.
_LINES = frozenset(("p", "li", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "pre"))
_PAGE = ("html", "body")


def read_main_text(root: Element, title: Element | None, removals: Removals) -> Element | None:
    """The page's article body as a new detached <div> holding a deep copy of the chosen block,
    with boilerplate pruned inside it; None if the page has no main text."""
    blocks = list(root.iter(*BLOCK_TAGS))
    weights = weigh(blocks, linked_blocks(root), title)
    discount_furniture(blocks, weights, title)
    best = _heaviest(blocks, weights, title)
    if best is None:
        return None
    body, body_title = marked_copy(best, title)
    twins = zip(best.iter(*BLOCK_TAGS), body.iter(*BLOCK_TAGS), strict=True)
    body_weights = {twin: weights[block] for block, twin in twins}
    drop_unread(body, removals)
    unlayout_tables(body)
    if wrap_runs(body, BLOCKS):
        body_weights = _reweigh(body, body_title)  # new paragraphs: each line weighs alone
    for element, rule in furniture_inside(body, body_weights, body_title).items():
        removals.remove(element, rule, "container")
    wrapper = etree.Element("div")
    wrapper.append(body)
    return wrapper


def _reweigh(body: Element, title: Element | None) -> Weights:
    """The weights of the reshaped body's blocks, its furniture discounted."""
    blocks = list(body.iter(*BLOCK_TAGS))
    weights = weigh(blocks, linked_blocks(body), title)
    discount_furniture(blocks, weights, title)
    return weights


def _heaviest(blocks: list[Element], weights: Weights, title: Element | None) -> Element | None:
    """The block with the highest net weight, less the prose that lies between it and the
    headline (the body follows its headline; comments and teasers come after the body); the
    innermost of equals. A lone paragraph stands for its container."""
    distance = _prose_from_title(blocks, weights, title)
    best, best_net = None, MIN_WEIGHT
    for index, block in enumerate(blocks):
        gap = max(0.0, distance(index) - TITLE_GAP_ALLOWANCE)
        net = weights[block].net - TITLE_DISTANCE_COST * gap
        if net >= best_net:
            best, best_net = block, net
    if best is not None and best.tag in _LINES:
        parent = block_parent(best)
        if parent is not None and parent.tag not in _PAGE:
            return parent
    return best


def _prose_from_title(
    blocks: list[Element], weights: Weights, title: Element | None
) -> Callable[[int], float]:
    """For the block at an index, how much prose lies between it and the headline."""
    if title is None:
        return lambda index: 0.0
    before = [0.0]
    for block in blocks:
        before.append(before[-1] + max(weights[block].own, 0.0))
    start = blocks.index(title)
    end = start + weights[title].size

    def distance(index: int) -> float:
        if index > start:
            return before[index] - before[end] if index >= end else 0.0
        block_end = index + weights[blocks[index]].size
        return 0.0 if block_end > start else before[start] - before[block_end]

    return distance
