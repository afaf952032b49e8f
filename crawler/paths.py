"""Where things live beside an archive."""

from pathlib import Path


def default_warc_dir(db: Path) -> Path:
    """Where a crawl writes its WARC files unless told otherwise: beside the archive."""
    return db.parent / f"{db.stem}-warc"
