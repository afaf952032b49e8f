"""An article as its page in Datasette shows it, and HTML made safe again for display."""

from __future__ import annotations

import json
import sqlite3
from typing import Any
from urllib.parse import urlsplit

import nh3

# Tags an archived article body may keep: structure and links, nothing that runs or loads.
ARTICLE_TAGS = {
    "p", "br", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "table",
    "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "a", "strong", "b", "em", "i", "u",
    "s", "sub", "sup", "code", "hr", "mark",
}  # fmt: skip


def sanitise(html: str) -> str:
    """Archived HTML cleaned once more before display: no script can run, no image loads."""
    return nh3.clean(
        html,
        tags=ARTICLE_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener nofollow noreferrer",
    )


def _web(url: str | None) -> str | None:
    """Only http(s) links reach the page: never `javascript:` or `data:`."""
    return url if url and urlsplit(url).scheme in ("http", "https") else None


def article_view(conn: sqlite3.Connection, pk: str) -> dict[str, Any] | None:
    """What the article page shows: fields, tags (with ids) and images."""
    previous, conn.row_factory = conn.row_factory, sqlite3.Row
    try:
        row = conn.execute("SELECT * FROM articles WHERE pk = ?", [pk]).fetchone()
        if row is None:
            return None
        tags = conn.execute(
            "SELECT t.id, t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id"
            " WHERE at.article_pk = ? ORDER BY at.position",
            [pk],
        ).fetchall()
        images = conn.execute(
            "SELECT url, full_url, credit, caption FROM images WHERE article_pk = ?"
            " ORDER BY position",
            [pk],
        ).fetchall()
    finally:
        conn.row_factory = previous
    article = dict(row)
    article["tags"] = [dict(tag) for tag in tags]
    article["images"] = [
        {**dict(image), "full_url": _web(image["full_url"]), "url": _web(image["url"])}
        for image in images
    ]
    article["url"], article["source_url"] = _web(article["url"]), _web(article["source_url"])
    article["boilerplate_removed"] = json.loads(article["boilerplate_removed"] or "[]")
    return article
