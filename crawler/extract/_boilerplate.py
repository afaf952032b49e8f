"""Boilerplate removal by named rules: containers (by selector) and signatures (by known text).

Class names change with every redesign, the texts of a site's furniture much less often, so a
block is removed when its selector matches *or* when its whole text is a known signature. Each
removal records the rule's name, so a reviewer can see what was taken out of a page and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement

from ._text import clean_inline


@dataclass(frozen=True)
class ContainerRule:
    """Elements matched by an XPath expression are page furniture."""

    name: str
    xpath: str


@dataclass(frozen=True)
class SignatureRule:
    """A block whose text consists of these phrases (and little else) is page furniture."""

    name: str
    phrases: tuple[str, ...]

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile("|".join(self.phrases))


def _class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


UNREADABLE = ContainerRule("scripts", "//script | //style | //noscript | //template | //iframe")

PAGE_CHROME = (
    ContainerRule("page-header", "//header | //*[@role='banner']"),
    ContainerRule("page-footer", "//footer | //*[@role='contentinfo']"),
    ContainerRule("navigation", f"//nav | //*[{_class('main-menu')}] | //*[@id='all']/menu"),
    ContainerRule("sidebar", "//aside | //*[@id='sidebar']"),
    ContainerRule(
        "ads",
        f"//*[{_class('banner_wide')} or {_class('banner_hor')} or {_class('banner-post')}]"
        " | //*[starts-with(@id, 'yandex_rtb_') or starts-with(@id, 'yandex_ad')]",
    ),
    ContainerRule("map", f"//*[{_class('big_map')}]"),
    ContainerRule("rating", f"//*[{_class('rate-block')}]"),
    ContainerRule("forms", "//form | //textarea | //button | //input | //select"),
    ContainerRule(
        "share-toolbar",
        f"//*[{_class('ya-share2')} or {_class('share')} or {_class('social_links_16')}]"
        " | //*[(self::ul or self::div) and .//a and not(.//a[not("
        "contains(@href, 'vk.com/share') or contains(@href, 'facebook.com/sharer')"
        " or contains(@href, 'twitter.com/intent') or contains(@href, 't.me/share')"
        " or contains(@href, 'connect.ok.ru') or contains(@href, 'odnoklassniki.ru/dk'))])]",
    ),
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


def drop(element: HtmlElement) -> None:
    """Remove an element but keep the text that follows it."""
    element.drop_tree()


def remove_containers(
    root: HtmlElement, rules: tuple[ContainerRule, ...], fired: list[str]
) -> None:
    """Remove every element matched by a container rule, noting each rule that fired."""
    for rule in rules:
        matches = root.xpath(rule.xpath)
        for element in matches:
            if element.getparent() is not None:
                drop(element)
        if matches and rule.name not in fired:
            fired.append(rule.name)


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
