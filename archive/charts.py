"""Bar charts as plain SVG, drawn on the server: no chart library, nothing loaded from elsewhere.

A time axis has every month between the first and the last, so a month with no article is a
bar of 0, not a gap that makes the axis uneven.
"""

from __future__ import annotations

import csv
import io
import math
import sqlite3
from html import escape

from .search import stem_query

WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 24, 36, 40
X_LABELS = 10
Y_TICKS = 4

Bars = list[tuple[str, int]]


def _nice_step(top: int) -> int:
    """A round tick step (1, 2, 5 × 10ⁿ) giving about Y_TICKS ticks up to `top`."""
    raw = max(top / Y_TICKS, 1)
    power = 10 ** math.floor(math.log10(raw))
    return int(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


def _y_axis(top: int, inner_height: float) -> list[str]:
    step = _nice_step(top)
    ticks = range(0, top + step, step)
    scale = inner_height / ticks[-1]
    parts = []
    for value in ticks:
        y = TOP + inner_height - value * scale
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value}</text>'
        )
    return parts


def bar_chart(title: str, bars: Bars) -> str:
    """An SVG bar chart of labelled counts: gridlines with several y labels, x labels thinned
    to about X_LABELS and kept inside the picture."""
    top = max((value for _, value in bars), default=0) or 1
    step_value = _nice_step(top)
    axis_top = math.ceil(top / step_value) * step_value
    inner_width, inner_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_width / max(len(bars), 1)
    every = max(1, math.ceil(len(bars) / X_LABELS))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}"'
        f' viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}"'
        ' font-family="sans-serif" font-size="11">',
        f'<text x="{LEFT}" y="18" font-size="14">{escape(title)}</text>',
        *_y_axis(axis_top, inner_height),
    ]
    for index, (label, value) in enumerate(bars):
        height = inner_height * value / axis_top
        x = LEFT + index * step
        y = TOP + inner_height - height
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(step - 1, 1):.1f}" height="{height:.1f}"'
            f' fill="#3b6ea5" data-label="{escape(label)}" data-value="{value}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        if index % every == 0:
            centre = min(max(x + step / 2, LEFT), WIDTH - RIGHT)
            parts.append(
                f'<text x="{centre:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def every_month(bars: Bars) -> Bars:
    """The bars with each missing month between the first and the last added as 0."""
    counts = dict(bars)
    if not counts:
        return []
    first, last = min(counts), max(counts)
    year, month = int(first[:4]), int(first[5:7])
    filled = []
    while (label := f"{year:04d}-{month:02d}") <= last:
        filled.append((label, counts.get(label, 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return filled


def articles_per_month(conn: sqlite3.Connection) -> Bars:
    """Articles published each month, every month shown."""
    return every_month(
        conn.execute(
            "SELECT published_month, count(*) FROM articles WHERE published_month IS NOT NULL"
            " GROUP BY published_month ORDER BY published_month"
        ).fetchall()
    )


def mentions_per_month(conn: sqlite3.Connection, term: str) -> Bars:
    """Articles mentioning the term (any word form) each month: it counts articles, not
    mentions. The axis spans the whole archive, so the term's quiet months are zeros."""
    query = stem_query(term)
    if not query:
        return []
    try:
        found = conn.execute(
            "SELECT a.published_month, count(*) FROM articles_search"
            " JOIN articles a ON a.pk = articles_search.rowid WHERE articles_search MATCH ?"
            " AND a.published_month IS NOT NULL GROUP BY a.published_month ORDER BY 1",
            [query],
        ).fetchall()
    except sqlite3.OperationalError:
        return []  # not a valid query: an empty chart
    counts = dict(found)
    return [(month, counts.get(month, 0)) for month, _ in articles_per_month(conn)]


def archived_per_run(conn: sqlite3.Connection) -> Bars:
    """New articles archived by each crawl run."""
    return [
        (f"#{run}", new)
        for run, new in conn.execute("SELECT id, articles_new FROM crawl_runs ORDER BY id")
    ]


def as_csv(label: str, value: str, bars: Bars) -> str:
    """The chart's numbers as CSV, a header row first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([label, value])
    writer.writerows(bars)
    return out.getvalue()
