"""The crawl log: one `crawl_runs` row per run, written as the run goes.

A run's progress (counters, listing cursor) is committed in the same transaction as its
articles, so a run killed at any moment leaves a row that says exactly how far it got; the next
run with the same arguments resumes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, cast

import sqlite_utils

COUNTERS = (
    "pages_fetched", "listing_pages", "articles_new", "articles_updated", "articles_unchanged",
    "articles_not_modified", "articles_removed", "articles_absent", "http_errors",
    "extraction_failures", "extraction_fallbacks", "retries",
)  # fmt: skip
RESUMABLE = ("running", "interrupted")


@dataclass
class RunState:
    """A run as the crawler starts it: new, or resumed with what the dead run had done."""

    id: int
    resumed: bool
    cursor: int | None = None
    high_water: str | None = None
    counters: dict[str, int] = field(default_factory=dict)
    previous_high_water: str | None = None


def start_run(
    db: sqlite_utils.Database, site: str, mode: str, arguments: dict[str, Any], now: str
) -> RunState:
    """Resume the site's unfinished run with the same arguments, or start a new one.

    Call it holding the archive's crawl lock: an unfinished row is then a run that died.
    """
    encoded = json.dumps(arguments, sort_keys=True)
    previous = last_finished_high_water(db, site)
    with db.atomic():
        row = db.execute(
            "SELECT id, arguments, cursor, high_water, " + ", ".join(COUNTERS) + " FROM crawl_runs"
            f" WHERE site = ? AND status IN {RESUMABLE} ORDER BY id DESC LIMIT 1",
            [site],
        ).fetchone()
        if row is not None and row[1] == encoded:
            db.execute(
                "UPDATE crawl_runs SET status = 'running', resumes = resumes + 1 WHERE id = ?",
                [row[0]],
            )
            counters = dict(zip(COUNTERS, row[4:], strict=True))
            return RunState(row[0], True, row[2], row[3], counters, previous)
        if row is not None:
            db.execute("UPDATE crawl_runs SET status = 'abandoned' WHERE id = ?", [row[0]])
        run_id = (
            db.table("crawl_runs")
            .insert(
                {
                    "site": site,
                    "mode": mode,
                    "arguments": encoded,
                    "started_at": now,
                    "status": "running",
                }
            )
            .last_pk
        )
    return RunState(cast(int, run_id), False, previous_high_water=previous)  # the new row's id


def record_progress(
    db: sqlite_utils.Database,
    run_id: int,
    counters: dict[str, int],
    cursor: int | None,
    high_water: str | None,
) -> None:
    """Write a run's counters and cursor (call inside the batch's transaction)."""
    known = {name: value for name, value in counters.items() if name in COUNTERS}
    db.table("crawl_runs").update(run_id, {**known, "cursor": cursor, "high_water": high_water})


def merged_progress(
    db: sqlite_utils.Database,
    run_id: int,
    added: dict[str, int],
    cursor: int | None,
    high_water: str | None,
) -> dict[str, Any]:
    """A run's progress with what one crawler of a shared run adds: its counters summed, the
    cursor and high water moved forward only (crawlers report in any order)."""
    names = ", ".join(COUNTERS)
    row = db.execute(
        f"SELECT cursor, high_water, {names} FROM crawl_runs WHERE id = ?", [run_id]
    ).fetchone()
    if row is None:
        return {"counters": added, "cursor": cursor, "high_water": high_water}
    old_cursor, old_high_water, *values = row
    counters = {
        name: (value or 0) + added.get(name, 0)
        for name, value in zip(COUNTERS, values, strict=True)
    }
    if old_cursor is not None and (cursor is None or cursor < old_cursor):
        cursor = old_cursor
    if old_high_water is not None and (
        high_water is None or _id_order(high_water) < _id_order(old_high_water)
    ):
        high_water = old_high_water
    return {"counters": counters, "cursor": cursor, "high_water": high_water}


def _id_order(native_id: str) -> tuple[int, str]:
    return (int(native_id), "") if native_id.isdigit() else (-1, native_id)


def finish_run(
    db: sqlite_utils.Database,
    run_id: int,
    status: str,
    exit_code: int,
    now: str,
    complete: bool = False,
    unknown_layout: int = 0,
) -> None:
    """Close a run's row: when, how it ended, its exit code, whether it archived all it
    listed (`complete`: it moves the stop mark), and its pages in an unknown layout."""
    with db.atomic():
        db.table("crawl_runs").update(
            run_id,
            {
                "finished_at": now,
                "status": status,
                "exit_code": exit_code,
                "complete": int(complete),
                "unknown_layout": unknown_layout,
            },
        )


def last_finished_high_water(db: sqlite_utils.Database, site: str) -> str | None:
    """The newest native id a complete run of the site had seen: below it, all is archived."""
    row = db.execute(
        "SELECT high_water FROM crawl_runs WHERE site = ? AND complete = 1"
        " AND high_water IS NOT NULL ORDER BY CAST(high_water AS INTEGER) DESC LIMIT 1",
        [site],
    ).fetchone()
    return row[0] if row else None


def recent_runs(db: sqlite_utils.Database, limit: int) -> list[dict[str, Any]]:
    """The last runs, newest first, as plain dicts."""
    rows = db.execute(
        "SELECT id, site, mode, started_at, finished_at, status, exit_code, resumes, "
        + ", ".join(COUNTERS)
        + " FROM crawl_runs ORDER BY id DESC LIMIT ?",
        [limit],
    )
    names = [column[0] for column in rows.description]
    return [dict(zip(names, row, strict=True)) for row in rows.fetchall()]
