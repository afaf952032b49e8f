"""Structured data a page carries for machines: JSON-LD and `<meta>` tags."""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

from ._tree import Element

_META = etree.XPath(".//meta[@property=$n or @name=$n]/@content")
_ARTICLE_TYPES = {"NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle"}


def json_ld_article(root: Element) -> dict[str, Any]:
    """The first JSON-LD object typed as an article, or {} (read before scripts are removed).

    The scripts are found by tag in C, not by XPath, which would test every node of the page.
    """
    for script in root.iter("script"):
        if script.get("type") != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        for item in _objects(data):
            kinds = item.get("@type")
            kinds = set(kinds) if isinstance(kinds, list) else {kinds}
            if kinds & _ARTICLE_TYPES:
                return item
    return {}


def _objects(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [item for entry in data for item in _objects(entry)]
    if isinstance(data, dict):
        return [data, *_objects(data.get("@graph", []))]
    return []


def meta_content(root: Element, name: str) -> str | None:
    """The content of `<meta property=name>` or `<meta name=name>`, if any."""
    head = root.find("head")
    found = _META(head if head is not None else root, n=name)
    return found[0].strip() if found and found[0].strip() else None
