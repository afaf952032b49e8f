"""One page read for `newsarchive extract`: a saved file, standard input, or a URL fetched once.

A URL is fetched politely, as the crawl would: its robots.txt asked first (protego, which
Scrapy's own robots middleware uses), the project's User-Agent, a timeout and the crawl's cap
on a page's size. There is no retry: a page that does not come is one line saying why.
"""

from __future__ import annotations

import http.client
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from protego import Protego
from w3lib.url import safe_url_string

from . import settings
from .exceptions import PageUnavailable

TIMEOUT = settings.DOWNLOAD_TIMEOUT


@dataclass(frozen=True)
class PageSource:
    """A page's bytes, the URL it is read as, and its Content-Type when a server said."""

    url: str
    body: bytes
    content_type: str | None = None


def read_source(source: str, url: str | None) -> PageSource:
    """The page `source` names: `-` (standard input), an http(s) URL, or a file path; `url`
    is the address to read it as (by default the source's own)."""
    if source == "-":
        return PageSource(url or "file:///dev/stdin", sys.stdin.buffer.read())
    if source.startswith(("http://", "https://")):
        return fetch(source, url)
    path = Path(source)
    if not path.is_file():
        raise PageUnavailable(f"no such file: {source}; give a saved page, '-' or an http(s) URL")
    return PageSource(url or path.resolve().as_uri(), path.read_bytes())


def fetch(address: str, url: str | None = None) -> PageSource:
    """The page at `address`, once robots.txt allows it (and every address it redirects to)."""
    try:
        address = safe_url_string(address)  # a Cyrillic path as browsers show it, encoded
        _origin(address)
    except ValueError as error:
        raise PageUnavailable(f"{address} is no URL ({error})") from None
    if not _allowed(address):
        raise PageUnavailable(f"robots.txt of {_origin(address)} forbids {address}")
    request = urllib.request.Request(address, headers={"User-Agent": settings.USER_AGENT})
    opener = urllib.request.build_opener(_PoliteRedirects())
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            body = response.read(settings.DOWNLOAD_MAXSIZE + 1)
            final = response.geturl()
            content_type = response.headers.get("Content-Type")
    except urllib.error.HTTPError as error:
        raise PageUnavailable(f"{address} answered HTTP {error.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", error)
        raise PageUnavailable(f"cannot fetch {address}: {reason}") from None
    if len(body) > settings.DOWNLOAD_MAXSIZE:
        raise PageUnavailable(f"{address} is larger than DOWNLOAD_MAXSIZE")
    return PageSource(url or final, body, content_type)


class _PoliteRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects followed as the crawl follows them: http(s) only, a few at most, and each
    address asked of its own robots.txt first."""

    max_redirections = settings.REDIRECT_MAX_TIMES

    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise PageUnavailable(f"{req.full_url} redirects outside the web: {newurl}")
        if not _allowed(newurl):
            raise PageUnavailable(f"robots.txt of {_origin(newurl)} forbids {newurl}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _origin(address: str) -> str:
    parts = urlsplit(address)
    _ = parts.port  # checks what it parses
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def _allowed(address: str) -> bool:
    """Whether the site's robots.txt lets the project's User-Agent fetch the page; a site
    without one (or whose robots.txt cannot be read) allows everything."""
    robots = f"{_origin(address)}/robots.txt"
    request = urllib.request.Request(robots, headers={"User-Agent": settings.USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            rules = response.read(512 * 1024).decode("utf-8", errors="replace")
    except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException):
        return True
    return Protego.parse(rules).can_fetch(address, settings.USER_AGENT)
