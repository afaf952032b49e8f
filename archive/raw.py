"""An archived article's raw response, read back from WARC."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .exceptions import NotArchived
from .store import check_archive, read_only
from .warc import StoredResponse, read_response


def stored_response(db: Path, warc_dirs: Sequence[Path], url: str) -> StoredResponse:
    """The stored response of the article at `url` (its current version)."""
    check_archive(db, must_exist=True, current=True)
    with read_only(db) as conn:
        row = conn.execute(
            "SELECT warc_file, warc_offset FROM articles WHERE url = ? OR id = ?", [url, url]
        ).fetchone()
    if row is None:
        raise NotArchived(f"no archived article has the URL {url}; check it against articles.url")
    if row[0] is None:
        raise NotArchived(f"{url} was archived without raw capture (--no-warc)")
    return read_response(warc_dirs, row[0], row[1])
