"""The simulator's pages as static files, served by nginx in processes of its own.

The benchmarks measure the crawler, so the site must not take the crawler's core: the pages the
simulator would send are written once to a directory and served by Debian's nginx (one worker,
`make nginx` installs it). Every request is logged with its time in ms, so every crawler's rate
is measured the same way, on the server's side, without process start-up.

Two sites: sdelanounas as `tests.sitesim` serves it (`serve`), and a generic news site of
`tests.newssim` (`serve_news`: a WordPress blog by default, with its sitemap index, news sitemap,
feeds, articles and the pages that are no article). The generic site writes absolute URLs on
the host it is asked on, so its pages are rendered for the port nginx will listen on.
"""

from __future__ import annotations

import gzip
import os
import re
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
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.newssim import NewsSite  # noqa: E402
from tests.newssim.replies import Reply as NewsReply  # noqa: E402
from tests.newssim.replies import not_found  # noqa: E402
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
{server}
    }}
}}
"""
LISTING_SERVER = """\
        location = /blogs/ { try_files /blogs/page-$arg_page.html =404; }
        location / { index index.html; }"""
# The generic site: a page whose query changes it is a file under /_query/ (`/?s=plant` is
# `/_query/__s=plant`); any other query is ignored, as the simulator ignores it (`?share=…`).
# Every reply that is no HTML has a location of its own with the simulator's Content-Type.
NEWS_SERVER = """\
        default_type text/html;
        charset_types {charset_types};
        error_page 404 /_404.html;
        location = /_404.html {{ internal; }}
        location / {{ try_files /_query${{uri}}__$args ${{uri}}index.html $uri =404; }}
{typed}"""
SITEMAP_GUESSES = ("/sitemap.xml", "/sitemap_index.xml")


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
    _need_nginx()
    pages = render(directory, articles)
    with _nginx(directory, pages, _free_port(), LISTING_SERVER) as site:
        yield site


def news_replies(site: NewsSite, host: str) -> dict[str, NewsReply]:
    """Every page of a `tests.newssim` site a crawler can find, as the site answers it on
    `host`: robots.txt, the sitemaps (those robots.txt names, the usual names, and every one an
    index lists), the feeds the home page links to, the articles, the pages that are no article
    and the images. A target with a query is kept only where the query changes the page."""
    base = f"http://{host}"
    images = (site.structure.image_path(article) for article in site.articles)
    queue = [
        "/robots.txt",
        "/",
        *SITEMAP_GUESSES,
        *site.article_paths(),
        *site.non_article_paths(),
        *(path for path in images if path),
    ]
    replies: dict[str, NewsReply] = {}
    seen: set[str] = set()
    while queue:
        target = queue.pop()
        if target in seen:
            continue
        seen.add(target)
        reply = site.reply(target, host)
        if reply.status != 200:
            continue
        path, _, query = target.partition("?")
        if query and reply.body == site.reply(path, host).body:
            continue  # nginx ignores the query too
        replies[target] = reply
        if target == "/robots.txt":
            found = re.findall(r"(?im)^sitemap:\s*(\S+)", reply.body.decode())
        elif reply.content_type.startswith("text/html"):
            found = _feed_links(reply.body.decode()) if target == "/" else []
        else:
            found = _sitemap_locs(reply.body)
        queue += (local for url in found if (local := _on_site(url, base)))
    return replies


def render_news(directory: Path, site: NewsSite, host: str) -> tuple[Path, str]:
    """Write what the news site answers on `host`, byte for byte, each file dated by the time
    the simulator sends as Last-Modified; the directory of pages and nginx's server block."""
    pages = directory / "pages"
    shutil.rmtree(pages, ignore_errors=True)
    pages.mkdir(parents=True)
    typed, charset_types = [], set()
    for target, reply in news_replies(site, host).items():
        mime, _, parameters = (part.strip() for part in reply.content_type.partition(";"))
        if "charset=utf-8" in parameters.lower():
            charset_types.add(mime)
        html = mime == "text/html"
        path, _, query = target.partition("?")
        if not re.fullmatch(r"/[\w/.%+-]*", path):
            raise RuntimeError(f"cannot write {target} to a file nginx serves")
        if query:
            if not html or not re.fullmatch(r"[\w=&%+.-]+", query):
                raise RuntimeError(f"cannot serve {target} ({mime}) from a file")
            name = f"_query{path}__{query}"
        elif path.endswith("/"):
            name = f"{path}index.html" if html else f"{path}_{mime.replace('/', '_')}"
        else:
            name = path
        file = pages / name.lstrip("/")
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(reply.body)
        if reply.modified:
            stamp = reply.modified.timestamp()
            os.utime(file, (stamp, stamp))
        if not html:
            typed.append(
                f"        location = {path} {{ types {{ }} default_type {mime}; "
                f"try_files {name} =404; }}"
            )
    (pages / "_404.html").write_bytes(not_found().body)
    for folder in (pages, *(p for p in pages.rglob("*") if p.is_dir())):
        os.chmod(folder, 0o755)
    server = NEWS_SERVER.format(
        charset_types=" ".join(sorted(charset_types - {"text/html"}) or ["text/html"]),
        typed="\n".join(typed),
    )
    return pages, server


@contextmanager
def serve_news(
    directory: Path, articles: int, kind: str = "wordpress", seed: int = 1
) -> Iterator[tuple[Site, NewsSite]]:
    """Serve a `tests.newssim` site of `articles` articles with nginx, from `directory`; the
    served site and the simulated one, whose ground truth (`expected_articles()`) is on the
    served URL."""
    _need_nginx()
    port = _free_port()
    host = f"127.0.0.1:{port}"
    news = NewsSite(kind=kind, articles=articles, seed=seed)
    news.base_url = f"http://{host}"
    pages, server = render_news(directory, news, host)
    with _nginx(directory, pages, port, server) as site:
        yield site, news


def _feed_links(page: str) -> list[str]:
    """The RSS and Atom feeds a page names in its `<link rel="alternate">` elements."""
    links = []
    for tag in re.findall(r"<link\b[^>]*>", page):
        attributes = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        if attributes.get("rel") == "alternate" and attributes.get("type", "").endswith("+xml"):
            links.append(unescape(attributes.get("href", "")))
    return links


def _sitemap_locs(body: bytes) -> list[str]:
    """The `<loc>`s of a sitemap index (gzipped or not); none for anything else."""
    if body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    text = body.decode("utf-8", "replace")
    if "<sitemapindex" not in text:
        return []
    return [unescape(loc.strip()) for loc in re.findall(r"<loc>([^<]+)</loc>", text)]


def _on_site(url: str, base: str) -> str | None:
    """The request target of a URL on the site; None for another site's."""
    parts = urlsplit(url)
    if parts.netloc and f"{parts.scheme}://{parts.netloc}" != base:
        return None
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _need_nginx() -> None:
    if not shutil.which("nginx"):
        raise SystemExit("the benchmarks serve pages with nginx: run `make nginx` (as root)")


@contextmanager
def _nginx(directory: Path, pages: Path, port: int, server_block: str) -> Iterator[Site]:
    """nginx serving `pages` on `port` with that server block, its files under `directory`."""
    run = directory / "nginx"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    for path in (directory.parent, directory, pages):
        os.chmod(path, 0o755)  # nginx's worker runs as nobody when started by root
    conf = run / "nginx.conf"
    conf.write_text(NGINX_CONF.format(run=run, port=port, pages=pages, server=server_block))
    server = subprocess.Popen(["nginx", "-p", str(run), "-c", str(conf)])
    site = Site(f"http://127.0.0.1:{port}", run / "access.log")
    try:
        _wait(site, server)
        yield site
    finally:
        server.terminate()
        server.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(site: Site, server: subprocess.Popen) -> None:
    """Until nginx answers robots.txt and has logged that request: nginx logs a request after
    answering it, and a crawler started meanwhile would count it among its own."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the site server exited with {server.returncode}")
        try:
            urllib.request.urlopen(f"{site.url}/robots.txt", timeout=1).close()
            break
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"the site server answered {error.code} for robots.txt") from None
        except OSError:
            time.sleep(0.05)
    else:
        raise RuntimeError("the site server did not answer within 20 s")
    while not site.requests():
        if time.monotonic() > deadline:
            raise RuntimeError("the site server did not log its first request within 20 s")
        time.sleep(0.01)
