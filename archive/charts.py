"""Bar charts as plain SVG, drawn on the server: no chart library, nothing loaded from elsewhere."""

from __future__ import annotations

import sqlite3
from html import escape

from .search import stem_query

WIDTH, HEIGHT, MARGIN = 720, 240, 32


def bar_chart(title: str, bars: list[tuple[str, int]]) -> str:
    """An SVG bar chart of labelled counts, labels along the bottom (thinned when many)."""
    top = max((value for _, value in bars), default=0) or 1
    inner_width, inner_height = WIDTH - 2 * MARGIN, HEIGHT - 3 * MARGIN
    step = inner_width / max(len(bars), 1)
    every = max(1, len(bars) // 12)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="11">',
        f'<text x="{MARGIN}" y="18" font-size="14">{escape(title)}</text>',
        f'<text x="{MARGIN - 4}" y="{2 * MARGIN - 4}" text-anchor="end">{top}</text>',
    ]
    for index, (label, value) in enumerate(bars):
        height = inner_height * value / top
        x = MARGIN + index * step
        y = 2 * MARGIN + inner_height - height
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(step - 1, 1):.1f}" height="{height:.1f}"'
            f' fill="#3b6ea5"><title>{escape(label)}: {value}</title></rect>'
        )
        if index % every == 0:
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - MARGIN + 14}">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def articles_per_month(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    return conn.execute(
        "SELECT published_month, count(*) FROM articles WHERE published_month IS NOT NULL"
        " GROUP BY published_month ORDER BY published_month"
    ).fetchall()


def mentions_per_month(conn: sqlite3.Connection, term: str) -> list[tuple[str, int]]:
    query = stem_query(term)
    if not query:
        return []
    try:
        return conn.execute(
            "SELECT a.published_month, count(*) FROM articles_search"
            " JOIN articles a ON a.pk = articles_search.rowid WHERE articles_search MATCH ?"
            " AND a.published_month IS NOT NULL GROUP BY a.published_month ORDER BY 1",
            [query],
        ).fetchall()
    except sqlite3.OperationalError:
        return []  # not a valid query: an empty chart


def archived_per_run(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    return [
        (f"#{run}", new)
        for run, new in conn.execute("SELECT id, articles_new FROM crawl_runs ORDER BY id")
    ]
