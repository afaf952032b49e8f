"""Rebuild articles from their stored raw responses with the current extractor.

No network and no Scrapy: each article's WARC record is read back, extracted, normalised and
stored through the same `to_record` and `Archive.save_batch` the crawl's pipeline uses; a
changed result becomes a revision with the reason "re-extraction".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.exceptions import CaptureUnreadable
from archive.store import Archive, Batch, crawl_lock
from archive.warc import read_response

from . import settings
from .exceptions import ExtractionFailed
from .extract import decode_html, extract_page
from .normalise import to_record, utc_now
from .sites import Site, site_of

KEPT_FROM_ROW = (
    "http_etag", "http_last_modified", "warc_file", "warc_offset", "warc_length", "warc_digest",
    "fetched_at",
)  # fmt: skip


@dataclass
class Summary:
    """What a re-extraction did."""

    read: int = 0
    unchanged: int = 0
    changed: int = 0
    failed: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        rate = self.read / self.seconds if self.seconds else 0.0
        return (
            f"{self.read} pages read, {self.unchanged} articles unchanged, {self.changed} "
            f"changed, {self.failed} failed, in {self.seconds:.1f} s ({rate:.0f} pages/s)"
        )


def reextract(
    db: Path,
    warc_dirs: Sequence[Path],
    since: str | None = None,
    ids: tuple[int, int] | None = None,
    say: Callable[[str], None] | None = None,
    interval: float = 10.0,
) -> Summary:
    """Re-extract the archived articles (all, or those published since a date, or an id range)."""
    if not any(directory.is_dir() for directory in warc_dirs):
        places = ", ".join(str(directory) for directory in warc_dirs)
        raise CaptureUnreadable(f"no raw capture at {places}; give its place with --warc-dir")
    summary = Summary()
    started = last_said = time.monotonic()
    with crawl_lock(db), Archive(db) as archive:
        rows = archive.db.execute(*_selection(since, ids)).fetchall()
        batch = Batch(reason="re-extraction")
        for site, url, *kept in rows:
            summary.read += 1
            kept_fields = dict(zip(KEPT_FROM_ROW, kept, strict=True))
            record = _record(warc_dirs, site_of(site, url), url, kept_fields)
            if record is None:
                summary.failed += 1
            else:
                batch.articles.append(record)
            if len(batch.articles) >= settings.NEWSARCHIVE_BATCH_SIZE:
                _save(archive, batch, summary)
                batch = Batch(reason="re-extraction")
            if say and time.monotonic() - last_said >= interval:
                last_said = time.monotonic()
                say(f"progress: {summary.read} of {len(rows)} pages read")
        _save(archive, batch, summary)
    summary.seconds = time.monotonic() - started
    return summary


def _selection(since: str | None, ids: tuple[int, int] | None) -> tuple[str, list[object]]:
    sql = (
        "SELECT site, url, "
        + ", ".join(KEPT_FROM_ROW)
        + " FROM articles WHERE warc_file IS NOT NULL"
    )
    params: list[object] = []
    if since:
        sql += " AND published_at >= ?"
        params.append(since)
    if ids:
        sql += " AND CAST(native_id AS INTEGER) BETWEEN ? AND ?"
        params += list(ids)
    return sql + " ORDER BY pk", params


def _record(
    warc_dirs: Sequence[Path], site: Site, url: str, kept: dict[str, Any]
) -> dict[str, object] | None:
    stored = read_response(warc_dirs, str(kept["warc_file"]), int(kept["warc_offset"]))
    content_type = next(
        (value for name, value in stored.headers if name.lower() == "content-type"), None
    )
    try:
        article = extract_page(url, decode_html(stored.content, content_type), site)
    except ExtractionFailed:
        return None
    for name, value in kept.items():
        setattr(article, name, value)
    return to_record(article)


def _save(archive: Archive, batch: Batch, summary: Summary) -> None:
    if batch.articles:
        counts = archive.save_batch(batch, utc_now())
        summary.unchanged += counts.unchanged
        summary.changed += counts.updated
