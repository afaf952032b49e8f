"""Plain-text reports of an archive for the terminal."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from .runs import recent_runs
from .store import check_archive, connect_read_only

COLUMNS = (
    ("id", "run"), ("site", "site"), ("mode", "mode"), ("started_at", "started (UTC)"),
    ("status", "status"), ("pages_fetched", "pages"), ("articles_new", "new"),
    ("articles_updated", "updated"), ("articles_unchanged", "unchanged"),
    ("articles_not_modified", "304"), ("articles_removed", "removed"), ("http_errors", "errors"),
    ("retries", "retries"), ("extraction_failures", "failed"), ("resumes", "resumes"),
)  # fmt: skip


def archived_sites(path: Path) -> dict[str, tuple[int, str | None]]:
    """The sites an archive holds: articles of each, and when the newest was published."""
    check_archive(path, must_exist=True, current=True)
    conn = connect_read_only(path)
    try:
        rows = conn.execute(
            "SELECT site, count(*), max(published_at) FROM articles GROUP BY site ORDER BY site"
        ).fetchall()
    finally:
        conn.close()
    return {site: (count, newest) for site, count, newest in rows}


# Per site: its articles, the newest publication and its last run, and sites with runs alone.
_SITES = """
WITH held AS (
    SELECT site, count(*) AS articles, max(published_at) AS newest FROM articles GROUP BY site
), last AS (
    SELECT site, max(id) AS run FROM crawl_runs GROUP BY site
)
SELECT sites.site, coalesce(held.articles, 0), held.newest, runs.id, runs.started_at, runs.status
FROM (SELECT site FROM held UNION SELECT site FROM last) sites
LEFT JOIN held USING (site) LEFT JOIN last USING (site)
LEFT JOIN crawl_runs runs ON runs.id = last.run
ORDER BY sites.site
"""
SITE_TITLES = ["site", "articles", "newest published", "last run", "started (UTC)", "status"]


def sites_table(path: Path) -> str:
    """Each site the archive holds, with its articles, newest publication and last run."""
    check_archive(path, must_exist=True, current=True)
    conn = connect_read_only(path)
    try:
        sites = conn.execute(_SITES).fetchall()
    finally:
        conn.close()
    if not sites:
        return f"{path} holds no site yet"
    rows = [SITE_TITLES]
    rows += [
        [site, str(articles), newest or "", f"#{run}" if run else "", started or "", status or ""]
        for site, articles, newest, run, started, status in sites
    ]
    return table(rows)


def table(rows: list[list[str]]) -> str:
    """Rows as aligned text columns, the first row the titles."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def runs_table(path: Path, limit: int) -> str:
    """The last runs as an aligned text table, newest first."""
    check_archive(path, must_exist=True, current=True)
    db = sqlite_utils.Database(connect_read_only(path))
    try:
        runs = recent_runs(db, limit)
    finally:
        db.close()
    if not runs:
        return f"{path} has no crawl runs yet"
    rows = [[title for _, title in COLUMNS]]
    rows += [
        [str(run[name]) if run[name] is not None else "" for name, _ in COLUMNS] for run in runs
    ]
    return table(rows)
