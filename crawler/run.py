"""Run one crawl of one site into one archive and judge how it went.

Scrapy is loaded only once the input is checked, so that bad input is refused at once.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.runs import RunState, finish_run, start_run
from archive.store import SAVE_OUTCOMES, Archive, check_archive, crawl_lock

from .drift import lost_fields, unknown_layout_pages
from .exceptions import CrawlNotStarted, UnsupportedPlan
from .preflight import check_base_url, check_reachable
from .sites import Site, site_to_crawl

if TYPE_CHECKING:
    from scrapy.settings import Settings

EXIT_OK, EXIT_USAGE, EXIT_EXTRACTION, EXIT_INTERRUPTED = 0, 1, 3, 4  # 2: ArchiveLocked, in the CLI
# How a run's crawl_runs row ends, by exit code; a complete run advances the stop mark.
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
    warnings: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether the run walked its listings to their end and accounted for every article
        it listed (archived it, or kept it in failed_pages, which later runs try again as
        they come due): then it moves the incremental stop mark, whatever alarm it raised. A
        walk cut short by --max-pages has not seen what lies below."""
        stats = self.stats
        cut = stats.get("newsarchive/listing_failed", 0) or stats.get("newsarchive/walk_cut")
        return self.exit_code in (EXIT_OK, EXIT_EXTRACTION) and not cut


@dataclass(frozen=True)
class CrawlPlan:
    """What one run should do: the mode and its bounds."""

    mode: str = "incremental"  # incremental, full, since, ids or revalidate
    since: str | None = None
    ids: tuple[int, int] | None = None
    max_pages: int | None = None
    older_than: int | None = None  # revalidate: only articles last checked this long ago (s)
    limit: int | None = None  # revalidate: at most this many articles
    retry_failed: bool = False  # try every failed page now, whenever its next try was due

    def arguments(self) -> dict[str, Any]:
        """What makes two runs the same run (a killed run resumes only with the same)."""
        found = {
            "mode": self.mode,
            "since": self.since,
            "ids": self.ids,
            "max_pages": self.max_pages,
        }
        if self.mode == "revalidate":
            found.update(older_than=self.older_than, limit=self.limit)
        if self.retry_failed:
            found["retry_failed"] = True
        return found

    def checked_before(self) -> str | None:
        """The time before which an article's last check makes it due for revalidation."""
        if self.older_than is None:
            return None
        moment = datetime.now(UTC) - timedelta(seconds=self.older_than)
        return moment.isoformat(timespec="seconds")


def walks_listings(site: Site) -> bool:
    """Whether the site's spider walks numbered listing pages (its own spider, by name)."""
    return "listing" in site.discovery


def check_plan(site: Site, plan: CrawlPlan) -> None:
    """Refuse what only a walk of numbered listings can do, for a site read otherwise."""
    if walks_listings(site):
        return
    for option, value in (
        ("--since", plan.since),
        ("--ids", plan.ids),
        ("--max-pages", plan.max_pages),
    ):
        if value is not None:
            raise UnsupportedPlan(
                f"{option} needs a site walked by numbered listings; {site.name} is read by"
                " its sitemaps, feeds and links (bound a links walk with --setting"
                " NEWSARCHIVE_LINK_MAX_PAGES=N)"
            )


def checked_input(
    site_or_url: str, base_url: str | None, plan: CrawlPlan | None
) -> tuple[Site, CrawlPlan, str]:
    """The site, the plan and the base URL of a crawl, each checked: bad input is one line."""
    site = site_to_crawl(site_or_url)
    plan = plan or CrawlPlan()
    check_plan(site, plan)
    if base_url is None and site_or_url.startswith(("http://", "https://")):
        base_url = site_or_url
    return site, plan, check_base_url(base_url or site.base_url)


def crawl(
    site_or_url: str,
    db: Path,
    base_url: str | None = None,
    plan: CrawlPlan | None = None,
    overrides: dict[str, str] | None = None,
    wait: bool = False,
) -> CrawlResult:
    """Crawl a site (a registry name, or an address) into the archive at `db`; bad input is
    refused before anything is written."""
    site, plan, base_url = checked_input(site_or_url, base_url, plan)
    check_archive(db, writing=True)
    from .configure import crawl_settings  # Scrapy loads only for input that passed the above
    from .normalise import utc_now

    settings = crawl_settings(db, base_url, overrides or {})
    check_reachable(base_url)
    started = time.monotonic()
    with crawl_lock(db, wait=wait):
        with Archive(db) as archive:
            run = start_run(archive.db, site.name, plan.mode, plan.arguments(), utc_now())
        settings.set("NEWSARCHIVE_RUN_ID", run.id, priority="cmdline")
        stats, refusal = _run_spider(site, settings, base_url, plan, run)
        result = judge(stats, refusal, settings, db, time.monotonic() - started)
        try:
            with Archive(db) as archive:
                finish_run(
                    archive.db,
                    run.id,
                    RUN_STATUS[result.exit_code],
                    result.exit_code,
                    utc_now(),
                    complete=result.complete,
                    unknown_layout=unknown_layout_pages(stats),
                )
        except sqlite3.OperationalError as error:  # locked or full: the run stays unfinished
            if stats.get("newsarchive/write_error"):
                return result
            message = f"writing to {db} failed ({error}); rerun to fetch what was not saved"
            return CrawlResult(EXIT_USAGE, message, stats)
    return result


def crawl_shared(
    site_or_url: str,
    redis_url: str,
    base_url: str | None = None,
    plan: CrawlPlan | None = None,
    overrides: dict[str, str] | None = None,
) -> CrawlResult:
    """Crawl a site as one of the crawlers of a shared crawl on the Redis at `redis_url`: join
    its run (or have the writer start one), fetch and extract what the shared queue holds, and
    end with the run's verdict. Opens no archive: `newsarchive write` owns it."""
    from archive.frontier import maintenance
    from archive.shared import check_redis, connect

    site, plan, base_url = checked_input(site_or_url, base_url, plan)
    check_redis(redis_url)  # an unreachable Redis is one line, before anything is fetched
    client = connect(redis_url)
    from .configure import crawl_settings
    from .shared_run import join_run, outcome

    settings = crawl_settings(None, base_url, overrides or {})
    check_reachable(base_url)
    wanted = maintenance(
        plan.mode,
        plan.retry_failed,
        plan.checked_before(),
        plan.limit,
        settings.getint("NEWSARCHIVE_RECHECK_LIMIT"),
    )
    end_wait = settings.getfloat("NEWSARCHIVE_SHARED_END_WAIT")
    shared = join_run(client, site.name, plan.mode, plan.arguments(), wanted, end_wait)
    for name, value in (
        ("NEWSARCHIVE_REDIS_URL", redis_url),
        ("NEWSARCHIVE_RUN_ID", shared.state.id),
        ("NEWSARCHIVE_SHARED_SITE", site.name),
        ("NEWSARCHIVE_SHARED_RUN", shared.token),
    ):
        settings.set(name, value, priority="cmdline")
    stats, _ = _run_spider(site, settings, base_url, plan, shared.state)
    if stats.get("finish_reason") == "shutdown":
        message = "interrupted; the other crawlers of the shared run go on (rerun to rejoin it)"
        return CrawlResult(EXIT_INTERRUPTED, message, stats)
    verdict = outcome(client, site.name, shared.token, end_wait + 10)
    if verdict is None:
        reason = stats.get("finish_reason")
        message = f"this crawler stopped ({reason}) before the shared run ended; rerun to rejoin"
        return CrawlResult(EXIT_INTERRUPTED, message, stats)
    exit_code, message, warnings = verdict
    return CrawlResult(exit_code, message, stats, warnings)


def _run_spider(
    site: Site, settings: Settings, base_url: str, plan: CrawlPlan, run: RunState
) -> tuple[dict[str, Any], str | None]:
    """Run the site's spider to the end; its stats, and why it refused to go on, if it did.
    A site walked by listings has a spider of its own; any other is read by `news`."""
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(site.name if walks_listings(site) else "news")
    walk = {}  # what only a walk of numbered listings takes
    if walks_listings(site):
        walk = {
            "max_pages": plan.max_pages,
            "since": plan.since,
            "ids": plan.ids,
            "resume_cursor": run.cursor if run.resumed else None,
            "previous_high_water": run.previous_high_water,
            "high_water": run.high_water,
        }
    process.crawl(
        crawler,
        site=site,
        base_url=base_url,
        mode=plan.mode,
        checked_before=plan.checked_before(),
        limit=plan.limit,
        retry_failed=plan.retry_failed,
        **walk,
    )
    process.start()
    try:
        stats = crawler.stats.get_stats()
    except RuntimeError:
        raise CrawlNotStarted("the crawl could not start; see the error above") from None
    return stats, stats.get("newsarchive/refusal")


def judge(
    stats: dict[str, Any], refusal: str | None, settings: Settings, db: Path, seconds: float
) -> CrawlResult:
    """Exit code and summary line from the crawl's stats."""
    failed = stats.get("newsarchive/extraction_failed", 0)
    counts = {name: stats.get(f"newsarchive/articles_{name}", 0) for name in SAVE_OUTCOMES}
    unknown = unknown_layout_pages(stats)
    summary = (
        f"{counts['new']} new, {counts['updated']} updated, {counts['unchanged']} unchanged, "
        f"{counts['not_modified']} not modified, {counts['removed']} removed, "
        f"{failed} failed extraction, {unknown} in an unknown layout, "
        f"{stats.get('newsarchive/fetch_failed', 0)} failed fetch, "
        f"{counts['absent']} absent; {stats.get('downloader/response_count', 0)} responses, "
        f"{stats.get('retry/count', 0)} retries in {seconds:.1f} s -> {db}"
    )
    result = _verdict(stats, refusal, settings, db, summary)
    if unknown:
        result.warnings.append(f"{unknown} page(s) in a layout no profile knows; every field found")
    return result


def _verdict(
    stats: dict[str, Any], refusal: str | None, settings: Settings, db: Path, summary: str
) -> CrawlResult:
    """Exit code and message: the first thing that went wrong, in order of gravity."""
    pages = stats.get("newsarchive/article_pages", 0)
    failed = stats.get("newsarchive/extraction_failed", 0)
    if refusal:
        return CrawlResult(EXIT_USAGE, refusal, stats)
    if write_error := stats.get("newsarchive/write_error"):
        message = f"writing to {db} failed ({write_error}); rerun to fetch what was not saved"
        return CrawlResult(EXIT_USAGE, message, stats)
    if stats.get("finish_reason") == "shutdown":
        return CrawlResult(EXIT_INTERRUPTED, f"interrupted; rerun to continue ({summary})", stats)
    if spider_errors := stats.get("spider_exceptions/count", 0):
        kinds = _breakdown(stats, "spider_exceptions/")
        message = (
            f"{spider_errors} error(s) in the crawler ({kinds}; see above) kept pages out of "
            f"the archive; rerun to fetch them, and report the error if it repeats ({summary})"
        )
        return CrawlResult(EXIT_INTERRUPTED, message, stats)
    if listing_errors := stats.get("newsarchive/listing_failed", 0):
        message = (
            f"{listing_errors} listing page(s) could not be fetched (see above), so the walk is "
            f"incomplete; rerun to continue ({summary})"
        )
        return CrawlResult(EXIT_INTERRUPTED, message, stats)
    threshold = settings.getfloat("NEWSARCHIVE_FAILURE_SHARE")
    if _too_many(failed, pages, settings):
        reasons = _breakdown(stats, "newsarchive/extraction_failed/")
        message = (
            f"layout drift: extraction failed on {failed} of {pages} article pages"
            f"{f' ({reasons})' if reasons else ''}, {failed / pages:.0%} > {threshold:.0%}; "
            f"the site's layout may have changed, see the table failed_pages in {db} ({summary})"
        )
        return CrawlResult(EXIT_EXTRACTION, message, stats)
    if lost := lost_fields(stats, settings.getint("NEWSARCHIVE_FAILURE_MIN_PAGES")):
        missing = "; ".join(field.describe() for field in lost)
        message = (
            f"layout drift: fields the site's articles usually have were found far less "
            f"often: {missing}; the site's layout may have changed: see field_sources in the "
            f"table articles of {db}, and once a profile reads it, `newsarchive reextract` "
            f"rebuilds those articles from their raw capture ({summary})"
        )
        return CrawlResult(EXIT_EXTRACTION, message, stats)
    unfetched = stats.get("newsarchive/fetch_failed", 0)
    tried = pages + unfetched
    if _too_many(unfetched, tried, settings):
        message = (
            f"{unfetched} of {tried} article pages could not be fetched even after retries,"
            f" {unfetched / tried:.0%} > {threshold:.0%}; the site may be failing or have changed,"
            f" see the table failed_pages in {db} ({summary})"
        )
        return CrawlResult(EXIT_EXTRACTION, message, stats)
    return CrawlResult(EXIT_OK, summary, stats)


def _breakdown(stats: dict[str, Any], prefix: str) -> str:
    """`name: count, …` of the stats under `prefix` (e.g. the reasons of failures)."""
    return ", ".join(
        f"{key.removeprefix(prefix)}: {count}"
        for key, count in sorted(stats.items())
        if key.startswith(prefix) and key != f"{prefix}count"
    )


def _too_many(failed: int, pages: int, settings: Settings) -> bool:
    """Whether failed pages are over the alarm's share, once enough pages were seen to judge."""
    enough = pages >= settings.getint("NEWSARCHIVE_FAILURE_MIN_PAGES")
    return enough and failed > settings.getfloat("NEWSARCHIVE_FAILURE_SHARE") * pages
