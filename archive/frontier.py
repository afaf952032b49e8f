"""What the archive already holds, read-only: the crawler derives its frontier from it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .store import connect_read_only

_CHUNK = 500


@dataclass(frozen=True)
class Due:
    """An archived article due for a recheck."""

    native_id: str
    url: str
    etag: str | None
    last_modified: str | None
    warc_digest: str | None
    fetched_at: str | None


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

    def due_rechecks(self, now: str, limit: int) -> list[Due]:
        """Articles due for a recheck, oldest due first, with what a conditional GET needs."""
        rows = self.conn.execute(
            "SELECT native_id, url, http_etag, http_last_modified, warc_digest, fetched_at"
            " FROM articles WHERE site = ? AND removed_at IS NULL AND next_check_at <= ?"
            " ORDER BY next_check_at LIMIT ?",
            [self.site, now, limit],
        ).fetchall()
        return [Due(*row) for row in rows]
