"""Consistent, self-contained SQLite dumps of an archive, for researchers to take away.

A dump is a snapshot taken with SQLite's backup API in one read transaction, so a crawl
writing at the same time changes nothing in it. It is a single file (no WAL), checked with
`PRAGMA integrity_check` and FTS5's own integrity check, named by date, with a manifest and a
SHA-256 file beside it. It needs nothing of ours: any SQLite opens and searches it (the search
index holds Snowball stems: search it with stems, e.g. `завод` for «заводы»).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .exceptions import ArchiveError
from .search import index_row
from .store import check_archive, connect_read_only

# Rows of these tables belong to an article (column article_pk) and leave a dump with it.
ARTICLE_TABLES = ("article_tags", "images", "removals", "revisions")


class DumpFailed(ArchiveError):
    """The snapshot did not pass its checks; nothing was published."""


@dataclass(frozen=True)
class Dump:
    """A finished dump: the file and what its manifest says."""

    path: Path
    manifest: dict[str, Any]


def default_dumps_dir(db: Path) -> Path:
    """Where dumps go unless told otherwise: `<db stem>-dumps/` beside the archive."""
    return db.parent / f"{db.stem}-dumps"


def dumps_of(directory: Path) -> list[Path]:
    """The dumps in a directory, newest first."""
    return sorted(directory.glob("*.db"), reverse=True) if directory.is_dir() else []


def latest_dump(directory: Path) -> Path | None:
    """The newest dump, if any."""
    found = dumps_of(directory)
    return found[0] if found else None


def make_dump(
    db: Path,
    out: Path | None,
    tool_version: str,
    since: str | None = None,
    until: str | None = None,
) -> Dump:
    """Snapshot the archive (optionally only articles published in [since, until])."""
    check_archive(db, must_exist=True, current=True)
    directory = out or default_dumps_dir(db)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
    target = directory / f"{db.stem}-{stamp}.db"
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = connect_read_only(db)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
        _keep_only(copy, since, until)
        copy.execute("VACUUM")
        _check(copy)
        manifest = _manifest(copy, db, tool_version, since, until)
    except BaseException:
        copy.close()
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
        copy.close()
    digest = hashlib.sha256(partial.read_bytes()).hexdigest()
    manifest.update({"file": target.name, "sha256": digest})
    partial.rename(target)
    target.with_suffix(".manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    target.with_suffix(".db.sha256").write_text(f"{digest}  {target.name}\n", encoding="utf-8")
    return Dump(target, manifest)


def _keep_only(conn: sqlite3.Connection, since: str | None, until: str | None) -> None:
    if not since and not until:
        return
    outside = "published_at IS NULL OR published_at < ? OR substr(published_at, 1, 10) > ?"
    bounds = [since or "", until or "9999-12-31"]
    with conn:
        doomed = f"SELECT pk FROM articles WHERE {outside}"
        for table in ARTICLE_TABLES:
            conn.execute(f"DELETE FROM {table} WHERE article_pk IN ({doomed})", bounds)
        conn.execute(f"DELETE FROM articles WHERE {outside}", bounds)
        conn.execute("DELETE FROM tags WHERE id NOT IN (SELECT tag_id FROM article_tags)")
        conn.execute("INSERT INTO articles_search (articles_search) VALUES ('delete-all')")
        for pk, *text in conn.execute("SELECT pk, title, lead, body_text FROM articles").fetchall():
            index_row(conn, pk, tuple(text))


def _check(conn: sqlite3.Connection) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise DumpFailed(f"the snapshot failed PRAGMA integrity_check: {result}")
    try:
        conn.execute("INSERT INTO articles_search (articles_search) VALUES ('integrity-check')")
    except sqlite3.DatabaseError as error:
        raise DumpFailed(f"the snapshot's search index is damaged: {error}") from None


def _manifest(
    conn: sqlite3.Connection, db: Path, tool_version: str, since: str | None, until: str | None
) -> dict[str, Any]:
    articles, first, last = conn.execute(
        "SELECT count(*), min(published_at), max(published_at) FROM articles"
    ).fetchone()
    runs = [row[0] for row in conn.execute("SELECT id FROM crawl_runs ORDER BY id")]
    return {
        "archive": db.name,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "articles": articles,
        "first_published": first,
        "last_published": last,
        "since": since,
        "until": until,
        "crawl_runs": runs,
        "schema_version": conn.execute("PRAGMA user_version").fetchone()[0],
        "tool": f"Newsarchive {tool_version}",
    }
