"""Every write to the archive: open and validate, migrate, upsert articles in batches, lock.

A record is a plain dict (`archive.article.ARTICLE_COLUMNS`, and `images` and `removals`
lists); the archive knows nothing of Scrapy or of how records were made.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import sqlite_utils

from .article import ARTICLE_COLUMNS
from .exceptions import ArchiveLocked, MissingArchive, NewerSchema, NotAnArchive, OlderSchema
from .runs import COUNTERS as RUN_COUNTERS
from .runs import record_progress
from .schema import LATEST_VERSION, MIGRATIONS, REQUIRED_TABLES
from .search import Indexed, index_row

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000

# Where the raw response of a version is; revisions keep it for the version they replace.
WARC_COLUMNS = ("warc_file", "warc_offset", "warc_length", "warc_digest", "fetched_at")
# What only a live fetch knows: a re-extraction from an older capture must not roll it back.
LIVE = ("comment_count", "rating", "http_etag", "http_last_modified")


@dataclass
class SaveCounts:
    """What one batch did to the archive."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    not_modified: int = 0
    removed: int = 0
    absent: int = 0

    def add(self, other: SaveCounts) -> None:
        for name in SAVE_OUTCOMES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


SAVE_OUTCOMES = ("new", "updated", "unchanged", "not_modified", "removed", "absent")
# What a revision keeps of the version it replaces; `changed` names those that differ.
REVISED_FIELDS = (
    "title", "lead", "body_text", "body_html", "tags", "published_at", "author", "source_url",
)  # fmt: skip


@dataclass
class Children:
    """A batch's rows that hang off its articles, by article pk: each replaces what was there."""

    tags: dict[int, list[str]] = field(default_factory=dict)
    images: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    removals: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class Batch:
    """Everything one transaction writes: articles, failures, gone pages, run progress."""

    articles: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    not_modified: list[str] = field(default_factory=list)
    # Pages judged (article or not) and discovery sources done, for sites read by address.
    judged: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    run_id: int | None = None
    reason: str = "edit"  # why a changed article changed: "edit", or "re-extraction"
    # (stream, entry id) of the shared crawl's entry this batch is: kept in the same transaction
    position: tuple[str, str] | None = None

    def __len__(self) -> int:
        parts: tuple[list[Any], ...] = (
            self.articles, self.failures, self.gone, self.not_modified, self.judged
        )  # fmt: skip
        return sum(len(part) for part in parts)


def next_check(anchor: str | None, after: str, delays: tuple[int, ...]) -> str | None:
    """The first recheck time, anchor + delay, that is later than `after` (UTC ISO), or None.

    The anchor is the publication time: edits come soon after it, so an article published
    years before we first saw it is never rechecked.
    """
    start = datetime.fromisoformat(anchor or after)
    moment = datetime.fromisoformat(after)
    for delay in delays:
        due = start + timedelta(seconds=delay)
        if due > moment:
            return due.astimezone(UTC).isoformat(timespec="seconds")
    return None


def check_archive(
    path: Path, must_exist: bool = False, current: bool = False, writing: bool = False
) -> None:
    """Refuse a path that cannot be a Newsarchive archive, without writing anything.

    `current` also refuses an archive of an older schema (for commands that only read);
    `writing` refuses an archive this process could not write to.
    """
    if path.is_dir():
        raise NotAnArchive(f"{path} is a directory; give the path of a .db file")
    directory = path.parent if str(path.parent) else Path(".")
    if not path.exists():
        if must_exist:
            raise MissingArchive(f"{path} does not exist; crawl first or check --db")
        if not os.access(directory, os.W_OK):
            raise NotAnArchive(f"cannot create {path}: its directory is not writable")
        return
    if not os.access(path, os.R_OK):
        raise NotAnArchive(f"{path} is not readable; check its permissions")
    if writing and not os.access(path, os.W_OK):
        raise NotAnArchive(f"{path} is not writable; check its permissions")
    if writing and not os.access(directory, os.W_OK):
        raise NotAnArchive(
            f"cannot write {path}: its directory is not writable (SQLite keeps its journal there)"
        )
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header and header != SQLITE_HEADER:
        raise NotAnArchive(f"{path} is not a SQLite database; give another --db path")
    if not header:
        return
    _check_schema(path, current)


def _check_schema(path: Path, current: bool = False) -> None:
    try:
        with read_only(path, leave_no_trace=True) as conn:
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
    if current and version < LATEST_VERSION:
        raise OlderSchema(
            f"{path} has schema version {version}, older than this Newsarchive's "
            f"{LATEST_VERSION}; run `newsarchive crawl` on it once to upgrade it"
        )
    missing = [table for table in REQUIRED_TABLES.get(version, ()) if table not in tables]
    if missing:
        raise NotAnArchive(f"{path} lacks tables {', '.join(missing)}; it is damaged")


def connect_read_only(path: Path, leave_no_trace: bool = False) -> sqlite3.Connection:
    """A connection that cannot write, for readers beside a running crawl.

    Even a read-only connection to a WAL archive leaves -wal and -shm files beside it. With
    `leave_no_trace`, an archive no writer is at work on (it has no -wal file, so the file is
    the whole archive) is read as immutable, which creates nothing: for a brief look, such as
    a check before a command, never for a reader that a crawl may start writing under.
    """
    immutable = leave_no_trace and not path.with_name(f"{path.name}-wal").exists()
    options = "mode=ro&immutable=1" if immutable else "mode=ro"
    return sqlite3.connect(f"{path.resolve().as_uri()}?{options}", uri=True)


@contextmanager
def read_only(path: Path, leave_no_trace: bool = False) -> Iterator[sqlite3.Connection]:
    """A read-only connection, closed at the end of the block."""
    conn = connect_read_only(path, leave_no_trace)
    try:
        yield conn
    finally:
        conn.close()


@contextmanager
def crawl_lock(path: Path, wait: bool = False) -> Iterator[None]:
    """Hold an OS advisory lock on the archive for one run; it dies with the process.

    With `wait`, block until the run holding it ends instead of refusing.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise ArchiveLocked(
                f"{path} is being written by another run; wait for it to finish"
            ) from None
        yield
    finally:
        os.close(fd)


class Archive:
    """An open archive: validated, migrated, in WAL mode."""

    def __init__(
        self,
        path: Path,
        rechecks: tuple[int, ...] = (),
        retry_delays: tuple[int, ...] = (),
    ) -> None:
        """`rechecks`, when to check a saved article again after its publication, and
        `retry_delays`, when to ask a failed page again after its 1st, 2nd … failure, are a
        crawl's settings (NEWSARCHIVE_RECHECK_AFTER, NEWSARCHIVE_RETRY_FAILED_AFTER); an
        archive opened for anything else schedules nothing."""
        check_archive(path, writing=True)
        self.path = path
        self.rechecks = rechecks
        self.retry_delays = retry_delays
        self.db = sqlite_utils.Database(path)
        self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.db.enable_wal()
        self._migrate()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        for number, (script, then) in enumerate(MIGRATIONS[version:], start=version + 1):
            self.db.conn.executescript(f"BEGIN;\n{script}")
            try:
                if then is not None:
                    then(self.db.conn)
                self.db.conn.execute(f"PRAGMA user_version = {number}")
                self.db.conn.execute("COMMIT")
            except BaseException:
                self.db.conn.rollback()
                raise

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed by SQLite)."""
        self.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def save_articles(self, records: Iterable[dict[str, Any]], seen_at: str) -> SaveCounts:
        """Insert or update a batch of article records in one transaction."""
        return self.save_batch(Batch(articles=list(records)), seen_at)

    def save_batch(
        self,
        batch: Batch,
        seen_at: str,
        progress: Callable[[SaveCounts], dict[str, Any]] | None = None,
    ) -> SaveCounts:
        """Write a whole batch, and the run's progress, in one transaction.

        `progress(counts)` gives the run's counters, cursor and high water as of this batch.
        """
        counts = SaveCounts()
        with self.db.atomic():
            children = Children()
            for record in batch.articles:
                outcome = self._save_article(record, seen_at, batch.reason, children)
                setattr(counts, outcome, getattr(counts, outcome) + 1)
            self.db.execute(
                "DELETE FROM failed_pages WHERE url IN (SELECT value FROM json_each(?))",
                [json.dumps([record["url"] for record in batch.articles])],
            )
            self._replace_children(children)
            for url in batch.not_modified:
                self._checked(url, seen_at)
                counts.not_modified += 1
            for url in batch.gone:
                if self._mark_removed(url, seen_at):
                    counts.removed += 1
                else:
                    counts.absent += 1
            self._record_failures(batch.failures, seen_at, batch.run_id)
            self._record_judged(batch.judged, seen_at)
            self._record_sources(batch.sources, seen_at)
            if batch.run_id is not None and progress is not None:
                record_progress(self.db, batch.run_id, **progress(counts))
            if batch.position is not None:
                self.keep_position(*batch.position, seen_at)
        return counts

    def keep_position(self, stream: str, entry_id: str, now: str) -> None:
        """Note the last entry of a stream that is written (inside its transaction)."""
        self.db.execute(
            "INSERT INTO stream_positions (stream, last_id, written_at) VALUES (?, ?, ?)"
            " ON CONFLICT (stream) DO UPDATE SET last_id = excluded.last_id,"
            " written_at = excluded.written_at",
            [stream, entry_id, now],
        )

    def stream_position(self, stream: str) -> str | None:
        """The last entry of a stream that is written, if any."""
        row = self.db.execute(
            "SELECT last_id FROM stream_positions WHERE stream = ?", [stream]
        ).fetchone()
        return row[0] if row else None

    def run_counters(self, run_id: int) -> dict[str, int]:
        """A run's counters so far (a resumed run adds to them)."""
        names = ", ".join(RUN_COUNTERS)
        row = self.db.execute(f"SELECT {names} FROM crawl_runs WHERE id = ?", [run_id]).fetchone()
        return dict(zip(RUN_COUNTERS, row, strict=True)) if row else {}

    def _save_article(
        self, record: dict[str, Any], seen_at: str, reason: str, children: Children
    ) -> str:
        """Insert, update (keeping the old version as a revision) or note as unchanged.

        Its tags, images and removals go to `children`, written for the whole batch at once.

        Unchanged content still refreshes what is derived from the page (HTML, images,
        removals, method…) without a revision. A re-extraction (`reason="re-extraction"`)
        is no visit to the site: when the article was seen, its schedule and what only a
        live fetch knows (comment count, rating, validators) stay as they were.
        """
        row = {column: _column_value(record[column]) for column in ARTICLE_COLUMNS}
        if reason == "re-extraction":
            row = {name: value for name, value in row.items() if name not in LIVE}
        existing = self.db.execute(
            "SELECT pk, content_hash, checks_done, language, "
            + ", ".join((*REVISED_FIELDS, *WARC_COLUMNS))
            + " FROM articles WHERE id = ?",
            [record["id"]],
        ).fetchone()
        schedule = {} if reason == "re-extraction" else self._schedule(record, seen_at)
        old: dict[str, Any] = {}
        indexed: Indexed | None = None  # the version the search index holds
        if existing is None:
            pk = self._insert_article({**row, **schedule, "first_seen_at": seen_at})
            outcome = "new"
        else:
            pk, old_hash, checks_done, old_language, *old_values = existing
            before = dict(zip((*REVISED_FIELDS, *WARC_COLUMNS), old_values, strict=True))
            indexed = (before["title"], before["lead"], before["body_text"], old_language)
            if schedule:
                schedule["checks_done"] = checks_done + 1
            if old_hash == record["content_hash"]:
                refreshed = {k: v for k, v in row.items() if k not in WARC_COLUMNS}
                self._update_article(pk, {**refreshed, **schedule})
                outcome = "unchanged"
            else:
                old = before
                self._keep_revision(pk, old, row, old_hash, seen_at, reason)
                self._update_article(pk, {**row, **schedule})
                outcome = "updated"
        new = (record["title"], record["lead"], record["body_text"], record["language"])
        if new != indexed:  # a new text, or the same in another language
            index_row(self.db.conn, pk, new, indexed)
        if outcome != "unchanged":
            children.tags[pk] = record["tags"]
        children.images[pk] = record["images"]
        children.removals[pk] = record["removals"]
        return outcome

    def _insert_article(self, row: dict[str, Any]) -> int:
        """One prepared INSERT: the hot path of a crawl, without per-row introspection."""
        columns = ", ".join(row)
        placeholders = ", ".join("?" * len(row))
        sql = f"INSERT INTO articles ({columns}) VALUES ({placeholders})"
        return cast(int, self.db.execute(sql, list(row.values())).lastrowid)  # an INSERT sets it

    def _update_article(self, pk: int, values: dict[str, Any]) -> None:
        assignments = ", ".join(f"{column} = ?" for column in values)
        sql = f"UPDATE articles SET {assignments} WHERE pk = ?"
        self.db.execute(sql, [*values.values(), pk])

    def _schedule(self, record: dict[str, Any], seen_at: str) -> dict[str, Any]:
        return {
            "last_seen_at": seen_at,
            "removed_at": None,
            "next_check_at": next_check(record["published_at"], seen_at, self.rechecks),
        }

    def _keep_revision(
        self,
        pk: int,
        old: dict[str, Any],
        new: dict[str, Any],
        old_hash: str,
        seen_at: str,
        reason: str,
    ) -> None:
        changed = [name for name in REVISED_FIELDS if old[name] != new[name]]
        self.db.table("revisions").insert(
            {
                "article_pk": pk,
                "seen_at": seen_at,
                "reason": reason,
                "changed": json.dumps(changed),
                **old,
                "content_hash": old_hash,
            }
        )
        self.db.execute(
            "UPDATE articles SET revision_count = revision_count + 1 WHERE pk = ?", [pk]
        )

    def _checked(self, url: str, seen_at: str) -> None:
        """A recheck answered 304: nothing to parse; the schedule moves on."""
        row = self.db.execute(
            "SELECT pk, published_at FROM articles WHERE url = ?", [url]
        ).fetchone()
        if row is None:
            return
        self.db.execute(
            "UPDATE articles SET last_seen_at = ?, checks_done = checks_done + 1,"
            " next_check_at = ? WHERE pk = ?",
            [seen_at, next_check(row[1], seen_at, self.rechecks), row[0]],
        )

    def _mark_removed(self, url: str, seen_at: str) -> bool:
        """Mark an archived article removed (kept, never deleted); False if never archived."""
        cursor = self.db.execute(
            "UPDATE articles SET removed_at = coalesce(removed_at, ?), next_check_at = NULL"
            " WHERE url = ?",
            [seen_at, url],
        )
        return cursor.rowcount > 0

    def _replace_children(self, children: Children) -> None:
        """Replace the tags, images and removals of a batch's articles: a few statements in all."""
        ids = self._tag_ids(name for tags in children.tags.values() for name in tags)
        self._replace_rows(
            "article_tags",
            children.tags,
            [
                {"article_pk": pk, "tag_id": ids[name], "position": position}
                for pk, tags in children.tags.items()
                for position, name in enumerate(tags)
            ],
        )
        self._replace_rows(
            "images",
            children.images,
            [
                {"article_pk": pk, "position": position, **image}
                for pk, images in children.images.items()
                for position, image in enumerate(images)
            ],
        )
        self._replace_rows(
            "removals",
            children.removals,
            [{"article_pk": pk, **row} for pk, rows in children.removals.items() for row in rows],
        )

    def _tag_ids(self, names: Iterable[str]) -> dict[str, int]:
        """The id of each tag name, tags new to the archive added."""
        unique = list(dict.fromkeys(names))
        if not unique:
            return {}
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO tags (name) VALUES (?)", [(name,) for name in unique]
        )
        return dict(
            self.db.execute(
                "SELECT name, id FROM tags WHERE name IN (SELECT value FROM json_each(?))",
                [json.dumps(unique, ensure_ascii=False)],
            )
        )

    def _replace_rows(
        self, table: str, by_article: dict[int, Any], rows: list[dict[str, Any]]
    ) -> None:
        """Delete the batch's articles' rows of a child table and insert theirs, in one prepared
        statement (every row has the same keys)."""
        self._delete_children(table, by_article)
        if rows:
            columns = list(rows[0])
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)})"
                f" VALUES ({', '.join(':' + column for column in columns)})"
            )
            self.db.conn.executemany(sql, rows)

    def _delete_children(self, table: str, by_article: dict[int, Any]) -> None:
        self.db.execute(
            f"DELETE FROM {table} WHERE article_pk IN (SELECT value FROM json_each(?))",
            [json.dumps(list(by_article))],
        )

    def _record_failures(
        self, failures: Iterable[dict[str, Any]], seen_at: str, run_id: int | None
    ) -> None:
        """Keep each failure with its count of attempts, and when to try it next: later after
        each failed attempt, the longest at once for a permanent failure."""
        for failure in failures:
            permanent = bool(failure.get("permanent"))
            (attempts,) = self.db.execute(
                "INSERT INTO failed_pages (url, site, reason, first_failed_at, last_failed_at,"
                " attempts, run_id, permanent) VALUES (:url, :site, :reason, :seen, :seen, 1,"
                " :run, :permanent) ON CONFLICT (url) DO UPDATE SET reason = excluded.reason,"
                " last_failed_at = excluded.last_failed_at, attempts = attempts + 1,"
                " run_id = excluded.run_id, permanent = excluded.permanent RETURNING attempts",
                {**failure, "seen": seen_at, "run": run_id, "permanent": permanent},
            ).fetchone()
            self.db.execute(
                "UPDATE failed_pages SET next_retry_at = ? WHERE url = ?",
                [self._next_retry(seen_at, attempts, permanent), failure["url"]],
            )

    def _record_judged(self, pages: Iterable[dict[str, Any]], seen_at: str) -> None:
        """Remember each page judged (an article's URL as fetched, or a page that is none),
        with the lastmod it was listed with."""
        self.db.conn.executemany(
            "INSERT INTO judged_pages (url, site, article_id, not_article, lastmod, judged_at)"
            " VALUES (:url, :site, :article_id, :not_article, :lastmod, :seen)"
            " ON CONFLICT (url) DO UPDATE SET article_id = excluded.article_id,"
            " not_article = excluded.not_article, lastmod = excluded.lastmod,"
            " judged_at = excluded.judged_at",
            [
                {"article_id": None, "not_article": None, "lastmod": None, **page, "seen": seen_at}
                for page in pages
            ],
        )

    def _record_sources(self, sources: Iterable[dict[str, Any]], seen_at: str) -> None:
        """Keep each discovery source a run read to its end, as a rerun compares it."""
        self.db.conn.executemany(
            "INSERT INTO discovery_sources (url, site, kind, parent, lastmod, newest, http_etag,"
            " http_last_modified, entries, checked_at) VALUES (:url, :site, :kind, :parent,"
            " :lastmod, :newest, :http_etag, :http_last_modified, :entries, :seen)"
            " ON CONFLICT (url) DO UPDATE SET kind = excluded.kind, parent = excluded.parent,"
            " lastmod = excluded.lastmod, newest = excluded.newest,"
            " http_etag = excluded.http_etag, http_last_modified = excluded.http_last_modified,"
            " entries = excluded.entries, checked_at = excluded.checked_at",
            [{**source, "seen": seen_at} for source in sources],
        )

    def _next_retry(self, seen_at: str, attempts: int, permanent: bool) -> str:
        delays = self.retry_delays or (0,)
        delay = delays[-1] if permanent else delays[min(attempts, len(delays)) - 1]
        moment = datetime.fromisoformat(seen_at) + timedelta(seconds=delay)
        return moment.isoformat(timespec="seconds")

    def article_count(self) -> int:
        """How many articles the archive holds."""
        return int(self.db.execute("SELECT count(*) FROM articles").fetchone()[0])


def _column_value(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value
