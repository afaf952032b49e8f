"""Small HTML pieces the kinds share: escaping, body paragraphs, JSON-LD, English dates."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from html import escape

from .corpus import Article


def e(text: str) -> str:
    """Escaped for HTML text and double-quoted attributes."""
    return escape(text, quote=True)


def paragraphs(article: Article) -> str:
    """The body, edits included, one `<p>` a paragraph."""
    return "\n".join(f"<p>{e(text)}</p>" for text in article.body)


def json_ld(data: object) -> str:
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>'


def long_date(moment: datetime) -> str:
    """`November 30, 2026`, as English sites print a date."""
    return f"{moment:%B} {moment.day}, {moment.year}"


def short_date(moment: datetime) -> str:
    return f"{moment:%b} {moment.day}, {moment.year}"


def pager(page: int, pages: int, url_of: Callable[[int], str]) -> str:
    """Numbered page links, every page listed so that each is one click from the first."""
    if pages <= 1:
        return ""
    items = [
        f'<span aria-current="page" class="page-numbers current">{n}</span>'
        if n == page
        else f'<a class="page-numbers" href="{e(url_of(n))}">{n}</a>'
        for n in range(1, pages + 1)
    ]
    if page < pages:
        items.append(f'<a class="next page-numbers" href="{e(url_of(page + 1))}">Next</a>')
    links = "".join(items)
    return f'<nav class="navigation pagination"><div class="nav-links">{links}</div></nav>'
