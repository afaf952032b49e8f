"""Shared fixtures: the site simulator on loopback, the real `newsarchive` command, and the
Datasette it serves, in this process."""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from archive.serve import make_datasette
from tests.sitesim import Corpus, SiteSimulator

NEWSARCHIVE = Path(sys.executable).with_name("newsarchive")
# The environment of a crawl process that loads a fault of tests/faults.py.
FAULTS_ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
BOILERPLATE = (
    "стань автором",
    "присоединяйся к сообществу",
    "Лого Сделано у нас",
    "Хочешь всегда знать",
    "никогда не пропускать",
    "@sdelanounas_ru",
    "Подпишись",
    "Написать комментарий",
    "Отмена",
    "Для комментирования",
    "зарегистрироваться",
    "читать дальше",
    "ВКонтакте",
)


@dataclass
class RunningSite:
    """A simulator serving on 127.0.0.1, with its corpus and request log."""

    server: SiteSimulator
    corpus: Corpus
    request_log: Path

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def requests(self) -> list[str]:
        if not self.request_log.exists():
            return []
        return self.request_log.read_text(encoding="utf-8").splitlines()


def start_site(
    tmp_path: Path,
    articles: int,
    layout: str | None = None,
    corpus: Corpus | None = None,
    host: str = "127.0.0.1",
    **options: object,
) -> RunningSite:
    """A simulator on a free port of `host`, logging requests to `tmp_path/requests-<host>.log`."""
    log = tmp_path / f"requests-{host}.log"
    corpus = corpus or Corpus(articles, layout)
    server = SiteSimulator((host, 0), corpus, request_log=log, **options)  # type: ignore[arg-type]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return RunningSite(server, corpus, log)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[RunningSite]:
    """A simulated site of 35 articles (four listing pages of ten)."""
    running = start_site(tmp_path, 35)
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture
def forbidding_site(tmp_path: Path) -> Iterator[RunningSite]:
    """A simulated site whose robots.txt forbids the listings."""
    running = start_site(tmp_path, 5, forbid_listings=True)
    yield running
    running.server.shutdown()
    running.server.server_close()


def newsarchive(
    *args: str, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed `newsarchive` command, as a user would."""
    return subprocess.run(
        [str(NEWSARCHIVE), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
    )


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rows(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Query an archive file directly, as a researcher would."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def wait_for(url: str, server: subprocess.Popen) -> None:
    """Until the server answers, or fail saying what it printed."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"serve exited: {server.stdout.read() if server.stdout else ''}")
        try:
            urllib.request.urlopen(f"{url}/-/versions.json", timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("serve did not answer within 20 s")


@contextmanager
def serving(db: Path) -> Iterator[str]:
    """The real `newsarchive serve` on a free port; its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [str(NEWSARCHIVE), "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url, server)
        yield url
    finally:
        server.terminate()
        server.communicate(timeout=10)


# Where Datasette's in-process client says it is (datasette.app.DatasetteClient): the base of
# the absolute URLs it builds, as http://127.0.0.1:<port> is the real server's.
IN_PROCESS_URL = "http://localhost"


class InProcess:
    """The Datasette `newsarchive serve` runs (`archive.serve.make_datasette`, started as
    `serve` starts it), asked through Datasette's own ASGI client: the same app, plugin,
    templates, metadata and settings, with no port and no subprocess. Every request runs on
    one event loop, as on the server: Datasette keeps loop-bound state between requests."""

    def __init__(self, db: Path) -> None:
        self.datasette = make_datasette(db)
        self._loop = asyncio.Runner()
        self._loop.run(self.datasette.invoke_startup())

    def get(self, path: str, **params: str) -> httpx.Response:
        """GET `path?params`, redirects followed, whatever the status."""
        query = f"{path}?{urlencode(params)}" if params else path
        return self._loop.run(self.datasette.client.get(query, follow_redirects=True))

    def read(self, path: str, **params: str) -> bytes:
        """The body of `path?params`, which must answer 200 (where urlopen would raise)."""
        response = self.get(path, **params)
        assert response.status_code == 200, (path, params, response.text[:500])
        return response.content

    def post(self, path: str, body: bytes) -> httpx.Response:
        return self._loop.run(self.datasette.client.post(path, content=body))

    def close(self) -> None:
        self._loop.close()
        self.datasette.executor.shutdown()


@contextmanager
def in_process(db: Path) -> Iterator[InProcess]:
    """The served archive's Datasette in this process, for tests of what it answers."""
    datasette = InProcess(db)
    try:
        yield datasette
    finally:
        datasette.close()
