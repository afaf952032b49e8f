"""Consistent, self-contained SQLite dumps of an archive, for researchers to take away.

A dump is a snapshot taken with SQLite's backup API in one read transaction, so a crawl
writing at the same time changes nothing in it. It is a single file (no WAL), checked with
`PRAGMA integrity_check` and FTS5's own integrity check, named by date, with a manifest and a
SHA-256 file beside it. It needs nothing of ours: any SQLite opens and searches it (the search
index holds each article's Snowball stems in its own language: search it with stems, e.g.
`завод` for «заводы», `factori` for "factories").

A dump may hold one site (`site`): its articles and their rows in other tables, and the rows
of every table that names a site (crawl runs, failed pages, …) of that site alone.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .exceptions import DumpFailed, UnknownSite
from .search import index_row
from .store import check_archive, connect_read_only

# Rows of these tables belong to an article (column article_pk) and leave a dump with it.
ARTICLE_TABLES = ("article_tags", "images", "removals", "revisions")
# A dump's name ends with when it was taken, e.g. archive-2024-05-01T120000Z.db.
_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{6}Z)\.db$")


@dataclass(frozen=True)
class Dump:
    """A finished dump: the file and what its manifest says."""

    path: Path
    manifest: dict[str, Any]


def default_dumps_dir(db: Path) -> Path:
    """Where dumps go unless told otherwise: `<db stem>-dumps/` beside the archive."""
    return db.parent / f"{db.stem}-dumps"


def _taken(dump: Path) -> str:
    stamp = _STAMP.search(dump.name)
    return stamp.group(1) if stamp else ""


def dumps_of(directory: Path) -> list[Path]:
    """The dumps in a directory, newest first (by the time in their names, whatever site)."""
    if not directory.is_dir():
        return []
    return sorted(directory.glob("*.db"), key=lambda dump: (_taken(dump), dump.name), reverse=True)


def site_of(dump: Path) -> str | None:
    """The one site a dump holds, as its manifest says; None for a dump of every site."""
    manifest = dump.with_suffix(".manifest.json")
    if not manifest.exists():
        return None
    site: str | None = json.loads(manifest.read_text("utf-8")).get("site")
    return site


def latest_dump(directory: Path) -> Path | None:
    """The newest dump of every site, if any: a dump of one site is no stand-in for the rest."""
    return next((dump for dump in dumps_of(directory) if site_of(dump) is None), None)


def held_sites(conn: sqlite3.Connection) -> list[str]:
    """Every site the archive holds anything of: articles, crawl runs or failed pages."""
    rows = conn.execute(
        "SELECT site FROM articles UNION SELECT site FROM crawl_runs"
        " UNION SELECT site FROM failed_pages ORDER BY site"
    )
    return [row[0] for row in rows]


def _check_site(db: Path, site: str) -> None:
    conn = connect_read_only(db)
    try:
        sites = held_sites(conn)
    finally:
        conn.close()
    if site not in sites:
        held = f"it holds {', '.join(sites)}" if sites else "it holds no site yet"
        raise UnknownSite(f"{db} holds no site {site!r}; {held}")


def _dump_name(db: Path, site: str | None, stamp: str) -> str:
    """`<db stem>[-<site>]-<time>.db`, the site's name made safe for a file name and a URL."""
    label = re.sub(r"[^\w.]+", "-", site, flags=re.ASCII).strip("-") if site else ""
    return f"{db.stem}-{label + '-' if label else ''}{stamp}.db"


def make_dump(
    db: Path,
    out: Path | None,
    tool_version: str,
    since: str | None = None,
    until: str | None = None,
    site: str | None = None,
) -> Dump:
    """Snapshot the archive (optionally only articles published in [since, until], or only
    one site); an unknown site is refused before anything is written."""
    check_archive(db, must_exist=True, current=True)
    if site is not None:
        _check_site(db, site)
    directory = out or default_dumps_dir(db)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
    target = directory / _dump_name(db, site, stamp)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = connect_read_only(db)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
        _keep_only(copy, since, until, site)
        copy.execute("VACUUM")
        _check(copy)
        manifest = _manifest(copy, db, tool_version, since, until, site)
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


def _outside(
    since: str | None, until: str | None, site: str | None
) -> tuple[str, list[str]] | None:
    """The condition on `articles` of what a dump leaves out, and its parameters; None: nothing."""
    conditions, params = [], []
    if since or until:
        conditions.append(
            "published_at IS NULL OR published_at < ? OR substr(published_at, 1, 10) > ?"
        )
        params += [since or "", until or "9999-12-31"]
    if site is not None:
        conditions.append("site != ?")
        params.append(site)
    return (" OR ".join(conditions), params) if conditions else None


def _site_tables(conn: sqlite3.Connection) -> list[str]:
    """The tables but `articles` whose rows name their site."""
    tables = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'articles'"
    ).fetchall()
    return [
        name
        for (name,) in tables
        if any(column[1] == "site" for column in conn.execute(f"PRAGMA table_info([{name}])"))
    ]


def _keep_only(
    conn: sqlite3.Connection, since: str | None, until: str | None, site: str | None
) -> None:
    if (outside := _outside(since, until, site)) is None:
        return
    condition, params = outside
    with conn:
        doomed = f"SELECT pk FROM articles WHERE {condition}"
        for table in ARTICLE_TABLES:
            conn.execute(f"DELETE FROM {table} WHERE article_pk IN ({doomed})", params)
        conn.execute(f"DELETE FROM articles WHERE {condition}", params)
        if site is not None:
            for table in _site_tables(conn):
                conn.execute(f"DELETE FROM [{table}] WHERE site != ?", [site])
        conn.execute("DELETE FROM tags WHERE id NOT IN (SELECT tag_id FROM article_tags)")
        _index_again(conn)


def _index_again(conn: sqlite3.Connection) -> None:
    """The search index of the articles kept, and only those."""
    conn.execute("INSERT INTO articles_search (articles_search) VALUES ('delete-all')")
    rows = conn.execute("SELECT pk, title, lead, body_text, language FROM articles").fetchall()
    for pk, title, lead, body, language in rows:
        index_row(conn, pk, (title, lead, body, language))


def _check(conn: sqlite3.Connection) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise DumpFailed(f"the snapshot failed PRAGMA integrity_check: {result}")
    try:
        conn.execute("INSERT INTO articles_search (articles_search) VALUES ('integrity-check')")
    except sqlite3.DatabaseError as error:
        raise DumpFailed(f"the snapshot's search index is damaged: {error}") from None


def _manifest(
    conn: sqlite3.Connection,
    db: Path,
    tool_version: str,
    since: str | None,
    until: str | None,
    site: str | None,
) -> dict[str, Any]:
    articles, first, last = conn.execute(
        "SELECT count(*), min(published_at), max(published_at) FROM articles"
    ).fetchone()
    runs = [row[0] for row in conn.execute("SELECT id FROM crawl_runs ORDER BY id")]
    return {
        "archive": db.name,
        "site": site,
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
