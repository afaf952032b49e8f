"""Generic main-text reader: where a page's article body is, with no rules of any one site.

Every block (a `p`, a `div` with text of its own, a list item …) is weighed by what its own
text looks like: sentences count for it, link text and the fixed cost of a short line count
against it. Weights add up the tree, so the element with the highest sum is the one that holds
the most prose and the least furniture: a body split over sibling divs is taken whole, while a
list of teasers, all links and short lines, weighs less the longer it is. Inside the chosen
element, furniture is pruned by generic evidence: link density, ARIA roles, tag names and the
usual words of class names (share, related, comment, newsletter …).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from ._boilerplate import Removals
from ._tree import Element, text_of

# Elements that start a new block of text; their own text is weighed on its own.
BLOCK_TAGS = [
    "html",
    "body",
    "div",
    "p",
    "section",
    "article",
    "main",
    "li",
    "ul",
    "ol",
    "dl",
    "dd",
    "dt",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "header",
    "footer",
    "aside",
    "nav",
    "form",
    "center",
    "address",
    "fieldset",
    "details",
    "summary",
    "menu",
    "hr",
]
_BLOCKS = frozenset(BLOCK_TAGS)
_BREAK = "br"
# Containers whose direct text runs between `<br>`s are wrapped into paragraphs.
_RUN_CONTAINERS = ("div", "section", "article", "main", "td", "blockquote", "center", "dd")

# A block's weight: its plain characters, less this many per character of link text (times
# the square of its link density) …
LINK_COST = 2.0
# … and less this much per line (a block, or a run between `<br>`s): short lines lose.
LINE_COST = 15.0
# A line is at least this long on average: `<br><br>` between paragraphs is one break.
MIN_LINE_CHARS = 40

# Furniture recognised by its words may be pruned only while it holds less than this share
# of the prose of the element around it: a chrome word never takes the article itself.
FURNITURE_SHARE = 0.4
# Words that name nothing but furniture (comments, related links …) are trusted up to this.
CLEAR_FURNITURE_SHARE = 0.75
CLEAR_FURNITURE = frozenset(("comments", "related-links", "newsletter", "share-line"))
# While choosing, furniture keeps this share of its prose's weight.
FURNITURE_KEEP = 0.0
# Inside the body, a block with more link text than this share of its text, and that weighs
# nothing, is a list of links.
LINK_DENSITY = 0.5
# A block that weighs less than nothing costs its container only this share of its weight:
# pruning can take it out, as long as it is a block of its own.
NEGATIVE_KEEP = 0.7
# Each unit of prose between a block and the headline costs the block this much.
TITLE_DISTANCE_COST = 1.0
# Containers that, weighing less than nothing inside the body, hold no prose but furniture
# (a table of short cells or a list of short items may still be the article's).
_PRUNABLE_CONTAINERS = frozenset(
    ("div", "section", "aside", "nav", "footer", "header", "form", "center", "address")
)
# A heading is at most this long; one just before furniture belongs to it.
HEADING_CHARS = 80
LABEL_WORDS = 6
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
# A page whose best element weighs less than this has no main text.
MIN_WEIGHT = 10.0

_FURNITURE_WORDS = {
    "comments": r"comment\w*|kommentar\w*|komentarz\w*|disqus\w*|respond|replies",
    "share-line": r"share\w*|sharing|social\w*|shariff|addthis|sharer|teilen",
    "related-links": r"related\w*|similar|recommend\w*|readmore|read-more|more-\w+|also\w*|"
    r"weitere\w*|outbrain|taboola|plista",
    "newsletter": r"newsletter\w*|subscri\w*|signup|sign-up|optin|abo|paywall\w*",
    "ad-slot": r"ads?|adv|advert\w*|adslot\w*|ad-\w+|banner\w*|sponsor\w*|promo|promos|promobox|"
    r"werbung|anzeige\w*|dfp|commercial|reklam\w*",
    "navigation": r"nav|navi|navbar|navigation|menu\w*|breadcrumb\w*|crumbs?|pagination|pager|"
    r"skip\w*",
    "sidebar": r"sidebar\w*|widget|widgets|widget_\w+|widget-area|rail|aside",
    "page-footer": r"footer\w*",
    "teaser-list": r"popular|trending|most-\w+|mostread|latest|toplist",
    "widget": r"print|toolbar|tools|rating|vote|login|modal|popup|cookie\w*|consent|gdpr|"
    r"overlay|privacy|dsgvo",
}
_PRUNE_ONLY_WORDS = {
    "tag-line": r"tags?|tagged|tag-?list|tagcloud|keywords?|schlagw\w*|topics",
    "byline": r"byline\w*|author\w*|autor\w*|meta|dateline|date|time|published|posted|"
    r"timestamp",
    "caption": r"caption\w*|credits?|copyright|bildunterschrift|bilduntertitel|legende?",
}
_TAG_FURNITURE = {"nav": "navigation", "aside": "sidebar", "footer": "page-footer"}
_ROLE_FURNITURE = {
    "navigation": "navigation",
    "complementary": "sidebar",
    "contentinfo": "page-footer",
    "banner": "page-header",
    "search": "navigation",
    "dialog": "widget",
}
# How a line that points to other articles starts, in the languages of the pages we read.
READ_ALSO_STARTS = (
    "read also", "see also", "also read", "read more", "more on this", "related",
    "lesen sie auch", "auch lesen", "lesen sie mehr", "mehr zum thema", "weitere artikel",
    "das könnte sie auch interessieren", "lire aussi", "à lire aussi", "voir aussi",
    "lire la suite", "lee también", "leer más", "ver también", "czytaj także", "czytaj też",
    "czytaj więcej", "zobacz też", "zobacz także", "читайте также", "читайте еще",
    "читайте ещё", "смотрите также", "по теме",
)  # fmt: skip
# Short lines of furniture by how they start: bylines, tag lines, credits, ad labels …
LINE_STARTS = {
    "byline": (
        "by ", "von ", "von:", "por ", "par ", "autor:", "author:", "veröffentlicht",
        "published", "publié", "publicado", "opublikowano", "erstellt am", "updated",
        "aktualisiert", "stand:", "posted", "geschrieben von", "written by",
    ),
    "tag-line": (
        "tags", "schlagworte", "schlagwörter", "stichworte", "themen:", "mots-clés",
        "etiquetas", "tagi:", "тэги", "теги", "filed under", "kategorie", "categories",
    ),
    "caption": ("foto:", "fotos:", "photo:", "bild:", "quelle:", "source:", "fuente:",
                "crédit", "credits", "copyright", "©"),
    "ad-slot": ("anzeige", "werbung", "advertisement", "publicité", "publicidad", "reklama"),
    "share-line": ("share", "teilen", "partager", "compartir", "udostępnij", "поделиться"),
}  # fmt: skip
# … and by phrases only furniture says: calls to subscribe, donate, follow, accept.
FURNITURE_PHRASES = {
    "newsletter": (
        "newsletter", "subscribe", "abonnieren", "abonnez-vous", "suscríbete", "suscríbase",
        "subskrypc", "prenumerat", "sign up", "anmelden",
    ),
    "call-to-action": (
        "follow us", "folgen sie uns", "folge uns", "suivez-nous", "síguenos", "donate",
        "jede spende", "unterstützen sie", "support our", "cookies", "all rights reserved",
        "alle rechte vorbehalten", "tous droits réservés", "derechos reservados",
        "prawa zastrzeżone", "все права защищены",
    ),
}  # fmt: skip
# Lines this short are tested by how they start, blocks this short by their phrases.
LINE_START_CHARS = 120
PHRASE_CHARS = 200
_LEADING_MARKS = " \t\n\r\xa0»«›>→•–—-:*|"
# A "read also" line is short; longer text that starts so is prose.
READ_ALSO_CHARS = 200


def _word_pattern(words: dict[str, str]) -> re.Pattern[str]:
    """One pattern naming the rule of the first class-name word that matches a rule's words."""
    groups = "|".join(f"(?P<{name.replace('-', '_')}>{alts})" for name, alts in words.items())
    return re.compile(rf"(?<![a-z0-9])(?:{groups})(?![a-z0-9])")


_CHOOSING_WORDS = _word_pattern(_FURNITURE_WORDS)
_PRUNING_WORDS = _word_pattern(_FURNITURE_WORDS | _PRUNE_ONLY_WORDS)


@dataclass(slots=True)
class _Weight:
    """A block's own weight and the sums over the blocks inside it (itself included)."""

    own: float
    net: float
    prose: float
    chars: int
    link_chars: int
    size: int = 1


def read_main_text(root: Element, title: Element | None, removals: Removals) -> Element | None:
    """The page's article body as a new detached <div> holding deep copies of the chosen blocks in
    document order, with boilerplate pruned inside it; None if the page has no main text."""
    blocks = list(root.iter(*BLOCK_TAGS))
    weights = _weigh(blocks, _linked_blocks(root), title)
    _discount_furniture(blocks, weights, title)
    best = _heaviest(blocks, weights, title)
    if best is None:
        return None
    doomed = _furniture_inside(best, weights, title)
    body = copy.deepcopy(best)
    body.tail = None
    _remove(best, body, doomed, removals)
    _wrap_runs(body)
    wrapper = etree.Element("div")
    wrapper.append(body)
    return wrapper


def _linked_blocks(root: Element) -> set[Element]:
    """Blocks inside links: the cards of a teaser list, whose whole text is a link."""
    linked: set[Element] = set()
    for link in root.iter("a"):
        if len(link):
            linked.update(link.iter(*BLOCK_TAGS))
    return linked


def _own_text(block: Element) -> tuple[str, str, int]:
    """The block's own text (its inline children's included, not its blocks'), the text of its
    links, and how many `<br>` break it."""
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
        elif tag not in _BLOCKS and isinstance(tag, str):
            nested = len(child)
            if nested and next(child.iter(*BLOCK_TAGS), None) is not None:
                pass  # an inline element around blocks: they are weighed on their own
            elif tag == "a":
                links.append(text_of(child))
                parts.append(links[-1])
            else:
                parts.append(text_of(child))
                if nested:
                    links.extend(text_of(link) for link in child.iter("a"))
        parts.append(child.tail or "")
    return "".join(parts), " ".join(links), breaks


def _length(text: str) -> int:
    """Characters of the text with its runs of spaces counted as one."""
    return len(" ".join(text.split())) if text else 0


def _weigh(blocks: list[Element], linked: set[Element], title: Element | None) -> dict:
    """Each block's weight, summed up the tree (a block's parent may be an inline element)."""
    weights: dict[Element, _Weight] = {}
    for block in blocks:
        if block is title:
            weights[block] = _Weight(0.0, 0.0, 0.0, 0, 0)
            continue
        text, links, breaks = _own_text(block)
        chars = _length(text)
        link_chars = chars if block in linked else min(chars, _length(links))
        own = _line_weight(chars, link_chars, breaks) if chars else 0.0
        weights[block] = _Weight(own, own, max(own, 0.0), chars, link_chars)
    for block in reversed(blocks):
        parent = _block_parent(block)
        if parent is not None:
            inner, outer = weights[block], weights[parent]
            outer.net += inner.net if inner.net > 0 else NEGATIVE_KEEP * inner.net
            outer.prose += inner.prose
            outer.chars += inner.chars
            outer.link_chars += inner.link_chars
            outer.size += inner.size
    return weights


def _line_weight(chars: int, link_chars: int, breaks: int) -> float:
    """Plain text counts for a block, link text against it the more the denser its links:
    a few links in a paragraph are prose, a line that is all link is furniture."""
    lines = min(breaks + 1, max(1, chars // MIN_LINE_CHARS))
    density = link_chars / chars
    return (chars - link_chars) - LINK_COST * link_chars * density * density - LINE_COST * lines


def _block_parent(block: Element) -> Element | None:
    parent = block.getparent()
    while parent is not None and parent.tag not in _BLOCKS:
        parent = parent.getparent()
    return parent


def _furniture_rule(element: Element, words: re.Pattern[str]) -> str | None:
    """The furniture rule that the element's tag, role, class or id names, if any."""
    rule = _TAG_FURNITURE.get(element.tag)
    if rule:
        return rule
    role = element.get("role")
    if role and role in _ROLE_FURNITURE:
        return _ROLE_FURNITURE[role]
    names = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    found = words.search(names) if names.strip() else None
    return found.lastgroup.replace("_", "-") if found else None


def _discount_furniture(
    blocks: list[Element], weights: dict[Element, _Weight], title: Element | None
) -> None:
    """Take the prose of furniture (comments, related stories …) out of the sums that choose
    the body. What holds the headline is the article's own container, whatever its class
    says; so is, but for comments, what holds most of the page's prose."""
    page_prose = weights[blocks[0]].prose if blocks else 0.0
    protected = set(title.iterancestors()) if title is not None else set()
    discounted: set[Element] = set()
    for block in blocks:
        weight = weights[block]
        if weight.prose <= 0 or block in protected or block.tag in ("html", "body"):
            continue
        rule = _furniture_rule(block, _CHOOSING_WORDS)
        if rule is None or (rule != "comments" and weight.prose >= FURNITURE_SHARE * page_prose):
            continue
        if any(ancestor in discounted for ancestor in block.iterancestors()):
            continue
        discounted.add(block)
        _discount(block, weights)


def _discount(furniture: Element, weights: dict[Element, _Weight]) -> None:
    """Take the furniture's prose out of its own sum, its blocks' and its ancestors'."""
    for inner in furniture.iter(*BLOCK_TAGS):
        weights[inner].net -= weights[inner].prose * (1.0 - FURNITURE_KEEP)
    loss = weights[furniture].prose * (1.0 - FURNITURE_KEEP)
    for ancestor in furniture.iterancestors():
        if ancestor in weights:
            weights[ancestor].net -= loss


def _heaviest(
    blocks: list[Element], weights: dict[Element, _Weight], title: Element | None
) -> Element | None:
    """The block with the highest net weight, less the prose that lies between it and the
    headline (the body follows its headline; comments and teasers come after the body); the
    innermost of equals."""
    distance = _prose_from_title(blocks, weights, title)
    best, best_net = None, MIN_WEIGHT
    for index, block in enumerate(blocks):
        net = weights[block].net - TITLE_DISTANCE_COST * distance(index)
        if net >= best_net:
            best, best_net = block, net
    return best


def _prose_from_title(
    blocks: list[Element], weights: dict[Element, _Weight], title: Element | None
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


def _furniture_inside(
    body: Element, weights: dict[Element, _Weight], title: Element | None
) -> dict[Element, str]:
    """The blocks inside the body to prune, each with the rule that names it."""
    doomed: dict[Element, str] = {}
    prose = weights[body].prose
    blocks = body.iter(*BLOCK_TAGS)
    next(blocks)  # the body itself
    for block in blocks:
        if any(ancestor in doomed for ancestor in block.iterancestors()):
            continue
        rule = _prune_rule(block, weights[block], prose, title)
        if rule:
            doomed[block] = rule
    _add_orphan_headings(doomed, weights)
    return doomed


def _add_orphan_headings(doomed: dict[Element, str], weights: dict[Element, _Weight]) -> None:
    """A heading or short line just before pruned furniture is that furniture's heading
    ("Related stories", "Mehr zum Thema:")."""
    for element, rule in list(doomed.items()):
        previous = element.getprevious()
        if previous is None or previous in doomed or previous.tag not in _BLOCKS:
            continue
        weight = weights.get(previous)
        if weight is None or not weight.chars or weight.chars > HEADING_CHARS:
            continue
        if previous.tag in _HEADINGS or (weight.size == 1 and _is_label(text_of(previous))):
            doomed[previous] = rule


def _is_label(text: str) -> bool:
    """Whether a short line is a label, not a sentence: no full stop, few words."""
    words = text.split()
    return len(words) <= LABEL_WORDS and not text.rstrip().endswith((".", "!", "?", "…", '"'))


def _prune_rule(
    block: Element, weight: _Weight, body_prose: float, title: Element | None
) -> str | None:
    if block is title:
        return "title"
    if _is_image_caption(block):
        return None  # a picture's caption and credit become its data, not body text
    rule = _furniture_rule(block, _PRUNING_WORDS) if weight.prose < body_prose else None
    if rule:
        share = CLEAR_FURNITURE_SHARE if rule in CLEAR_FURNITURE else FURNITURE_SHARE
        if weight.prose < share * body_prose:
            return rule
    if weight.chars and weight.net <= 0 and weight.link_chars > LINK_DENSITY * weight.chars:
        return "link-list"
    if weight.net < 0 and block.tag in _PRUNABLE_CONTAINERS:
        return "short-lines"
    if 0 < weight.chars <= max(READ_ALSO_CHARS, PHRASE_CHARS):
        return _line_rule(text_of(block), weight.chars)
    return None


def _is_image_caption(block: Element) -> bool:
    """A figure, its caption, or the line right after a picture: read with the picture."""
    if (
        block.tag in ("figure", "figcaption")
        or next(block.iterancestors("figure"), None) is not None
    ):
        return True
    previous = block.getprevious()
    return previous is not None and next(previous.iter("img", "amp-img"), None) is not None


def _line_rule(text: str, chars: int) -> str | None:
    """The furniture rule a short block's words name: read-also lines, bylines, calls to act."""
    start = text[:60].lstrip(_LEADING_MARKS).lower()
    if chars <= READ_ALSO_CHARS and start.startswith(READ_ALSO_STARTS):
        return "read-also"
    if chars <= LINE_START_CHARS:
        for rule, starts in LINE_STARTS.items():
            if start.startswith(starts):
                return rule
    lowered = text.lower()
    for rule, phrases in FURNITURE_PHRASES.items():
        if any(phrase in lowered for phrase in phrases):
            return rule
    return None


def _remove(original: Element, body: Element, doomed: dict[Element, str], removals: Removals):
    """Remove from the copy the counterparts of the doomed blocks of the original."""
    if not doomed:
        return
    pairs = [
        (twin, doomed[element])
        for element, twin in zip(original.iter(), body.iter(), strict=True)
        if element in doomed
    ]
    for twin, rule in pairs:
        removals.remove(twin, rule, "container")


def _wrap_runs(body: Element) -> None:
    """Wrap text runs between `<br>`s of containers into paragraphs of their own."""
    for container in list(body.iter(*_RUN_CONTAINERS)):
        if container.find(_BREAK) is None or not _has_direct_text(container):
            continue
        _wrap_container(container)


def _has_direct_text(element: Element) -> bool:
    if element.text and not element.text.isspace():
        return True
    return any(child.tail and not child.tail.isspace() for child in element)


def _wrap_container(container: Element) -> None:
    children = list(container)
    paragraph = etree.Element("p")
    paragraph.text = container.text
    container.text = None
    rebuilt: list[Element] = []
    for child in children:
        container.remove(child)
        if child.tag == _BREAK or child.tag in _BLOCKS:
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
