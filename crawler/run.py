"""Run one crawl of one site into one archive and judge how it went."""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archive.store import check_archive, crawl_lock

from . import settings as default_settings
from .exceptions import BadBaseUrl, SiteUnreachable
from .sites import get_site

EXIT_OK, EXIT_USAGE, EXIT_LOCKED, EXIT_EXTRACTION, EXIT_INTERRUPTED = 0, 1, 2, 3, 4


@dataclass
class CrawlResult:
    """What a crawl did, and the exit code and message it deserves."""

    exit_code: int
    message: str
    stats: dict[str, Any]


def check_base_url(base_url: str) -> str:
    """An absolute http(s) URL with a host, or BadBaseUrl."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadBaseUrl(
            f"bad --base-url {base_url!r}: give an http:// or https:// URL with a host"
        )
    return base_url


def check_reachable(base_url: str, timeout: float = 15) -> None:
    """Open (and close) one TCP connection to the site, so an unreachable site is one line."""
    parts = urlsplit(base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname, port), timeout=timeout).close()
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__
        raise SiteUnreachable(
            f"cannot reach {base_url} ({reason}); offline, `make demo` crawls the local simulator"
        ) from None


def is_loopback(base_url: str) -> bool:
    """Whether the base URL points at this machine (a mirror or the simulator)."""
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def crawl_settings(db: Path, base_url: str, overrides: dict[str, str]) -> Settings:
    """Project defaults, then the loopback speed-ups, then the user's --setting values."""
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    if is_loopback(base_url):
        settings.setdict(default_settings.LOOPBACK_SETTINGS, priority="project")
    settings.set("NEWSARCHIVE_DB", str(db), priority="cmdline")
    settings.setdict(overrides, priority="cmdline")
    return settings


def crawl(
    site_name: str,
    db: Path,
    base_url: str | None = None,
    max_pages: int | None = None,
    overrides: dict[str, str] | None = None,
) -> CrawlResult:
    """Crawl a site into the archive at `db`; bad input is refused before anything is written."""
    site = get_site(site_name)
    base_url = check_base_url(base_url or site.base_url)
    check_archive(db)
    check_reachable(base_url)
    settings = crawl_settings(db, base_url, overrides or {})
    started = time.monotonic()
    with crawl_lock(db):
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(site.name)
        process.crawl(crawler, base_url=base_url, max_pages=max_pages)
        process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    refusal = getattr(crawler.spider, "refusal", None)
    return judge(stats, refusal, settings, db, time.monotonic() - started)


def judge(
    stats: dict[str, Any], refusal: str | None, settings: Settings, db: Path, seconds: float
) -> CrawlResult:
    """Exit code and summary line from the crawl's stats."""
    pages = stats.get("newsarchive/article_pages", 0)
    failed = stats.get("newsarchive/extraction_failed", 0)
    counts = {
        name: stats.get(f"newsarchive/articles_{name}", 0)
        for name in ("new", "updated", "unchanged")
    }
    summary = (
        f"{counts['new']} new, {counts['updated']} updated, {counts['unchanged']} unchanged, "
        f"{failed} failed extraction, {stats.get('newsarchive/extraction_fallback', 0)} by "
        f"fallback, {stats.get('newsarchive/fetch_failed', 0)} failed fetch, "
        f"{stats.get('newsarchive/absent', 0)} absent; "
        f"{stats.get('downloader/response_count', 0)} responses in {seconds:.1f} s -> {db}"
    )
    if refusal:
        return CrawlResult(EXIT_USAGE, refusal, stats)
    if stats.get("finish_reason") == "shutdown":
        return CrawlResult(EXIT_INTERRUPTED, f"interrupted; rerun to continue ({summary})", stats)
    rescued = stats.get("newsarchive/extraction_fallback", 0)
    share = (failed + rescued) / pages if pages else 0.0
    threshold = settings.getfloat("NEWSARCHIVE_FAILURE_SHARE")
    if pages >= settings.getint("NEWSARCHIVE_FAILURE_MIN_PAGES") and share > threshold:
        reasons = ", ".join(
            f"{key.rsplit('/', 1)[1]}: {count}"
            for key, count in sorted(stats.items())
            if key.startswith("newsarchive/extraction_failed/")
        )
        message = (
            f"layout drift: extraction failed on {failed} of {pages} article pages"
            f"{f' ({reasons})' if reasons else ''} and {rescued} more needed the generic "
            f"fallback, {share:.0%} > {threshold:.0%}; the site's layout may have changed, "
            f"see the table failed_pages in {db} ({summary})"
        )
        return CrawlResult(EXIT_EXTRACTION, message, stats)
    return CrawlResult(EXIT_OK, summary, stats)
