"""Serve an archive with Datasette: generated metadata, no facet suggestions, a SQL time limit."""

from __future__ import annotations

import asyncio
from pathlib import Path

from .datasette.metadata import build_metadata
from .store import check_archive

HERE = Path(__file__).resolve().parent / "datasette"
SQL_TIME_LIMIT_MS = 2000
DATASETTE_SETTINGS = {
    "suggest_facets": False,
    "sql_time_limit_ms": SQL_TIME_LIMIT_MS,
    "default_page_size": 50,
    "facet_time_limit_ms": 500,
}


def make_datasette(db: Path):
    """A Datasette instance for one archive, named after the file as Datasette names it."""
    from datasette.app import Datasette

    check_archive(db, must_exist=True)
    return Datasette(
        files=[str(db)],
        metadata=build_metadata(db.stem),
        settings=DATASETTE_SETTINGS,
        plugins_dir=str(HERE / "plugins"),
        template_dir=str(HERE / "templates"),
    )


def serve(db: Path, host: str, port: int) -> None:
    """Run Datasette on the archive until interrupted."""
    import uvicorn

    datasette = make_datasette(db)
    asyncio.run(datasette.invoke_startup())
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")
