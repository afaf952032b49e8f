"""What the archive already holds, read-only: the crawler derives its frontier from it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .store import connect_read_only

_CHUNK = 500
# The fields whose loss a crawl watches for: each is usual for a site when most of its recent
# articles have it (see `Frontier.field_shares`), and missed when a run finds it far less often.
# The rating is not among them: only a layout profile reads it (no generic markup says which
# number is a rating), so every unknown layout would raise the alarm for a counter, not content.
WATCHED_FIELDS = (
    "lead", "published_at", "modified_at", "author", "category", "tags", "source_url",
    "comment_count", "language", "images",
)  # fmt: skip
_PRESENT = {"tags": "tags != '[]'", "images": "image_count > 0"}
# How many of the site's most recent articles say which fields are usual.
RECENT_ARTICLES = 1000


def is_present(record: dict[str, object], name: str) -> bool:
    """Whether an archive record has the watched field (images: at least one; tags: any)."""
    if name == "images":
        return bool(record.get("image_count"))
    value = record.get(name)
    return value is not None and value != [] and value != ""


def maintenance(
    mode: str,
    retry_failed: bool,
    checked_before: str | None,
    limit: int | None,
    recheck_limit: int,
) -> dict[str, list[Any]]:
    """What a run asks of its archive besides its discovery, in this order, each list with the
    arguments of its `Frontier` method: due `rechecks` [now, limit] and due `failures` [now,
    or None for all of them, limit] for incremental and full runs; `revalidations` [checked
    before, limit] of every archived article for a full run, of the least recently checked for
    `revalidate`, which does that alone. The writer of a shared crawl publishes these lists."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    if mode == "revalidate":
        return {"revalidations": [checked_before, limit]}
    wanted: dict[str, list[Any]] = {}
    if mode in ("incremental", "full"):
        wanted["rechecks"] = [now, recheck_limit]
        wanted["failures"] = [None if retry_failed else now, recheck_limit]
    if mode == "full":
        wanted["revalidations"] = [None, None]
    return wanted


@dataclass(frozen=True)
class Due:
    """An archived article due for a recheck."""

    native_id: str
    url: str
    etag: str | None
    last_modified: str | None
    warc_digest: str | None
    fetched_at: str | None


@dataclass(frozen=True)
class Seen:
    """A page the archive knows by its URL: an article's (`article_id`), or one judged to be
    no article (`not_article`, why); `lastmod` is what its sitemap or feed said last time."""

    article_id: str | None
    not_article: str | None
    lastmod: str | None


@dataclass(frozen=True)
class Source:
    """A sitemap or feed a complete read of which is on record."""

    url: str
    kind: str
    parent: str | None
    lastmod: str | None  # as the parent index gave it
    newest: str | None  # the newest entry's date
    etag: str | None
    last_modified: str | None


class Frontier:
    """A read-only view of an archive for one site (readers never block the writer in WAL)."""

    def __init__(self, path: Path, site: str) -> None:
        self.site = site
        self.conn = connect_read_only(path)

    def close(self) -> None:
        """Close the read connection."""
        self.conn.close()

    def known(self, native_ids: list[str]) -> dict[str, str]:
        """Archived, not removed articles among these ids, with their titles."""
        titles: dict[str, str] = {}
        for start in range(0, len(native_ids), _CHUNK):
            chunk = native_ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            titles.update(
                self.conn.execute(
                    "SELECT native_id, title FROM articles WHERE site = ? AND removed_at IS NULL"
                    f" AND native_id IN ({marks})",
                    [self.site, *chunk],
                ).fetchall()
            )
        return titles

    def seen(self, urls: list[str]) -> dict[str, Seen]:
        """What the archive knows of these URLs: judged pages, and archived articles' URLs."""
        found: dict[str, Seen] = {}
        for start in range(0, len(urls), _CHUNK):
            chunk = urls[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for url, article_id in self.conn.execute(
                f"SELECT url, id FROM articles WHERE removed_at IS NULL AND url IN ({marks})",
                chunk,
            ):
                found[url] = Seen(article_id, None, None)
            for url, article_id, not_article, lastmod in self.conn.execute(
                "SELECT url, article_id, not_article, lastmod FROM judged_pages"
                f" WHERE url IN ({marks})",
                chunk,
            ):
                found[url] = Seen(article_id, not_article, lastmod)
        return found

    def sources(self) -> dict[str, Source]:
        """The site's sitemaps and feeds read to their end by an earlier run, by URL."""
        rows = self.conn.execute(
            "SELECT url, kind, parent, lastmod, newest, http_etag, http_last_modified"
            " FROM discovery_sources WHERE site = ?",
            [self.site],
        )
        return {row[0]: Source(*row) for row in rows}

    def field_shares(self, recent: int = RECENT_ARTICLES) -> tuple[int, dict[str, float]]:
        """(How many of the site's most recent articles were looked at, and the share of them
        that has each watched field)."""
        present = ", ".join(
            f"avg({_PRESENT.get(name, f'{name} IS NOT NULL')})" for name in WATCHED_FIELDS
        )
        columns = ", ".join("image_count" if name == "images" else name for name in WATCHED_FIELDS)
        row = self.conn.execute(
            f"SELECT count(*), {present} FROM (SELECT {columns} FROM articles WHERE site = ?"
            " AND removed_at IS NULL ORDER BY pk DESC LIMIT ?)",
            [self.site, recent],
        ).fetchone()
        count, *shares = row
        return count, {
            name: share or 0.0 for name, share in zip(WATCHED_FIELDS, shares, strict=True)
        }

    def revalidations(self, checked_before: str | None, limit: int | None) -> Iterator[Due]:
        """Archived articles to ask again whatever their schedule, least recently checked
        first: all of them, or those last checked before a time, at most `limit`; read a chunk
        at a time, so revalidating a whole archive holds little of it in memory."""
        sql = (
            "SELECT native_id, url, http_etag, http_last_modified, warc_digest, fetched_at"
            " FROM articles WHERE site = ? AND removed_at IS NULL"
        )
        params: list[object] = [self.site]
        if checked_before is not None:
            sql += " AND last_seen_at < ?"
            params.append(checked_before)
        sql += " ORDER BY last_seen_at, pk LIMIT ?"
        params.append(limit if limit is not None else -1)
        rows = self.conn.execute(sql, params)
        while chunk := rows.fetchmany(_CHUNK):
            yield from (Due(*row) for row in chunk)

    def failed(self, urls: list[str]) -> set[str]:
        """Those of these URLs that are in failed_pages: asked again only when due."""
        found: set[str] = set()
        for start in range(0, len(urls), _CHUNK):
            chunk = urls[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update(
                url
                for (url,) in self.conn.execute(
                    f"SELECT url FROM failed_pages WHERE url IN ({marks})", chunk
                )
            )
        return found

    def due_failures(self, now: str | None, limit: int) -> list[str]:
        """URLs of the site's failed pages due for another try (all of them if `now` is
        None), the longest waiting first."""
        sql = "SELECT url FROM failed_pages WHERE site = ?"
        params: list[object] = [self.site]
        if now is not None:
            sql += " AND (next_retry_at IS NULL OR next_retry_at <= ?)"
            params.append(now)
        rows = self.conn.execute(sql + " ORDER BY last_failed_at LIMIT ?", [*params, limit])
        return [url for (url,) in rows]

    def due_rechecks(self, now: str, limit: int) -> list[Due]:
        """Articles due for a recheck, oldest due first, with what a conditional GET needs."""
        rows = self.conn.execute(
            "SELECT native_id, url, http_etag, http_last_modified, warc_digest, fetched_at"
            " FROM articles WHERE site = ? AND removed_at IS NULL AND next_check_at <= ?"
            " ORDER BY next_check_at LIMIT ?",
            [self.site, now, limit],
        ).fetchall()
        return [Due(*row) for row in rows]
