"""Serve an archive with Datasette: generated metadata, no facet suggestions, a SQL time limit."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .datasette.metadata import build_metadata
from .exceptions import PortUnavailable
from .store import check_archive

if TYPE_CHECKING:
    from datasette.app import Datasette

HERE = Path(__file__).resolve().parent / "datasette"
SQL_TIME_LIMIT_MS = 2000
DATASETTE_SETTINGS = {
    "suggest_facets": False,
    "sql_time_limit_ms": SQL_TIME_LIMIT_MS,
    "default_page_size": 50,
    "facet_time_limit_ms": 500,
}


def make_datasette(db: Path) -> Datasette:
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


def serve(db: Path, host: str, port: int, listening: Callable[[], None]) -> None:
    """Run Datasette on the archive until interrupted; `listening` is called once the port is
    bound and listening, so nothing says "serving" for an archive or a port that fails."""
    import uvicorn

    datasette = make_datasette(db)
    asyncio.run(datasette.invoke_startup())
    sock = bind(host, port)
    config = uvicorn.Config(datasette.app(), log_level="warning")
    server = uvicorn.Server(config)
    listening()
    server.run(sockets=[sock])


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on the address, or PortUnavailable saying how to pick another."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as error:
        sock.close()
        reason = error.strerror or str(error)
        raise PortUnavailable(
            f"cannot listen on {host}:{port} ({reason}); pick another port with --port, or an "
            "address of this machine with --host"
        ) from None
    sock.set_inheritable(True)
    return sock
