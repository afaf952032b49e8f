"""Boilerplate removal by named rules: containers (by selector) and signatures (by known text).

Class names change with every redesign, the texts of a site's furniture much less often, so a
block is removed when its selector matches *or* when its whole text is a known signature. Each
removal records the rule's name, so a reviewer can see what was taken out of a page and why.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache

from lxml import etree

from ..items import Removal
from ..sites import Containers, Furniture, containers
from ._text import clean_inline
from ._tree import Element, drop, elements, is_inside, text_of

GENERIC_CHROME = (
    containers("page-header", tags="header", roles="banner"),
    containers("page-footer", tags="footer", roles="contentinfo"),
    containers("navigation", tags="nav menu", roles="navigation"),
    containers("sidebar", tags="aside", roles="complementary"),
    containers("forms", tags="form textarea button input select"),
)
UNREADABLE_TAGS = ("script", "style", "noscript", "template", "iframe")
SHARE_LINKS = re.compile(
    r"vk\.com/share|facebook\.com/sharer|twitter\.com/intent|x\.com/intent|t\.me/share|"
    r"connect\.ok\.ru|odnoklassniki\.ru/dk|linkedin\.com/share|wa\.me/\?|api\.whatsapp\.com/send|"
    r"pinterest\.com/pin/create|reddit\.com/submit|telegram\.me/share"
)
# The tags of page chrome that an article keeps when they are its own (inside `article` or
# `main`): its header holds the title and lead, its footer the tags.
_OWN_PARTS = frozenset(("header", "footer"))
_ARTICLE_TAGS = ("article", "main")
# A container holding more than this share of the page's text holds the article: never removed.
_MOST_OF_THE_TEXT = 0.4
_LEFTOVER_ALLOWANCE = 3
_NOT_LETTERS = re.compile(r"[\W\d_]+")
_WORD_GAP = r"[\W_]+"
# No block of furniture text is longer than this; longer blocks are never compared.
_LONGEST_FURNITURE = 600
_SAMPLE = 100
# A box of share links may say this many characters of its own («Поделиться:», "Share").
_SHARE_BOX_WORDS = 40


@dataclass(frozen=True)
class _FurnitureIndex:
    """A site's furniture texts compiled: one pattern per rule, and the starts of its texts."""

    rules: tuple[tuple[str, re.Pattern[str]], ...]
    triggers: tuple[str, ...]

    @property
    def prefix(self) -> int:
        return max(map(len, self.triggers), default=0)


def _phrase_pattern(phrase: str) -> str:
    """A phrase as a pattern over normalised text: its words with any gap between them; a
    trailing `…` takes the rest of the sentence."""
    open_ended = phrase.rstrip().endswith(("…", "..."))
    words = [word for word in re.split(_WORD_GAP, _normalised(phrase).rstrip(".… ")) if word]
    pattern = _WORD_GAP.join(re.escape(word) for word in words)
    return pattern + (r"[^?!.]*[?!.]?" if open_ended else "")


@cache
def _furniture_index(furniture: tuple[Furniture, ...]) -> _FurnitureIndex:
    rules = tuple(
        (rule.name, re.compile("|".join(_phrase_pattern(phrase) for phrase in rule.phrases)))
        for rule in furniture
    )
    triggers = {
        " ".join(re.split(_WORD_GAP, _normalised(phrase))[:2]).strip()
        for rule in furniture
        for phrase in rule.phrases
    }
    return _FurnitureIndex(rules, tuple(sorted(trigger for trigger in triggers if trigger)))


class Removals:
    """What was removed from one page, by which rule: the audit trail of an extraction."""

    def __init__(self) -> None:
        self._found: dict[str, Removal] = {}

    def remove(self, element: Element, rule: str, kind: str) -> None:
        """Drop the element and note it under the rule (count, and a sample of its text)."""
        sample = clean_inline(text_of(element)[:2000])[:_SAMPLE]
        drop(element)
        if rule in self._found:
            self._found[rule].blocks += 1
        else:
            self._found[rule] = Removal(rule=rule, kind=kind, blocks=1, sample=sample)

    def count(self, rule: str, kind: str, blocks: int) -> None:
        """Note blocks removed in bulk, with no sample of their text."""
        if rule in self._found:
            self._found[rule].blocks += blocks
        elif blocks:
            self._found[rule] = Removal(rule=rule, kind=kind, blocks=blocks, sample="")

    def as_list(self) -> list[Removal]:
        """The removals in the order the rules first fired."""
        return list(self._found.values())


_WITH_ATTRIBUTES = etree.XPath(".//*[@class or @id or @role]")


class _RuleIndex:
    """The rules of one pass, indexed by tag, class, id and role for one lookup per element."""

    def __init__(self, rules: tuple[Containers, ...]) -> None:
        self.order = [rule.name for rule in rules]
        self.tags = {tag: rule.name for rule in reversed(rules) for tag in rule.tags}
        self.classes = {name: rule.name for rule in reversed(rules) for name in rule.classes}
        self.ids = {name: rule.name for rule in reversed(rules) for name in rule.ids}
        self.roles = {name: rule.name for rule in reversed(rules) for name in rule.roles}
        self.prefixes = [(prefix, rule.name) for rule in rules for prefix in rule.id_prefixes]

    def by_attributes(self, element: Element, names: Sequence[str | bytes]) -> str | None:
        """The rule matching the element's class, id or role; `names` are its attributes'
        (each lookup of an attribute that is absent would cost as much as one present)."""
        if "class" in names:
            for name in element.get("class", "").split():
                if name in self.classes:
                    return self.classes[name]
        id_ = element.get("id") if "id" in names else None
        if id_:
            if id_ in self.ids:
                return self.ids[id_]
            for prefix, rule in self.prefixes:
                if id_.startswith(prefix):
                    return rule
        return self.roles.get(element.get("role") or "") if "role" in names else None


@cache
def _index(rules: tuple[Containers, ...]) -> _RuleIndex:
    return _RuleIndex(rules)


class Keep:
    """What container rules must never remove: the elements found to hold the article (title,
    body), and any element holding most of the page's text (a page wrapped in `<form>`)."""

    def __init__(
        self, root: Element, elements: Collection[Element | None] = (), limit: float | None = None
    ) -> None:
        self.root = root
        self.elements = [element for element in elements if element is not None]
        self.limit = _MOST_OF_THE_TEXT * len(text_of(root)) if limit is None else limit

    def keeping(self, elements: Collection[Element | None]) -> Keep:
        """The same guard for other elements (the page's text is measured once)."""
        return Keep(self.root, elements, self.limit)

    def protects(self, element: Element, rule: str) -> bool:
        """Whether removing the element (matched by `rule`) would remove part of the article."""
        own_part = element.tag in _OWN_PARTS and rule in ("page-header", "page-footer")
        if own_part and next(element.iterancestors(*_ARTICLE_TAGS), None) is not None:
            return True
        if any(is_inside(kept, element) for kept in self.elements):
            return True
        return len(element) > 0 and len(text_of(element)) > self.limit


def remove_containers(
    root: Element,
    rules: tuple[Containers, ...],
    removals: Removals,
    keep: Keep,
    by_attributes: bool = True,
) -> None:
    """Remove every element matched by a container rule (the outermost, once) that holds no
    part of the article.

    `by_attributes=False` matches tags only: cheap enough for a whole page.
    """
    index = _index(rules)
    doomed = [(element, index.tags[element.tag]) for element in root.iter(*index.tags)]
    if by_attributes and (index.classes or index.ids or index.prefixes or index.roles):
        for element in elements(_WITH_ATTRIBUTES, root):
            if (rule := index.by_attributes(element, element.keys())) is not None:
                doomed.append((element, rule))
    _remove_containers(root, doomed, index, removals, keep)


def strip_unreadable(root: Element, removals: Removals) -> None:
    """Remove scripts, styles and frames in one pass (lxml does it in C)."""
    found = sum(1 for _ in root.iter(*UNREADABLE_TAGS))
    etree.strip_elements(root, *UNREADABLE_TAGS, with_tail=False)
    removals.count("scripts", "container", found)


def _normalised(text: str) -> str:
    return clean_inline(text).lower().replace("ё", "е")


def _signature_of(text: str, furniture: _FurnitureIndex) -> str | None:
    for name, pattern in furniture.rules:
        if not pattern.search(text):
            continue
        leftover = _NOT_LETTERS.sub("", pattern.sub("", text))
        if len(leftover) <= _LEFTOVER_ALLOWANCE:
            return name
    return None


def _largest_furniture(
    element: Element, stop: Element, furniture: _FurnitureIndex
) -> tuple[Element, str] | None:
    """The highest ancestor (or the element itself) whose whole text is one signature."""
    found = None
    node: Element | None = element
    while node is not None and node is not stop:
        text = text_of(node)
        if len(text) > _LONGEST_FURNITURE:
            break
        rule = _signature_of(_normalised(text), furniture)
        if rule is None:
            break
        found = (node, rule)
        node = node.getparent()
    return found


def remove_furniture(
    region: Element,
    rules: tuple[Containers, ...],
    furniture: tuple[Furniture, ...],
    removals: Removals,
    keep: Keep,
) -> None:
    """Remove containers, share toolbars and furniture texts from a region, in that order.

    One walk over the region finds the candidates of all three: the elements a container rule
    matches, links to share services, and texts that start like one of the site's furniture
    texts.
    """
    index, texts = _index(rules), _furniture_index(furniture)
    matched, share_links, triggered = _candidates(region, index, texts)
    moved = _remove_containers(region, matched, index, removals, keep)
    moved |= _remove_share_toolbars(region, share_links, removals, keep)
    if moved:
        triggered = _candidates(region, index, texts)[2]
    _remove_signatures(region, triggered, texts, removals)


def _candidates(
    region: Element, index: _RuleIndex, furniture: _FurnitureIndex
) -> tuple[list[tuple[Element, str]], list[Element], list[Element]]:
    """(elements matched by a rule, share links, elements with text that starts like
    furniture), each in document order."""
    by_tag, by_attributes, share_links, triggered = [], [], [], []
    triggers, prefix = furniture.triggers, furniture.prefix
    for element in region.iter():
        tag = element.tag
        if tag in index.tags:
            by_tag.append((element, index.tags[tag]))
        names = element.keys() if element is not region else None
        if names:
            if (rule := index.by_attributes(element, names)) is not None:
                by_attributes.append((element, rule))
            if tag == "a" and "href" in names and SHARE_LINKS.search(element.get("href", "")):
                share_links.append(element)
        # A furniture text starts with a trigger: the element of such a text, the parent of
        # such a tail, is a candidate (the test is written out: it runs on every text node).
        text, tail = element.text, element.tail
        if not triggers:
            continue
        if text and text.lstrip()[:prefix].lower().startswith(triggers):
            triggered.append(element)
        if (
            tail
            and tail.lstrip()[:prefix].lower().startswith(triggers)
            and (parent := element.getparent()) is not None
        ):
            triggered.append(parent)
    return by_tag + by_attributes, share_links, triggered


def _remove_containers(
    region: Element,
    matched: list[tuple[Element, str]],
    index: _RuleIndex,
    removals: Removals,
    keep: Keep,
) -> bool:
    """Remove the matched elements (the outermost, once), by rule order, but none that holds
    part of the article; whether any text moved: a removed element's tail joins the text
    before it, which may then start otherwise."""
    moved = False
    for element, rule in sorted(matched, key=lambda pair: index.order.index(pair[1])):
        if is_inside(element, region) and not keep.protects(element, rule):
            moved |= _has_text_after(element)
            removals.remove(element, rule, "container")
    return moved


def _remove_share_toolbars(
    region: Element, links: list[Element], removals: Removals, keep: Keep
) -> bool:
    """Remove lists and boxes made only of share links (and a few words such as «Поделиться»),
    whatever their class names; whether any text moved."""
    moved = False
    for link in links:
        if not is_inside(link, region):
            continue
        box = next(link.iterancestors("ul", "div"), None)
        if box is None or keep.protects(box, "share-toolbar"):
            continue
        anchors = list(box.iter("a"))
        if not all(SHARE_LINKS.search(a.get("href", "")) for a in anchors):
            continue
        own_text = len(clean_inline(text_of(box))) - sum(
            len(clean_inline(text_of(a))) for a in anchors
        )
        if own_text <= _SHARE_BOX_WORDS:
            moved |= _has_text_after(box)
            removals.remove(box, "share-toolbar", "container")
    return moved


def _has_text_after(element: Element) -> bool:
    return bool(element.tail and not element.tail.isspace())


def _remove_signatures(
    region: Element, triggered: list[Element], furniture: _FurnitureIndex, removals: Removals
) -> None:
    """Remove blocks whose whole text is a known furniture text, whatever their markup."""
    body = region.find("body") if region.tag == "html" else None
    stop = body if body is not None else region
    for element in triggered:
        if not is_inside(element, region):
            continue
        found = _largest_furniture(element, stop, furniture)
        if found is None:
            continue
        node, name = found
        removals.remove(node, name, "signature")
