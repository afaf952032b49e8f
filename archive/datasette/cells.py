"""How the articles table shows a cell: for a reader, never raw HTML or a bare ISO date.

Datasette's `render_cell` does not know which page it renders, so a body is an excerpt on
every page that lists cells; the article page shows the whole body, sanitised, above them.
"""

from __future__ import annotations

import json
from html import unescape
from typing import Any
from urllib.parse import quote

import nh3
from markupsafe import Markup

from .dates import month_words, time_element

EXCERPT_CHARACTERS = 160
DATE_COLUMNS = {
    "published_at", "modified_at", "first_seen_at", "last_seen_at", "removed_at", "fetched_at",
    "next_check_at", "seen_at", "started_at", "finished_at", "first_failed_at",
    "last_failed_at", "next_retry_at",
}  # fmt: skip
TEXT_COLUMNS = {"body_html", "body_text", "lead", "sample"}


def plain_text(html: str) -> str:
    """The text of an HTML fragment, tags dropped and entities read."""
    spaced = html.replace("<", " <")  # paragraphs stay apart once their tags are gone
    return " ".join(unescape(nh3.clean(spaced, tags=set())).split())


def excerpt(text: str, limit: int = EXCERPT_CHARACTERS) -> str:
    """The start of a text, cut at a word and marked with … when cut."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def _tags(value: str) -> list[str]:
    try:
        tags = json.loads(value)
    except ValueError:
        return []
    return [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []


def article_cell(column: str, value: Any, row_path: str | None, tag_path: str) -> Any:
    """The display of one cell of `articles`, or None for Datasette's own."""
    if value is None or value == "":
        return None
    if column == "title" and row_path:
        return Markup('<a class="article-title" href="{}">{}</a>').format(row_path, value)
    if column == "tags" and isinstance(value, str):
        links = [
            Markup('<a href="{}?tag={}">{}</a>').format(tag_path, quote(tag), tag)
            for tag in _tags(value)
        ]
        return Markup(", ").join(links)
    if column == "published_month":
        return Markup('<span title="{}">{}</span>').format(value, month_words(value))
    return any_cell(column, value)


def any_cell(column: str, value: Any) -> Any:
    """Dates in words and long texts as excerpts, in any table; None for Datasette's own."""
    if not isinstance(value, str) or not value:
        return None
    if column in DATE_COLUMNS:
        return time_element(value)
    if column in TEXT_COLUMNS:
        text = plain_text(value) if column == "body_html" else " ".join(value.split())
        return Markup('<span class="excerpt">{}</span>').format(excerpt(text))
    return None


def by_year(results: list[dict]) -> list[tuple[str, list[dict]]]:
    """Month facet values grouped by year, newest first: thirty months read as a few lines."""
    years: dict[str, list[dict]] = {}
    for item in sorted((r for r in results if r.get("value")), key=lambda r: r["value"]):
        years.setdefault(str(item["value"])[:4], []).append(item)
    return sorted(years.items(), reverse=True)
