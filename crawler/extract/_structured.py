"""Structured data a page carries for machines: JSON-LD, `<meta>` tags, microdata, links.

Read once per page, before scripts are removed, into plain data that the field readers ask.
Elements are found by tag in C; an XPath over the whole page would test every node.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from ._text import clean_inline
from ._tree import Element, elements, text_of

_ARTICLE_TYPES = {
    "NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
    "OpinionNewsArticle", "ReviewNewsArticle", "BackgroundNewsArticle", "Report",
    "TechArticle", "ScholarlyArticle", "LiveBlogPosting", "SocialMediaPosting", "WebPage",
}  # fmt: skip
_WITH_ITEMPROP = etree.XPath("//*[@itemprop]")
_WITH_ID = etree.XPath("//*[@id]")
_COMMENTS = re.compile(
    r"comment|коммент|discuss|disqus|kommentar|komentar|commentaire|comentario|reactions", re.I
)
# A WebPage is an article only when nothing more specific is there.
_WEAK_TYPES = {"WebPage"}


@dataclass
class Structured:
    """What a page says of itself for machines."""

    json_ld: dict[str, Any] = field(default_factory=dict)  # the article object, or {}
    json_ld_types: set[str] = field(default_factory=set)  # the types of all its objects
    metas: dict[str, list[str]] = field(default_factory=dict)  # lowercased name -> contents
    itemprops: dict[str, list[Element]] = field(default_factory=dict)  # microdata elements
    language: str | None = None  # `<html lang>`
    canonical: str | None = None  # `<link rel=canonical>`
    # Ids of the elements that hold the comments (by their class or id), whatever the anchor
    # is called: a link to one of them is a link to the comments.
    comment_anchors: set[str] = field(default_factory=set)

    def meta(self, *names: str) -> str | None:
        """The first non-empty content of the first of these meta names the page has."""
        for name in names:
            for content in self.metas.get(name, ()):
                if content:
                    return content
        return None

    def meta_all(self, name: str) -> list[str]:
        return self.metas.get(name, [])

    def itemprop(self, name: str) -> str | None:
        """The value of the first element with this itemprop: its machine-readable attribute
        (`content`, `datetime`) or else its text."""
        for element in self.itemprops.get(name, ()):
            value = element.get("content") or element.get("datetime")
            if value is None and element.tag != "meta":
                value = text_of(element)
            if value and value.strip():
                return value.strip()
        return None


def read_structured(root: Element) -> Structured:
    """The page's JSON-LD article, metas, microdata, language and canonical link."""
    found = Structured()
    found.json_ld = _json_ld_article(root, found.json_ld_types)
    for meta in root.iter("meta"):
        name = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content")
        if name and content is not None:
            found.metas.setdefault(name.strip().lower(), []).append(clean_inline(content))
        elif meta.get("http-equiv", "").lower() == "content-language" and content:
            found.metas.setdefault("content-language", []).append(content.strip())
    for element in elements(_WITH_ITEMPROP, root):
        for prop in element.get("itemprop", "").split():
            found.itemprops.setdefault(prop, []).append(element)
    for element in elements(_WITH_ID, root):
        marks = f"{element.get('id')} {element.get('class') or ''}"
        if _COMMENTS.search(marks):
            found.comment_anchors.add(element.get("id", ""))
    found.language = root.get("lang") or root.get("xml:lang")
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            found.canonical = link.get("href", "").strip()
            break
    return found


def _json_ld_article(root: Element, types: set[str]) -> dict[str, Any]:
    """The JSON-LD object typed as an article (a specific type before a plain WebPage); the
    types of all objects seen on the way are added to `types`."""
    weak: dict[str, Any] = {}
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        for item in _objects(data):
            kinds = item.get("@type")
            kinds = set(kinds) if isinstance(kinds, list) else {kinds}
            types.update(kind for kind in kinds if isinstance(kind, str))
            if kinds & (_ARTICLE_TYPES - _WEAK_TYPES):
                return item
            if kinds & _WEAK_TYPES and not weak:
                weak = item
    return weak


def _objects(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [item for entry in data for item in _objects(entry)]
    if isinstance(data, dict):
        found = [data, *_objects(data.get("@graph", []))]
        main = data.get("mainEntity")
        return [*found, *_objects(main)] if isinstance(main, dict | list) else found
    return []


def names_of(value: Any) -> list[str]:
    """Names in a JSON-LD value: a string, a Person/Organization object, or a list of them."""
    if isinstance(value, str):
        return [clean_inline(value)] if value.strip() else []
    if isinstance(value, dict):
        name = value.get("name")
        return names_of(name) if isinstance(name, str) else []
    if isinstance(value, list):
        return [name for item in value for name in names_of(item)]
    return []
