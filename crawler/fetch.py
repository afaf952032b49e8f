"""One page read for `newsarchive extract`: a saved file, standard input, or a URL fetched once.

A URL is fetched politely, as the crawl would: its robots.txt asked first (protego, which
Scrapy's own robots middleware uses), the project's User-Agent, a timeout and the crawl's cap
on a page's size. There is no retry: a page that does not come is one line saying why.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

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
    """The page at `address`, once robots.txt allows it."""
    if not _allowed(address):
        raise PageUnavailable(f"robots.txt of {_origin(address)} forbids {address}")
    request = urllib.request.Request(address, headers={"User-Agent": settings.USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            body = response.read(settings.DOWNLOAD_MAXSIZE + 1)
            final = response.geturl()
            content_type = response.headers.get("Content-Type")
    except urllib.error.HTTPError as error:
        raise PageUnavailable(f"{address} answered HTTP {error.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise PageUnavailable(f"cannot fetch {address}: {reason}") from None
    if len(body) > settings.DOWNLOAD_MAXSIZE:
        raise PageUnavailable(f"{address} is larger than DOWNLOAD_MAXSIZE")
    return PageSource(url or final, body, content_type)


def _origin(address: str) -> str:
    parts = urlsplit(address)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def _allowed(address: str) -> bool:
    """Whether the site's robots.txt lets the project's User-Agent fetch the page; a site
    without one (or whose robots.txt cannot be read) allows everything."""
    robots = f"{_origin(address)}/robots.txt"
    request = urllib.request.Request(robots, headers={"User-Agent": settings.USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            rules = response.read(512 * 1024).decode("utf-8", errors="replace")
    except (urllib.error.URLError, TimeoutError, OSError):
        return True
    return Protego.parse(rules).can_fetch(address, settings.USER_AGENT)
