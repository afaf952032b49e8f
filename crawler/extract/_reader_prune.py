"""Furniture inside the chosen body, found by generic evidence: link density, weight, ARIA roles,
tag names, the usual words of class names, the lines that only furniture says, and the short
lines around the text: metadata (date | author | counters) between the headline and the first
paragraph, lines above the headline, labels after the last paragraph.
"""

from __future__ import annotations

import re

from ._reader_weigh import BLOCK_TAGS, BLOCKS, FURNITURE_SHARE, Weight, Weights
from ._reader_words import PRUNING_WORDS, furniture_rule, is_label, line_rule
from ._tree import Element, text_of

# Words that name nothing but furniture (comments, related links …) are trusted up to this
# share of the body's prose; other furniture words up to FURNITURE_SHARE.
CLEAR_FURNITURE_SHARE = 0.75
CLEAR_FURNITURE = frozenset(
    ("comments", "consent", "related-links", "newsletter", "share-line", "author-box")
)
# Inside the body, a block with more link text than this share of its text, and that weighs
# nothing, is a list of links.
LINK_DENSITY = 0.5
# A figure whose text is at least this share link text, with a link around blocks, is a card
# pointing to another page (a bookmark, a teaser), not a picture with its caption.
LINK_CARD_SHARE = 0.8
# Containers that, weighing less than nothing inside the body, hold no prose but furniture
# (a table of short cells or a list of short items may still be the article's).
_PRUNABLE_CONTAINERS = frozenset(
    ("div", "section", "aside", "nav", "footer", "header", "form", "center", "address")
)
# A block that weighs this much on its own is a paragraph of prose, never pruned for the
# links or short lines around it.
PARAGRAPH_WEIGHT = 100.0
# A heading is at most this long; one just before furniture belongs to it.
HEADING_CHARS = 80
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
# Lines this short are tested by how they start, blocks this short by their phrases.
LINE_RULE_CHARS = 200
# Before the first paragraph, a line this short that is no sentence is the article's
# metadata (date, author, rubric, views); a paragraph is at least PROSE_CHARS long.
METADATA_CHARS = 100
PROSE_CHARS = 120
_DETAIL_TAGS = ("dt", "dd")
_LIST_PARTS = ("li", "td", "th", "dd", "dt", "pre")
# Separators between fields: "12.03.2024 | Anna Weber | 4 comments".
_METADATA_SIGNS = re.compile(r"[|•·]")
_PICTURES = ("img", "amp-img", "picture", "svg", "video", "iframe")


def furniture_inside(body: Element, weights: Weights, title: Element | None) -> dict[Element, str]:
    """The blocks inside the body to prune, each with the rule that names it."""
    doomed: dict[Element, str] = {}
    prose = weights[body].prose
    blocks = list(body.iter(*BLOCK_TAGS))
    index = 1  # past the body itself
    while index < len(blocks):
        block = blocks[index]
        rule = _prune_rule(block, weights, prose, title)
        if rule:
            doomed[block] = rule
            index += weights[block].size  # its blocks follow it and go with it
        else:
            index += 1
    _add_orphan_headings(doomed, weights)
    _add_leading_metadata(body, weights, doomed)
    if title is not None:
        _add_lines_above(body, title, weights, doomed)
    _add_trailing_lines(body, weights, doomed)
    return doomed


def _add_orphan_headings(doomed: dict[Element, str], weights: Weights) -> None:
    """A heading or short line just before pruned furniture is that furniture's heading
    ("Related stories", "Mehr zum Thema:")."""
    for element, rule in list(doomed.items()):
        previous = element.getprevious()
        if previous is None or previous in doomed or previous.tag not in BLOCKS:
            continue
        weight = weights.get(previous)
        if weight is None or not weight.chars or weight.chars > HEADING_CHARS:
            continue
        if previous.tag in _HEADINGS or (weight.size == 1 and is_label(text_of(previous))):
            doomed[previous] = rule


def _add_leading_metadata(body: Element, weights: Weights, doomed: dict[Element, str]) -> None:
    """The metadata lines before the body's first paragraph: the date, author and counters
    that a page sets between its headline and its text, as fields or a list of details."""
    leading: list[Element] = []
    for block in body.iter(*BLOCK_TAGS):
        weight = weights[block]
        if block in doomed or not weight.own_chars or block.tag in _HEADINGS:
            continue
        if any(ancestor in doomed for ancestor in block.iterancestors()):
            continue
        text = text_of(block) if weight.size == 1 else ""
        if not text or weight.own_chars >= PROSE_CHARS or _is_sentence(text):
            break
        if _is_metadata(block, text, weight) and not _is_image_caption(block, weights):
            leading.append(block)
    else:
        return  # no paragraph at all: nothing to tell metadata from
    for block in leading:
        doomed[block] = "metadata-line"


def _add_lines_above(
    body: Element, title: Element, weights: Weights, doomed: dict[Element, str]
) -> None:
    """The short lines above the headline (a back link, a breadcrumb, a kicker, a notice):
    the article starts with its headline."""
    holders = set(title.iterancestors())
    for block in body.iter(*BLOCK_TAGS):
        if block is title:
            return
        weight = weights[block]
        if block in holders or block in doomed or not weight.own_chars:
            continue
        if weight.chars > METADATA_CHARS or block.tag in _LIST_PARTS:
            continue  # text, or the items of a list or table: not a line of the page's frame
        if _is_image_caption(block, weights) or any(a in doomed for a in block.iterancestors()):
            continue
        doomed[block] = "above-headline"


def _add_trailing_lines(body: Element, weights: Weights, doomed: dict[Element, str]) -> None:
    """The labels after the body's last paragraph (a share prompt, a "posted in" line, a source
    label): a few words, no sentence. The items of a list or table are the article's."""
    trailing: list[Element] = []
    for block in reversed(list(body.iter(*BLOCK_TAGS))):
        weight = weights[block]
        if block in doomed or not weight.own_chars:
            continue
        if any(ancestor in doomed for ancestor in block.iterancestors()):
            continue
        if block.tag in _LIST_PARTS or weight.size > 1 or weight.own_chars > METADATA_CHARS:
            break
        text = text_of(block)
        if not is_label(text) or _is_image_caption(block, weights):
            break
        trailing.append(block)
    else:
        return
    for block in trailing:
        doomed[block] = "trailing-line"


def _is_metadata(block: Element, text: str, weight: Weight) -> bool:
    """Whether a short line reads as metadata: a term of a list of details, or fields with
    separators between them, not a standfirst's phrase."""
    if weight.own_chars > METADATA_CHARS:
        return False
    return block.tag in _DETAIL_TAGS or _METADATA_SIGNS.search(text) is not None


def _is_sentence(text: str) -> bool:
    """Whether a line is a sentence: more words than a label, and a sentence's last mark."""
    return not is_label(text) and text.rstrip()[-1:] in '.!?…»"”'


def _prune_rule(
    block: Element, weights: Weights, body_prose: float, title: Element | None
) -> str | None:
    """The rule that prunes the block, if any: what it is called, what it weighs, what it says."""
    if block is title:
        return "title"
    weight = weights[block]
    if block.tag == "figure" and _is_link_card(block, weight):
        return "link-card"
    rule = _named_rule(block, weight, body_prose)
    if rule in CLEAR_FURNITURE:
        return rule  # an author box or a share bar after a picture is still furniture
    if _is_image_caption(block, weights):
        return None  # a picture's caption and credit become its data, not body text
    if rule:
        return rule
    rule = _weight_rule(block, weight)
    if rule is None and 0 < weight.chars <= LINE_RULE_CHARS:
        return line_rule(text_of(block), weight.chars)
    return rule


def _named_rule(block: Element, weight: Weight, body_prose: float) -> str | None:
    """The furniture rule the block's tag, role or class names, while it holds too little of
    the body's prose to be the article (a clear name, such as comments, is trusted further)."""
    if weight.prose >= body_prose:
        return None
    rule = furniture_rule(block, PRUNING_WORDS)
    if rule is None or (rule == "caption" and _figure_of(block) is not None):
        return None  # a figure's text, with or without its picture (a gallery's slides)
    share = CLEAR_FURNITURE_SHARE if rule in CLEAR_FURNITURE else FURNITURE_SHARE
    return rule if weight.prose < share * body_prose else None


def _weight_rule(block: Element, weight: Weight) -> str | None:
    """The rule a block's weight names: a list of links, or a box of short lines. A container
    of a paragraph is pruned line by line instead."""
    if weight.top >= PARAGRAPH_WEIGHT or weight.net > 0:
        return None
    if weight.chars and weight.link_chars > LINK_DENSITY * weight.chars:
        # a sentence with links in it is still a sentence; one that is all link is a teaser
        if weight.size > 1 or weight.link_chars == weight.chars or not _is_sentence(text_of(block)):
            return "link-list"
        return None
    if weight.net < 0 and block.tag in _PRUNABLE_CONTAINERS:
        return "short-lines"
    return None


def _is_link_card(figure: Element, weight: Weight) -> bool:
    """Whether the figure is one link to another page around blocks of its text."""
    if not weight.chars or weight.link_chars < LINK_CARD_SHARE * weight.chars:
        return False
    return any(next(link.iter(*BLOCK_TAGS), None) is not None for link in figure.iter("a"))


def _figure_of(block: Element) -> Element | None:
    """The figure the block is or lies in, if any."""
    return block if block.tag == "figure" else next(block.iterancestors("figure"), None)


def _is_image_caption(block: Element, weights: Weights) -> bool:
    """A figure with a picture, its caption, or the line right after a picture: read with the
    picture."""
    figure = _figure_of(block)
    if figure is not None:
        return next(figure.iter(*_PICTURES), None) is not None  # no picture, no caption
    previous = block.getprevious()
    if previous is None or next(previous.iter(*_PICTURES), None) is None:
        return False
    # the picture itself, or a wrapper of pictures with no text of its own
    weight = weights.get(previous)
    return weight is None or not weight.chars
