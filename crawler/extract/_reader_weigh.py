"""How much prose each block of a tree holds: the weights the generic reader chooses by.

Every block (a `p`, a `div` with text of its own, a list item …) is weighed by what its own
text looks like: sentences count for it, link text and the fixed cost of a short line count
against it. Weights add up the tree. Furniture named by its words (comments, related stories …)
can be discounted from the sums, so that it never outweighs the article.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._reader_words import ALWAYS_FURNITURE, CHOOSING_WORDS, furniture_rule
from ._tree import Element, text_of

# Elements that start a new block of text; their own text is weighed on its own.
BLOCK_TAGS = [
    "html", "body", "div", "p", "section", "article", "main", "li", "ul", "ol", "dl", "dd",
    "dt", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5",
    "h6", "blockquote", "pre", "figure", "figcaption", "header", "footer", "aside", "nav",
    "form", "center", "address", "fieldset", "details", "summary", "menu", "hr",
]  # fmt: skip
BLOCKS = frozenset(BLOCK_TAGS)
_BREAK = "br"
# Inline elements whose text is not prose: form controls, and ruby readings above words.
UNREAD_TAGS = frozenset(("select", "option", "button", "textarea", "rt", "rp"))
# The page itself, never furniture whatever its class says.
_NEVER_FURNITURE = ("html", "body")

# A block's weight: its plain characters, less this many per character of link text (times
# the square of its link density) …
LINK_COST = 3.0
# … and less this much per line (a block, or a run between `<br>`s): short lines lose.
LINE_COST = 15.0
# A line that is a sentence (a few words, a sentence's last mark) weighs this much more: one
# short sentence of text of its own (a news brief) is still main text, a lone word is not.
SENTENCE_BONUS = 10.0
SENTENCE_WORDS = 3
_SENTENCE_ENDS = frozenset(".!?…")
# A line is at least this long on average: `<br><br>` between paragraphs is one break.
MIN_LINE_CHARS = 40
# A block that weighs less than nothing costs its container only this share of its weight:
# pruning can take it out, as long as it is a block of its own.
NEGATIVE_KEEP = 0.7
# Furniture recognised by its words is discounted only while it holds less than this share
# of the prose of the tree: a chrome word never takes the article itself.
FURNITURE_SHARE = 0.4
# While choosing, furniture keeps this share of its prose's weight.
FURNITURE_KEEP = 0.0


@dataclass(slots=True)
class Weight:
    """A block's own weight and the sums over the blocks inside it (itself included)."""

    own: float
    net: float
    prose: float
    chars: int
    link_chars: int
    own_chars: int = 0
    size: int = 1
    top: float = 0.0  # the highest own weight of a block inside (itself included)


Weights = dict[Element, Weight]


def linked_blocks(root: Element) -> set[Element]:
    """Blocks inside links: the cards of a teaser list, whose whole text is a link."""
    linked: set[Element] = set()
    for link in root.iter("a"):
        if len(link):
            linked.update(link.iter(*BLOCK_TAGS))
    return linked


def _inline_holders(blocks: list[Element]) -> set[Element]:
    """The inline elements around blocks (a link around a card), found from every block of the
    tree up to the block above it: one walk, not a search inside each inline element."""
    holders: set[Element] = set()
    for block in blocks:
        parent = block.getparent()
        while parent is not None and parent.tag not in BLOCKS:
            holders.add(parent)
            parent = parent.getparent()
    return holders


def _own_text(block: Element, holders: set[Element]) -> tuple[str, str, int]:
    """The block's own text (its inline children's included, not its blocks'), the text of its
    links, and how many `<br>` break it; `holders` are the inline elements around blocks."""
    if not len(block):
        return block.text or "", "", 0
    parts = [block.text or ""]
    links: list[str] = []
    breaks = 0
    for child in block:
        tag = child.tag
        if tag == _BREAK:
            breaks += 1
        elif tag == "head":
            continue  # the head's title is the page's name, not its text (nor its tail)
        elif tag in UNREAD_TAGS:
            pass  # a form's choices and buttons, a word's reading: not the text's own words
        elif tag not in BLOCKS and isinstance(tag, str):
            if child in holders:
                pass  # an inline element around blocks: they are weighed on their own
            elif tag == "a":
                links.append(text_of(child))
                parts.append(links[-1])
            else:
                parts.append(text_of(child))
                if len(child):
                    links.extend(text_of(link) for link in child.iter("a"))
        parts.append(child.tail or "")
    return "".join(parts), " ".join(links), breaks


def _length(text: str) -> int:
    """Characters of the text with its runs of spaces counted as one."""
    return len(" ".join(text.split())) if text else 0


def weigh(blocks: list[Element], linked: set[Element], title: Element | None) -> Weights:
    """Each block's weight, summed up the tree (a block's parent may be an inline element);
    `blocks` are all the blocks of the tree, in document order."""
    weights: Weights = {}
    holders = _inline_holders(blocks)
    for block in blocks:
        if block is title:
            weights[block] = Weight(0.0, 0.0, 0.0, 0, 0)
            continue
        text, links, breaks = _own_text(block, holders)
        chars = _length(text)
        link_chars = chars if block in linked else min(chars, _length(links))
        own = _line_weight(chars, link_chars, breaks) if chars else 0.0
        if chars and link_chars < chars and _is_sentence(text):
            own += SENTENCE_BONUS
        weights[block] = Weight(own, own, max(own, 0.0), chars, link_chars, chars, top=own)
    for block in reversed(blocks):
        parent = block_parent(block)
        if parent is not None:
            inner, outer = weights[block], weights[parent]
            outer.net += inner.net if inner.net > 0 else NEGATIVE_KEEP * inner.net
            outer.prose += inner.prose
            outer.chars += inner.chars
            outer.link_chars += inner.link_chars
            outer.size += inner.size
            outer.top = max(outer.top, inner.top)
    return weights


def _is_sentence(text: str) -> bool:
    """Whether the line is a sentence: a few words at least, ended by a sentence's mark."""
    stripped = text.rstrip()
    return (
        stripped[-1:] in _SENTENCE_ENDS
        and len(stripped.split(None, SENTENCE_WORDS)) >= SENTENCE_WORDS
    )


def _line_weight(chars: int, link_chars: int, breaks: int) -> float:
    """Plain text counts for a block, link text against it the more the denser its links:
    a few links in a paragraph are prose, a line that is all link is furniture."""
    lines = min(breaks + 1, max(1, chars // MIN_LINE_CHARS))
    density = link_chars / chars
    return (chars - link_chars) - LINK_COST * link_chars * density * density - LINE_COST * lines


def block_parent(block: Element) -> Element | None:
    """The nearest block around the block (inline elements between them are passed over)."""
    parent = block.getparent()
    while parent is not None and parent.tag not in BLOCKS:
        parent = parent.getparent()
    return parent


def discount_furniture(blocks: list[Element], weights: Weights, title: Element | None) -> None:
    """Take the prose of furniture (comments, related stories …) out of the sums that choose
    the body. What holds the headline is the article's own container, whatever its class
    says; so is, but for comments, what holds most of the page's prose."""
    page_prose = weights[blocks[0]].prose if blocks else 0.0
    protected = set(title.iterancestors()) if title is not None else set()
    discounted: set[Element] = set()
    for block in blocks:
        weight = weights[block]
        if weight.prose <= 0 or block in protected or block.tag in _NEVER_FURNITURE:
            continue
        rule = furniture_rule(block, CHOOSING_WORDS)
        if rule is None or (
            rule not in ALWAYS_FURNITURE and weight.prose >= FURNITURE_SHARE * page_prose
        ):
            continue
        if any(ancestor in discounted for ancestor in block.iterancestors()):
            continue
        discounted.add(block)
        _discount(block, weights)


def _discount(furniture: Element, weights: Weights) -> None:
    """Take the furniture's prose out of its own sum, its blocks' and its ancestors'."""
    for inner in furniture.iter(*BLOCK_TAGS):
        weights[inner].net -= weights[inner].prose * (1.0 - FURNITURE_KEEP)
    loss = weights[furniture].prose * (1.0 - FURNITURE_KEEP)
    for ancestor in furniture.iterancestors():
        if ancestor in weights:
            weights[ancestor].net -= loss
