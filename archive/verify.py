"""Check that raw capture and archive agree: every pointed-to record there and intact."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .store import check_archive, read_only
from .warc import files, scan


@dataclass
class Report:
    """What `verify` found."""

    files: int = 0
    records: int = 0
    referenced: int = 0
    missing: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)
    orphans: int = 0
    truncated: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.mismatched

    def lines(self) -> list[str]:
        found = [
            f"{self.files} WARC files, {self.records} records; {self.referenced} referenced by "
            f"articles and revisions; {len(self.missing)} missing, {len(self.mismatched)} with "
            f"a wrong digest; {self.orphans} article responses no row points to"
        ]
        found += [f"truncated: {name}" for name in self.truncated]
        found += [f"missing: {where}" for where in self.missing[:20]]
        found += [f"digest mismatch: {where}" for where in self.mismatched[:20]]
        return found


def verify(db: Path, warc_dirs: Sequence[Path]) -> Report:
    """Read every WARC file of these directories (a shared crawl's crawlers each keep their
    own) and check each record the archive points to."""
    check_archive(db, must_exist=True, current=True)
    with read_only(db) as conn:
        pointers = conn.execute(
            "SELECT warc_file, warc_offset, warc_digest, url FROM articles"
            " WHERE warc_file IS NOT NULL UNION ALL SELECT r.warc_file, r.warc_offset,"
            " r.warc_digest, a.url FROM revisions r JOIN articles a ON a.pk = r.article_pk"
            " WHERE r.warc_file IS NOT NULL"
        ).fetchall()
    report = Report(referenced=len(pointers))
    scans = {}
    for path in (found for directory in warc_dirs for found in files(directory)):
        result = scan(path)
        scans[path.name] = result
        report.files += 1
        report.records += result.records
        if result.truncated_at is not None:
            report.truncated.append(
                f"{path.name} ends in an incomplete record at offset {result.truncated_at} "
                "(a crawl stopped while writing it); the records before it are usable"
            )
    pointed = set()
    for file, offset, digest, url in pointers:
        pointed.add((file, offset))
        found = scans.get(file)
        record = found.responses.get(offset) if found else None
        if record is None:
            report.missing.append(f"{url} -> {file}@{offset}")
        elif record[1] != digest:
            report.mismatched.append(f"{url} -> {file}@{offset}")
    report.orphans = sum(
        1
        for name, result in scans.items()
        for offset, (url, _) in result.responses.items()
        if "/blogs/" in url and "?" not in url and (name, offset) not in pointed
    )
    return report
