"""The simulator's pages as static files, served by nginx in processes of its own.

The benchmarks measure the crawler, so the site must not take the crawler's core: the pages the
simulator would send are written once to a directory and served by Debian's nginx (one worker,
`make nginx` installs it). Every request is logged with its time in ms, so every crawler's rate
is measured the same way, on the server's side, without process start-up.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.sitesim import Corpus, SiteSimulator  # noqa: E402
from tests.sitesim.faults import Reply  # noqa: E402

PER_PAGE = 10
NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 256; }}
http {{
    types {{ text/html html; text/plain txt; }}
    charset utf-8;
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    log_format timed '$msec $status $request_uri';
    access_log {run}/access.log timed;
    keepalive_requests 100000;
    server {{
        listen 127.0.0.1:{port};
        root {pages};
        location = /blogs/ {{ try_files /blogs/page-$arg_page.html =404; }}
        location / {{ index index.html; }}
    }}
}}
"""


@dataclass(frozen=True)
class Site:
    """A site being served: its base URL and its request log."""

    url: str
    log: Path

    def requests(self) -> list[tuple[float, int, str]]:
        """(seconds, status, target) of every request so far, oldest first."""
        if not self.log.exists():
            return []
        lines = (line.split(" ", 2) for line in self.log.read_text().splitlines())
        return [(float(when), int(status), target) for when, status, target in lines]


def render(directory: Path, articles: int) -> Path:
    """Write what the simulator serves for `articles` articles; the directory of pages.

    Listing pages are `blogs/page-N.html` (through the first one with no posts), articles
    `blogs/<id>/index.html`, byte for byte what the simulator sends.
    """
    pages = directory / "pages"
    marker = pages / f".rendered-{articles}"
    if marker.exists():
        return pages
    shutil.rmtree(pages, ignore_errors=True)
    simulator = SiteSimulator(("127.0.0.1", 0), Corpus(articles), per_page=PER_PAGE)
    simulator.server_close()  # only its pages are wanted
    (pages / "blogs").mkdir(parents=True)
    _write(pages / "robots.txt", simulator.reply("/robots.txt"))
    for page in range(-(-articles // PER_PAGE) + 1):  # the last one is empty: the walk's end
        _write(pages / "blogs" / f"page-{page}.html", simulator.reply(f"/blogs/?page={page}"))
    for native_id in simulator.corpus.ids:
        article = pages / "blogs" / str(native_id)
        article.mkdir()
        _write(article / "index.html", simulator.reply(f"/blogs/{native_id}/"))
    marker.touch()
    return pages


def _write(path: Path, reply: Reply) -> None:
    if reply.status != 200:
        raise RuntimeError(f"the simulator answered {reply.status} for {path.name}")
    path.write_bytes(reply.body)


@contextmanager
def serve(directory: Path, articles: int) -> Iterator[Site]:
    """Serve the simulator's site of `articles` articles with nginx, from `directory`."""
    if not shutil.which("nginx"):
        raise SystemExit("the benchmarks serve pages with nginx: run `make nginx` (as root)")
    pages = render(directory, articles)
    run = directory / "nginx"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    for path in (directory.parent, directory, pages):
        os.chmod(path, 0o755)  # nginx's worker runs as nobody when started by root
    port = _free_port()
    conf = run / "nginx.conf"
    conf.write_text(NGINX_CONF.format(run=run, port=port, pages=pages))
    server = subprocess.Popen(["nginx", "-p", str(run), "-c", str(conf)])
    site = Site(f"http://127.0.0.1:{port}", run / "access.log")
    try:
        _wait(site.url, server)
        yield site
    finally:
        server.terminate()
        server.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the site server exited with {server.returncode}")
        try:
            urllib.request.urlopen(f"{url}/robots.txt", timeout=1).close()
            return
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"the site server answered {error.code} for robots.txt") from None
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the site server did not answer within 20 s")
