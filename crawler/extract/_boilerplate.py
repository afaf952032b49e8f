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
from lxml.html import HtmlElement

from ._text import clean_inline


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


UNREADABLE = (_rule("scripts", tags="script style noscript template iframe"),)

PAGE_CHROME = (
    _rule("page-header", tags="header", roles="banner"),
    _rule("page-footer", tags="footer", roles="contentinfo"),
    _rule("navigation", tags="nav menu", classes="main-menu", roles="navigation"),
    _rule("sidebar", tags="aside", ids="sidebar", roles="complementary"),
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
_SHARE_LINK_XPATH = etree.XPath(
    "//a[contains(@href, '/share') or contains(@href, '/sharer') or contains(@href, '/intent')"
    " or contains(@href, 'connect.ok.ru') or contains(@href, 'odnoklassniki.ru/dk')]"
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

_TRIGGER = re.compile(
    r"стань автором|лого\s+сделано|хочешь всегда знать|написать комментарий|"
    r"для комментирования|^\s*отмена\s*$",
    re.IGNORECASE,
)
_LEFTOVER_ALLOWANCE = 3
# No block of furniture text is longer than this; longer blocks are never compared.
_LONGEST_FURNITURE = 600


def drop(element: HtmlElement) -> None:
    """Remove an element but keep the text that follows it."""
    element.drop_tree()


_WITH_ATTRIBUTES = etree.XPath("//*[@class or @id or @role]")


class _RuleIndex:
    """The rules of one pass, indexed by tag, class, id and role for one lookup per element."""

    def __init__(self, rules: tuple[ContainerRule, ...]) -> None:
        self.order = [rule.name for rule in rules]
        self.tags = {tag: rule.name for rule in reversed(rules) for tag in rule.tags}
        self.classes = {name: rule.name for rule in reversed(rules) for name in rule.classes}
        self.ids = {name: rule.name for rule in reversed(rules) for name in rule.ids}
        self.roles = {name: rule.name for rule in reversed(rules) for name in rule.roles}
        self.prefixes = [(prefix, rule.name) for rule in rules for prefix in rule.id_prefixes]

    def by_attributes(self, element: HtmlElement) -> str | None:
        for name in (element.get("class") or "").split():
            if name in self.classes:
                return self.classes[name]
        id_ = element.get("id")
        if id_:
            if id_ in self.ids:
                return self.ids[id_]
            for prefix, rule in self.prefixes:
                if id_.startswith(prefix):
                    return rule
        return self.roles.get(element.get("role") or "")


@cache
def _index(rules: tuple[ContainerRule, ...]) -> _RuleIndex:
    return _RuleIndex(rules)


def remove_containers(
    root: HtmlElement, rules: tuple[ContainerRule, ...], fired: list[str]
) -> None:
    """Remove every element matched by a container rule, noting each rule that fired."""
    index = _index(rules)
    doomed = [(element, index.tags[element.tag]) for element in root.iter(*index.tags)]
    if index.classes or index.ids or index.prefixes or index.roles:
        for element in _WITH_ATTRIBUTES(root):
            if (rule := index.by_attributes(element)) is not None:
                doomed.append((element, rule))
    matched = set()
    for element, rule in doomed:
        if _attached(element, root):
            drop(element)
            matched.add(rule)
    fired.extend(name for name in index.order if name in matched and name not in fired)


def remove_share_toolbars(root: HtmlElement, fired: list[str]) -> None:
    """Remove lists and boxes made only of share links, whatever their class names."""
    for link in _SHARE_LINK_XPATH(root):
        if not SHARE_LINKS.search(link.get("href", "")) or not _attached(link, root):
            continue
        box = next(link.iterancestors("ul", "div"), None)
        if box is None:
            continue
        hrefs = [a.get("href", "") for a in box.iter("a")]
        if all(SHARE_LINKS.search(href) for href in hrefs):
            drop(box)
            if "share-toolbar" not in fired:
                fired.append("share-toolbar")


def _normalised(element: HtmlElement) -> str:
    return clean_inline(element.text_content()).lower().replace("ё", "е")


def _signature_of(text: str) -> SignatureRule | None:
    for rule in SIGNATURES:
        if not rule.pattern.search(text):
            continue
        leftover = re.sub(r"[\W\d_]+", "", rule.pattern.sub("", text))
        if len(leftover) <= _LEFTOVER_ALLOWANCE:
            return rule
    return None


def _largest_furniture(element: HtmlElement, stop: HtmlElement) -> tuple[HtmlElement, str] | None:
    """The highest ancestor (or the element itself) whose whole text is one signature."""
    found = None
    node: HtmlElement | None = element
    while node is not None and node is not stop:
        if len(node.text_content()) > _LONGEST_FURNITURE:
            break
        rule = _signature_of(_normalised(node))
        if rule is None:
            break
        found = (node, rule.name)
        node = node.getparent()
    return found


def remove_signatures(root: HtmlElement, fired: list[str]) -> None:
    """Remove blocks whose whole text is a known furniture text, whatever their markup."""
    candidates = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.text and _TRIGGER.search(element.text):
            candidates.append(element)
        if element.tail and _TRIGGER.search(element.tail) and element.getparent() is not None:
            candidates.append(element.getparent())
    body = root.find("body")
    stop = body if body is not None else root
    for element in candidates:
        if not _attached(element, root):
            continue
        found = _largest_furniture(element, stop)
        if found is None:
            continue
        node, name = found
        drop(node)
        if name not in fired:
            fired.append(name)


def _attached(element: HtmlElement, root: HtmlElement) -> bool:
    node: etree._Element | None = element
    while node is not None:
        if node is root:
            return True
        node = node.getparent()
    return False
