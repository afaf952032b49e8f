"""Boilerplate removal by named rules: containers (by selector) and signatures (by known text).

Class names change with every redesign, the texts of a site's furniture much less often, so a
block is removed when its selector matches *or* when its whole text is a known signature. Each
removal records the rule's name, so a reviewer can see what was taken out of a page and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property

from lxml import etree

from ..items import Removal
from ._text import clean_inline
from ._tree import Element, drop, is_inside, text_of


@dataclass(frozen=True)
class ContainerRule:
    """Elements with one of these tags, classes, ids, id prefixes or ARIA roles are furniture."""

    name: str
    tags: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()
    ids: frozenset[str] = frozenset()
    id_prefixes: tuple[str, ...] = ()
    roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SignatureRule:
    """A block whose text consists of these phrases (and little else) is page furniture."""

    name: str
    phrases: tuple[str, ...]

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile("|".join(self.phrases))


def _rule(name: str, **kinds: str) -> ContainerRule:
    """A rule from space-separated names: `_rule("ads", classes="banner_wide banner_hor")`."""
    values = {kind: frozenset(names.split()) for kind, names in kinds.items()}
    if "id_prefixes" in values:
        values["id_prefixes"] = tuple(sorted(values["id_prefixes"]))  # type: ignore[assignment]
    return ContainerRule(name, **values)  # type: ignore[arg-type]


UNREADABLE_TAGS = ("script", "style", "noscript", "template", "iframe")

PAGE_CHROME = (
    _rule("page-header", tags="header", roles="banner"),
    _rule("page-footer", tags="footer", roles="contentinfo"),
    _rule("navigation", tags="nav menu", classes="main-menu", roles="navigation"),
    _rule("sidebar", tags="aside", ids="sidebar", roles="complementary"),
    _rule("comments", ids="comments comment-list"),
    _rule(
        "ads",
        classes="banner_wide banner_hor banner-post",
        id_prefixes="yandex_rtb_ yandex_ad",
    ),
    _rule("map", classes="big_map"),
    _rule("rating", classes="rate-block"),
    _rule("forms", tags="form textarea button input select"),
    _rule("share-toolbar", classes="ya-share2 share social_links_16"),
)
SHARE_LINKS = re.compile(
    r"vk\.com/share|facebook\.com/sharer|twitter\.com/intent|t\.me/share|connect\.ok\.ru|"
    r"odnoklassniki\.ru/dk"
)

SIGNATURES = (
    SignatureRule("slogan", (r"стань автором[.,!]?\s*присоединяйся к сообществу!?",)),
    SignatureRule("logo-text", (r"лого\s+сделано у нас",)),
    SignatureRule(
        "telegram-prompt",
        (
            r"хочешь всегда знать и никогда не пропускать[^?!.]*[?!.]?",
            r"у проекта «?сделано у нас»? есть (?:телеграм|telegram)[- ]канал\s*@?[\w.]*",
            r"подпишись,? и у тебя всегда будет повод для гордости за россию[.!]?",
        ),
    ),
    SignatureRule(
        "comment-form",
        (
            r"написать комментарий",
            r"отмена",
            r"для комментирования вам необходимо зарегистрироваться и войти на сайт[,.]?",
            r"зарегистрироваться",
            r"войти",
        ),
    ),
)

# How furniture texts start; a text node starting otherwise is never climbed from.
_TRIGGERS = ("стань автором", "лого сделано", "хочешь всегда знать", "написать комментарий",
             "для комментирования", "отмена")  # fmt: skip
_TRIGGER_PREFIX = max(map(len, _TRIGGERS))
_LEFTOVER_ALLOWANCE = 3
_NOT_LETTERS = re.compile(r"[\W\d_]+")
# No block of furniture text is longer than this; longer blocks are never compared.
_LONGEST_FURNITURE = 600
_SAMPLE = 100


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

    def __init__(self, rules: tuple[ContainerRule, ...]) -> None:
        self.order = [rule.name for rule in rules]
        self.tags = {tag: rule.name for rule in reversed(rules) for tag in rule.tags}
        self.classes = {name: rule.name for rule in reversed(rules) for name in rule.classes}
        self.ids = {name: rule.name for rule in reversed(rules) for name in rule.ids}
        self.roles = {name: rule.name for rule in reversed(rules) for name in rule.roles}
        self.prefixes = [(prefix, rule.name) for rule in rules for prefix in rule.id_prefixes]

    def by_attributes(self, element: Element, names: list[str]) -> str | None:
        """The rule matching the element's class, id or role; `names` are its attributes'
        (each lookup of an attribute that is absent would cost as much as one present)."""
        if "class" in names:
            for name in element.get("class").split():
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
def _index(rules: tuple[ContainerRule, ...]) -> _RuleIndex:
    return _RuleIndex(rules)


def remove_containers(
    root: Element,
    rules: tuple[ContainerRule, ...],
    removals: Removals,
    by_attributes: bool = True,
) -> None:
    """Remove every element matched by a container rule (the outermost, once).

    `by_attributes=False` matches tags only: cheap enough for a whole page.
    """
    index = _index(rules)
    doomed = [(element, index.tags[element.tag]) for element in root.iter(*index.tags)]
    if by_attributes and (index.classes or index.ids or index.prefixes or index.roles):
        for element in _WITH_ATTRIBUTES(root):
            if (rule := index.by_attributes(element, element.keys())) is not None:
                doomed.append((element, rule))
    doomed.sort(key=lambda pair: index.order.index(pair[1]))
    for element, rule in doomed:
        if is_inside(element, root):
            removals.remove(element, rule, "container")


def strip_unreadable(root: Element, removals: Removals) -> None:
    """Remove scripts, styles and frames in one pass (lxml does it in C)."""
    found = sum(1 for _ in root.iter(*UNREADABLE_TAGS))
    etree.strip_elements(root, *UNREADABLE_TAGS, with_tail=False)
    removals.count("scripts", "container", found)


def _normalised(text: str) -> str:
    return clean_inline(text).lower().replace("ё", "е")


def _signature_of(text: str) -> SignatureRule | None:
    for rule in SIGNATURES:
        if not rule.pattern.search(text):
            continue
        leftover = _NOT_LETTERS.sub("", rule.pattern.sub("", text))
        if len(leftover) <= _LEFTOVER_ALLOWANCE:
            return rule
    return None


def _largest_furniture(element: Element, stop: Element) -> tuple[Element, str] | None:
    """The highest ancestor (or the element itself) whose whole text is one signature."""
    found = None
    node: Element | None = element
    while node is not None and node is not stop:
        text = text_of(node)
        if len(text) > _LONGEST_FURNITURE:
            break
        rule = _signature_of(_normalised(text))
        if rule is None:
            break
        found = (node, rule.name)
        node = node.getparent()
    return found


def remove_furniture(region: Element, rules: tuple[ContainerRule, ...], removals: Removals) -> None:
    """Remove containers, share toolbars and furniture texts from a region, in that order.

    One walk over the region finds the candidates of all three: the elements a container rule
    matches, links to share services, and texts that start like furniture.
    """
    index = _index(rules)
    matched, share_links, triggered = _candidates(region, index)
    moved = _remove_containers(region, matched, index, removals)
    moved |= _remove_share_toolbars(region, share_links, removals)
    if moved:
        triggered = _candidates(region, index)[2]
    _remove_signatures(region, triggered, removals)


def _candidates(
    region: Element, index: _RuleIndex
) -> tuple[list[tuple[Element, str]], list[Element], list[Element]]:
    """(elements matched by a rule, share links, elements with text that starts like
    furniture), each in document order."""
    by_tag, by_attributes, share_links, triggered = [], [], [], []
    for element in region.iter():
        tag = element.tag
        if tag in index.tags:
            by_tag.append((element, index.tags[tag]))
        names = element.keys() if element is not region else None
        if names:
            if (rule := index.by_attributes(element, names)) is not None:
                by_attributes.append((element, rule))
            if tag == "a" and "href" in names and SHARE_LINKS.search(element.get("href")):
                share_links.append(element)
        # A furniture text starts with a trigger: the element of such a text, the parent of
        # such a tail, is a candidate (the test is written out: it runs on every text node).
        text, tail = element.text, element.tail
        if text and text.lstrip()[:_TRIGGER_PREFIX].lower().startswith(_TRIGGERS):
            triggered.append(element)
        if (
            tail
            and tail.lstrip()[:_TRIGGER_PREFIX].lower().startswith(_TRIGGERS)
            and element.getparent() is not None
        ):
            triggered.append(element.getparent())
    return by_tag + by_attributes, share_links, triggered


def _remove_containers(
    region: Element, matched: list[tuple[Element, str]], index: _RuleIndex, removals: Removals
) -> bool:
    """Remove the matched elements (the outermost, once), by rule order; whether any text
    moved: a removed element's tail joins the text before it, which may then start otherwise."""
    moved = False
    for element, rule in sorted(matched, key=lambda pair: index.order.index(pair[1])):
        if is_inside(element, region):
            moved |= _has_text_after(element)
            removals.remove(element, rule, "container")
    return moved


def _remove_share_toolbars(region: Element, links: list[Element], removals: Removals) -> bool:
    """Remove lists and boxes made only of share links, whatever their class names; whether
    any text moved."""
    moved = False
    for link in links:
        if not is_inside(link, region):
            continue
        box = next(link.iterancestors("ul", "div"), None)
        if box is None:
            continue
        hrefs = [a.get("href", "") for a in box.iter("a")]
        if all(SHARE_LINKS.search(href) for href in hrefs):
            moved |= _has_text_after(box)
            removals.remove(box, "share-toolbar", "container")
    return moved


def _has_text_after(element: Element) -> bool:
    return bool(element.tail) and not element.tail.isspace()


def _remove_signatures(region: Element, triggered: list[Element], removals: Removals) -> None:
    """Remove blocks whose whole text is a known furniture text, whatever their markup."""
    body = region.find("body") if region.tag == "html" else None
    stop = body if body is not None else region
    for element in triggered:
        if not is_inside(element, region):
            continue
        found = _largest_furniture(element, stop)
        if found is None:
            continue
        node, name = found
        removals.remove(node, name, "signature")
