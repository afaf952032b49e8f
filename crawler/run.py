"""Run one crawl of one site into one archive and judge how it went."""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.settings import BaseSettings, Settings

from archive.runs import finish_run, start_run
from archive.store import SAVE_OUTCOMES, Archive, check_archive, crawl_lock

from . import settings as default_settings
from .exceptions import BadBaseUrl, BadSetting, CrawlNotStarted, SiteUnreachable
from .normalise import utc_now
from .paths import default_warc_dir
from .sites import get_site

HOST_NAME = re.compile(r"(?:[\w-]+\.)*[\w-]+\.?")  # letters of any script, digits, hyphens
EXIT_OK, EXIT_USAGE, EXIT_EXTRACTION, EXIT_INTERRUPTED = 0, 1, 3, 4  # 2: ArchiveLocked, in the CLI
# How a run's crawl_runs row ends, by exit code; only "finished" runs advance the stop mark.
RUN_STATUS = {
    EXIT_OK: "finished",
    EXIT_USAGE: "refused",
    EXIT_EXTRACTION: "drift",
    EXIT_INTERRUPTED: "interrupted",
}


@dataclass
class CrawlResult:
    """What a crawl did, and the exit code and message it deserves."""

    exit_code: int
    message: str
    stats: dict[str, Any]


def check_base_url(base_url: str) -> str:
    """An absolute http(s) URL with a valid host and port, or BadBaseUrl."""
    try:
        parts = urlsplit(base_url)
        host, _ = parts.hostname, parts.port  # the port property checks its range
    except ValueError as error:
        raise BadBaseUrl(f"bad --base-url {base_url!r}: {error}") from None
    if parts.scheme not in ("http", "https") or not host or not _is_host(host):
        raise BadBaseUrl(
            f"bad --base-url {base_url!r}: give an http:// or https:// URL with a host"
        )
    return base_url


def _is_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return HOST_NAME.fullmatch(host) is not None
    return True


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


# How a setting's default value says its --setting value must be read, and what to ask for.
READERS = {
    bool: (Settings.getbool, "True or False"),
    int: (Settings.getint, "a whole number"),
    float: (Settings.getfloat, "a number"),
    dict: (Settings.getdict, "a JSON object"),
    BaseSettings: (Settings.getdict, "a JSON object"),
}


def check_overrides(defaults: Settings, overrides: dict[str, str]) -> None:
    """Refuse a --setting value that the setting's reader would choke on mid-crawl."""
    for key, value in overrides.items():
        reader, kind = READERS.get(type(defaults.get(key)), (None, ""))
        if reader is None:
            continue
        try:
            reader(Settings({key: value}), key)
        except (ValueError, TypeError):
            raise BadSetting(f"--setting {key}={value!r}: {key} needs {kind}") from None


def crawl_settings(db: Path, base_url: str, overrides: dict[str, str]) -> Settings:
    """Project defaults, then the loopback speed-ups, then the user's --setting values."""
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    check_overrides(settings, overrides)
    if is_loopback(base_url):
        settings.setdict(default_settings.LOOPBACK_SETTINGS, priority="project")
    settings.set("NEWSARCHIVE_DB", str(db), priority="cmdline")
    settings.set("NEWSARCHIVE_WARC_DIR", str(default_warc_dir(db)), priority="project")
    settings.setdict(overrides, priority="cmdline")
    return settings


@dataclass(frozen=True)
class CrawlPlan:
    """What one run should do: the mode and its bounds."""

    mode: str = "incremental"  # incremental, full, since or ids
    since: str | None = None
    ids: tuple[int, int] | None = None
    max_pages: int | None = None

    def arguments(self) -> dict[str, Any]:
        """What makes two runs the same run (a killed run resumes only with the same)."""
        return {
            "mode": self.mode,
            "since": self.since,
            "ids": self.ids,
            "max_pages": self.max_pages,
        }


def crawl(
    site_name: str,
    db: Path,
    base_url: str | None = None,
    plan: CrawlPlan | None = None,
    overrides: dict[str, str] | None = None,
    wait: bool = False,
) -> CrawlResult:
    """Crawl a site into the archive at `db`; bad input is refused before anything is written."""
    site = get_site(site_name)
    plan = plan or CrawlPlan()
    base_url = check_base_url(base_url or site.base_url)
    settings = crawl_settings(db, base_url, overrides or {})
    check_archive(db, writing=True)
    check_reachable(base_url)
    started = time.monotonic()
    with crawl_lock(db, wait=wait):
        with Archive(db) as archive:
            run = start_run(archive.db, site.name, plan.mode, plan.arguments(), utc_now())
        settings.set("NEWSARCHIVE_RUN_ID", run.id, priority="cmdline")
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(site.name)
        process.crawl(
            crawler,
            base_url=base_url,
            max_pages=plan.max_pages,
            mode=plan.mode,
            since=plan.since,
            ids=plan.ids,
            resume_cursor=run.cursor if run.resumed else None,
            previous_high_water=run.previous_high_water,
            high_water=run.high_water,
        )
        process.start()
        try:
            stats = crawler.stats.get_stats()  # type: ignore[union-attr]
        except RuntimeError:
            raise CrawlNotStarted("the crawl could not start; see the error above") from None
        refusal = getattr(crawler.spider, "refusal", None)
        result = judge(stats, refusal, settings, db, time.monotonic() - started)
        with Archive(db) as archive:
            finish_run(
                archive.db, run.id, RUN_STATUS[result.exit_code], result.exit_code, utc_now()
            )
    return result


def judge(
    stats: dict[str, Any], refusal: str | None, settings: Settings, db: Path, seconds: float
) -> CrawlResult:
    """Exit code and summary line from the crawl's stats."""
    pages = stats.get("newsarchive/article_pages", 0)
    failed = stats.get("newsarchive/extraction_failed", 0)
    counts = {name: stats.get(f"newsarchive/articles_{name}", 0) for name in SAVE_OUTCOMES}
    summary = (
        f"{counts['new']} new, {counts['updated']} updated, {counts['unchanged']} unchanged, "
        f"{counts['not_modified']} not modified, {counts['removed']} removed, "
        f"{failed} failed extraction, {stats.get('newsarchive/extraction_fallback', 0)} by "
        f"fallback, {stats.get('newsarchive/fetch_failed', 0)} failed fetch, "
        f"{counts['absent']} absent; {stats.get('downloader/response_count', 0)} responses, "
        f"{stats.get('retry/count', 0)} retries in {seconds:.1f} s -> {db}"
    )
    if refusal:
        return CrawlResult(EXIT_USAGE, refusal, stats)
    if write_error := stats.get("newsarchive/write_error"):
        message = f"writing to {db} failed ({write_error}); rerun to fetch what was not saved"
        return CrawlResult(EXIT_USAGE, message, stats)
    if stats.get("finish_reason") == "shutdown":
        return CrawlResult(EXIT_INTERRUPTED, f"interrupted; rerun to continue ({summary})", stats)
    if listing_errors := stats.get("newsarchive/listing_failed", 0):
        message = (
            f"{listing_errors} listing page(s) could not be fetched (see above), so the walk is "
            f"incomplete; rerun to continue ({summary})"
        )
        return CrawlResult(EXIT_INTERRUPTED, message, stats)
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
