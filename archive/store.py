"""Every write to the archive: open and validate, migrate, upsert articles in batches, lock.

A record is a plain dict (see `ARTICLE_COLUMNS`, plus `tags` and `images` lists); the archive
knows nothing of Scrapy or of how records were made.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from .exceptions import ArchiveLocked, MissingArchive, NewerSchema, NotAnArchive
from .schema import LATEST_VERSION, MIGRATIONS, REQUIRED_TABLES

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000

ARTICLE_COLUMNS = (
    "id", "site", "url", "title", "lead", "body_text", "body_html", "published_at",
    "published_month", "author", "author_login", "category", "tags", "source_url",
    "comment_count", "rating", "word_count", "image_count", "content_hash",
    "extractor_version", "boilerplate_removed", "published_at_source", "modified_at",
    "modified_at_source", "extraction_method",
)  # fmt: skip
COUNTERS = ("comment_count", "rating")


@dataclass
class SaveCounts:
    """What one batch did to the archive."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: SaveCounts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged


def check_archive(path: Path, must_exist: bool = False) -> None:
    """Refuse a path that cannot be a Newsarchive archive, without writing anything."""
    if path.is_dir():
        raise NotAnArchive(f"{path} is a directory; give the path of a .db file")
    if not path.exists():
        if must_exist:
            raise MissingArchive(f"{path} does not exist; crawl first or check --db")
        if not os.access(path.parent if str(path.parent) else Path("."), os.W_OK):
            raise NotAnArchive(f"cannot create {path}: its directory is not writable")
        return
    if not os.access(path, os.R_OK):
        raise NotAnArchive(f"{path} is not readable; check its permissions")
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header and header != SQLITE_HEADER:
        raise NotAnArchive(f"{path} is not a SQLite database; give another --db path")
    if not header:
        return
    _check_schema(path)


def _check_schema(path: Path) -> None:
    try:
        with _read_only(path) as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise NotAnArchive(f"{path} is not a usable SQLite database ({error})") from None
    if version > LATEST_VERSION:
        raise NewerSchema(
            f"{path} has schema version {version}, newer than this Newsarchive's "
            f"{LATEST_VERSION}; upgrade Newsarchive"
        )
    if version == 0 and tables:
        raise NotAnArchive(f"{path} is a SQLite database but not a Newsarchive archive")
    missing = [table for table in REQUIRED_TABLES.get(version, ()) if table not in tables]
    if missing:
        raise NotAnArchive(f"{path} lacks tables {', '.join(missing)}; it is damaged")


@contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


@contextmanager
def crawl_lock(path: Path) -> Iterator[None]:
    """Hold an OS advisory lock on the archive for one run; it dies with the process."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ArchiveLocked(
                f"{path} is being written by another run; wait for it to finish"
            ) from None
        yield
    finally:
        os.close(fd)


class Archive:
    """An open archive: validated, migrated, in WAL mode."""

    def __init__(self, path: Path) -> None:
        check_archive(path)
        self.path = path
        self.db = sqlite_utils.Database(path)
        self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.db.enable_wal()
        self._migrate()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            self.db.conn.executescript(
                f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
            )

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed by SQLite)."""
        self.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def save_articles(self, records: Iterable[dict[str, Any]], seen_at: str) -> SaveCounts:
        """Insert or update a batch of article records in one transaction."""
        counts = SaveCounts()
        with self.db.atomic():
            for record in records:
                outcome = self._save_article(record, seen_at)
                self.db.execute("DELETE FROM failed_pages WHERE url = ?", [record["url"]])
                setattr(counts, outcome, getattr(counts, outcome) + 1)
        return counts

    def _save_article(self, record: dict[str, Any], seen_at: str) -> str:
        row = {column: _column_value(record[column]) for column in ARTICLE_COLUMNS}
        existing = self.db.execute(
            "SELECT pk, content_hash FROM articles WHERE id = ?", [record["id"]]
        ).fetchone()
        articles = self.db.table("articles")
        if existing is None:
            pk = articles.insert({**row, "first_seen_at": seen_at, "last_seen_at": seen_at}).last_pk
            outcome = "new"
        else:
            pk, old_hash = existing
            if old_hash == record["content_hash"]:
                counters = {column: row[column] for column in COUNTERS}
                articles.update(pk, {**counters, "last_seen_at": seen_at})
                return "unchanged"
            articles.update(pk, {**row, "last_seen_at": seen_at})
            outcome = "updated"
        self._replace_tags(pk, record["tags"])
        self._replace_rows("images", pk, record["images"])
        self._replace_rows("removals", pk, record["removals"])
        return outcome

    def _replace_tags(self, article_pk: int, names: list[str]) -> None:
        self.db.execute("DELETE FROM article_tags WHERE article_pk = ?", [article_pk])
        if not names:
            return
        tags = self.db.table("tags")
        tags.insert_all(({"name": name} for name in names), ignore=True)
        placeholders = ",".join("?" * len(names))
        ids = dict(
            self.db.execute(f"SELECT name, id FROM tags WHERE name IN ({placeholders})", names)
        )
        self.db.table("article_tags").insert_all(
            {"article_pk": article_pk, "tag_id": ids[name], "position": position}
            for position, name in enumerate(names)
        )

    def _replace_rows(self, table: str, article_pk: int, rows: list[dict[str, Any]]) -> None:
        self.db.execute(f"DELETE FROM {table} WHERE article_pk = ?", [article_pk])
        if table == "images":
            rows = [{"position": position, **row} for position, row in enumerate(rows)]
        self.db.table(table).insert_all({"article_pk": article_pk, **row} for row in rows)

    def record_failures(self, failures: Iterable[dict[str, str]], seen_at: str) -> None:
        """Keep each page that failed (url, site, reason), counting repeated failures."""
        with self.db.atomic():
            for failure in failures:
                self.db.execute(
                    "INSERT INTO failed_pages (url, site, reason, first_failed_at, last_failed_at,"
                    " attempts) VALUES (:url, :site, :reason, :seen, :seen, 1)"
                    " ON CONFLICT (url) DO UPDATE SET reason = excluded.reason,"
                    " last_failed_at = excluded.last_failed_at, attempts = attempts + 1",
                    {**failure, "seen": seen_at},
                )

    def article_count(self) -> int:
        """How many articles the archive holds."""
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]


def _column_value(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value
