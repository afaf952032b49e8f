"""The `newsarchive` command: a thin click layer over the crawler and the archive."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any

import click

from archive.exceptions import ArchiveError, ArchiveLocked, WriterRunning

from . import __version__
from . import settings as defaults
from .exceptions import NewsarchiveError
from .paths import default_warc_dir


def exit_codes(*lines: str) -> str:
    """A command's help epilog: the exit codes it uses, one line each, and nothing else."""
    return "\b\nExit codes:\n" + "\n".join(f"  {line}" for line in lines)


DONE = "0  done"
BAD_INPUT = "1  bad input or usage (one line on stderr says what to fix)"
LOCKED = "2  archive locked by another run (rerun later, or crawl with --wait)"
CRAWL_EXIT_CODES = exit_codes(
    DONE,
    BAD_INPUT,
    LOCKED,
    "3  too many pages failed: extraction (the site's layout may have changed, or a field",
    "   its articles usually have was lost) or fetching",
    "4  interrupted: Ctrl-C, a listing page not fetched, or an error in the crawler",
    "   (rerun the same command to continue)",
)
PLAIN_EXIT_CODES = exit_codes(DONE, BAD_INPUT)
WRITING_EXIT_CODES = exit_codes(DONE, BAD_INPUT, LOCKED)
WRITE_EXIT_CODES = exit_codes(
    "0  stopped by Ctrl-C or SIGTERM, everything read committed",
    "1  bad input: a foreign or damaged --db, or a Redis it cannot use (one line says why)",
    "2  the archive is locked by a crawl, or another writer owns the stream",
)
SCHEDULE_EXIT_CODES = exit_codes(
    "0  stopped after --max-runs",
    "1  bad schedule file (one line names the entry and the problem)",
    "4  interrupted by Ctrl-C",
)
SERVE_EXIT_CODES = exit_codes(
    "0  stopped normally (Ctrl-C)",
    "1  bad input: a missing, foreign or damaged --db, or a port in use or not permitted",
)
VERIFY_EXIT_CODES = exit_codes(
    "0  every record an article points to is there and sound",
    BAD_INPUT,
    "3  a record an article points to is missing or damaged (the lines above name it)",
)
EXTRACT_EXIT_CODES = exit_codes(
    "0  the article printed",
    "1  bad input: no such file, or the URL could not be fetched (one line says why)",
    "3  the page holds no article: a field the site requires is missing (one line names it)",
)


def db_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """The `--db PATH` option every command takes."""
    return click.option(
        "--db",
        type=click.Path(path_type=Path, dir_okay=True),
        default=Path(defaults.NEWSARCHIVE_DB),
        show_default=True,
        help="The SQLite archive file.",
    )(function)


def one_line_errors(function: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the project's errors into one line on stderr and the documented exit code."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except (ArchiveLocked, WriterRunning) as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(2)
        except (ArchiveError, NewsarchiveError) as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(1)

    return wrapper


def warc_dir_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """The `--warc-dir PATH` option of the crawl: where it writes raw capture."""
    return click.option(
        "--warc-dir",
        type=click.Path(path_type=Path, file_okay=False),
        help="Where the WARC files go (default: <db stem>-warc/ beside the archive;"
        " ./newsarchive-warc/ for a crawler of a shared crawl).",
    )(function)


def warc_dirs_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """The `--warc-dir PATH` option of commands that read raw capture, from one or more places."""
    return click.option(
        "--warc-dir",
        "warc_dirs",
        multiple=True,
        type=click.Path(path_type=Path, file_okay=False),
        help="Where the WARC files are (repeatable: each crawler of a shared crawl keeps its own;"
        " default: <db stem>-warc/ beside the archive).",
    )(function)


def parse_settings(values: tuple[str, ...]) -> dict[str, str]:
    """`KEY=VALUE` pairs from repeated --setting options."""
    parsed = {}
    for value in values:
        key, sep, setting = value.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{value!r} is not KEY=VALUE", param_hint="--setting")
        parsed[key.strip()] = setting
    return parsed


class NewsarchiveGroup(click.Group):
    """A click group whose usage errors are one line and exit with 1, as documented."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.ClickException as error:
            click.echo(f"Error: {error.format_message()}", err=True)
            sys.exit(1)
        except click.Abort:
            click.echo("Error: interrupted", err=True)
            sys.exit(4)


@click.group(cls=NewsarchiveGroup)
@click.version_option(__version__, prog_name="newsarchive")
def cli() -> None:
    """Crawl news sites into a clean, searchable SQLite archive and serve it with Datasette."""


def parse_ids(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    """`A-B` as (A, B), lowest first."""
    if value is None:
        return None
    low, sep, high = value.partition("-")
    if not (sep and low.strip().isdigit() and high.strip().isdigit()) or int(low) > int(high):
        raise click.BadParameter(f"{value!r} is not an id range such as 100000-100500")
    return int(low), int(high)


DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    """An age such as 30d, 12h or 2w, in seconds."""
    if value is None:
        return None
    number, unit = value[:-1], value[-1:].lower()
    if unit not in DURATION_UNITS or not number.isdigit():
        raise click.BadParameter(f"{value!r} is not an age such as 30d, 12h or 2w")
    return int(number) * DURATION_UNITS[unit]


def parse_since(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    """A calendar date, YYYY-MM-DD."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date such as 2024-01-31") from None


@cli.command(epilog=CRAWL_EXIT_CODES)
@click.argument("site", default="sdelanounas")
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=True),
    help=f"The SQLite archive file.  [default: {defaults.NEWSARCHIVE_DB}]",
)
@click.option(
    "--redis",
    "redis_url",
    metavar="URL",
    envvar="NEWSARCHIVE_REDIS_URL",
    help="Join a crawl shared by several processes on this Redis (redis://[:PASSWORD@]HOST:PORT/DB"
    " or rediss://; or from NEWSARCHIVE_REDIS_URL, which keeps the password out of `ps`);"
    " `newsarchive write` owns the archive, so no --db.",
)
@click.option("--base-url", help="Crawl a mirror or the simulator instead of the real site.")
@click.option(
    "--max-pages", type=click.IntRange(min=1), help="Read at most this many listing pages."
)
@click.option(
    "--full",
    is_flag=True,
    help="Walk every listing page and revalidate every archived article.",
)
@click.option(
    "--revalidate",
    is_flag=True,
    help="Only revalidate archived articles, least recently checked first (no listings).",
)
@click.option(
    "--older-than",
    callback=parse_duration,
    metavar="AGE",
    help="With --revalidate: only articles last checked this long ago (30d, 12h, 2w).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help="With --revalidate: at most this many articles.",
)
@click.option(
    "--retry-failed",
    is_flag=True,
    help="Try every failed page now, not only those whose next try is due.",
)
@click.option(
    "--since", callback=parse_since, metavar="DATE", help="Walk back to this date (YYYY-MM-DD)."
)
@click.option(
    "--ids", callback=parse_ids, metavar="A-B", help="Fetch this id range directly (backfill)."
)
@click.option(
    "--setting",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="A Scrapy or Newsarchive setting for this run (repeatable), e.g. DOWNLOAD_TIMEOUT=10.",
)
@click.option("--wait", is_flag=True, help="Wait for a run on the same archive to end.")
@warc_dir_option
@click.option("--no-warc", is_flag=True, help="Do not capture raw responses to WARC.")
@click.option("--verbose", is_flag=True, help="Log every request (Scrapy's INFO level).")
@one_line_errors
def crawl(
    site: str,
    db: Path | None,
    redis_url: str | None,
    base_url: str | None,
    max_pages: int | None,
    full: bool,
    revalidate: bool,
    older_than: int | None,
    limit: int | None,
    retry_failed: bool,
    since: str | None,
    ids: tuple[int, int] | None,
    settings: tuple[str, ...],
    wait: bool,
    warc_dir: Path | None,
    no_warc: bool,
    verbose: bool,
) -> None:
    """Crawl SITE into the archive: new articles, edits of recent ones, removals.

    SITE is a name of the registry (`newsarchive sites` lists them) or the address of any
    news site (http:// or https://). A site given by its address is read by its sitemaps
    (those robots.txt names, else the usual ones; indexes, gzipped and news sitemaps), its
    feeds (RSS, Atom) and, where it has none, a walk of its links from the home page
    (NEWSARCHIVE_LINK_DEPTH, NEWSARCHIVE_LINK_MAX_PAGES); each page found is judged, and one
    that is no article (a section, tag, author or search page) is remembered and never
    archived. Its rerun asks only the sitemaps and feeds that changed and the pages that are
    new or changed. robots.txt's Crawl-delay is obeyed.

    For a site walked by numbered listings (sdelanounas), the crawl is incremental by
    default: it walks the listing pages newest first and stops
    once NEWSARCHIVE_KNOWN_STREAK entries in a row are archived and unchanged below what the
    last finished run saw; it also rechecks recently published articles (1 h, 1 day, 1 week,
    1 month after publication) with conditional GETs. --full walks every listing page and
    revalidates every archived article (a conditional GET where validators were stored: a 304
    costs no parsing; edits become revisions, a 404 marks the article removed); --revalidate
    does only the revalidation, least recently checked first, so that a cron line can spread
    the whole archive over days. A page that failed is tried again on later runs, each time
    after a longer wait (NEWSARCHIVE_RETRY_FAILED_AFTER: the next run, then after a day, a
    week, a month; a permanent failure such as a redirect loop waits the longest);
    --retry-failed tries them all now. A run stopped in any way, even killed,
    resumes when the same command runs again. A base URL on this machine (127.0.0.1,
    localhost) is crawled without politeness delays; robots.txt is obeyed everywhere.

    Example:

    \b
        newsarchive crawl --max-pages 3
        newsarchive crawl --full
        newsarchive crawl --revalidate --older-than 30d --limit 5000
        newsarchive crawl --ids 175000-175219
        newsarchive crawl sdelanounas --base-url http://127.0.0.1:8800 --db mirror.db
        newsarchive crawl https://news.example.com/
        newsarchive crawl --redis redis://:PASSWORD@10.0.0.5:6379/0

    With --redis URL, any number of crawlers on any machines share one crawl: one frontier in
    Redis (scrapy-redis's scheduler and dupefilter), each request leased to the crawler that
    took it and queued again if that crawler dies (NEWSARCHIVE_LEASE_SECONDS); what they
    read goes to `newsarchive write`, the one process that opens the archive. The first
    crawler of a run seeds it; a crawler with nothing to do waits while others work; the run
    ends, for all of them with one verdict, when nothing is queued or leased. Each crawler
    keeps its own raw capture (./newsarchive-warc/ unless --warc-dir). A Redis outage makes
    crawlers wait and retry.
    """
    from .run import CrawlPlan, crawl_shared
    from .run import crawl as run_crawl

    if sum(map(bool, (full, revalidate, since, ids))) > 1:
        raise click.UsageError("use just one of --full, --revalidate, --since and --ids")
    if (older_than is not None or limit is not None) and not revalidate:
        raise click.UsageError("--older-than and --limit go with --revalidate")
    mode = (
        "full"
        if full
        else "revalidate"
        if revalidate
        else "since"
        if since
        else "ids"
        if ids
        else "incremental"
    )
    overrides = parse_settings(settings)
    if verbose:
        overrides.setdefault("LOG_LEVEL", "INFO")
    if warc_dir:
        overrides["NEWSARCHIVE_WARC_DIR"] = str(warc_dir)
    if no_warc:
        overrides["NEWSARCHIVE_WARC"] = "False"
    plan = CrawlPlan(
        mode=mode,
        since=since,
        ids=ids,
        max_pages=max_pages,
        older_than=older_than,
        limit=limit,
        retry_failed=retry_failed,
    )
    if redis_url is not None:
        if db is not None or wait:
            raise click.UsageError(
                "a crawler of a shared crawl (--redis, or NEWSARCHIVE_REDIS_URL in the"
                " environment) opens no archive: give --db to `newsarchive write` and leave out"
                " --db and --wait here"
            )
        result = crawl_shared(site, redis_url, base_url, plan, overrides)
    else:
        result = run_crawl(
            site, db or Path(defaults.NEWSARCHIVE_DB), base_url, plan, overrides, wait=wait
        )
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if result.exit_code:
        click.echo(f"Error: {result.message}", err=True)
        sys.exit(result.exit_code)
    click.echo(result.message)


@cli.command(epilog=WRITE_EXIT_CODES)
@click.option(
    "--redis",
    "redis_url",
    required=True,
    metavar="URL",
    envvar="NEWSARCHIVE_REDIS_URL",
    help="The Redis of the shared crawl (redis://[:PASSWORD@]HOST:PORT/DB or rediss://; or from"
    " NEWSARCHIVE_REDIS_URL, which keeps the password out of `ps`).",
)
@db_option
@click.option(
    "--setting",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="The archive's schedules: NEWSARCHIVE_RECHECK_AFTER, NEWSARCHIVE_RETRY_FAILED_AFTER.",
)
@one_line_errors
def write(redis_url: str, db: Path, settings: tuple[str, ...]) -> None:
    """Own the archive of a crawl shared by several processes: write what they send.

    Reads articles, failures and run counters from the shared crawl's Redis stream and writes
    them to the archive in batches, as a crawl on one machine does; an entry is acknowledged
    only once it is committed, so a writer killed at any moment loses nothing and, restarted,
    writes nothing twice. It also starts the runs crawlers ask for and publishes to Redis what
    crawlers need of the archive (what is archived, validators for rechecks). One writer per
    archive; it holds the archive's lock, so no crawl on one machine writes to it meanwhile.
    Runs until stopped: Ctrl-C or SIGTERM stop it after committing what it has read (a
    second one at once).

    Example:

    \b
        newsarchive write --redis redis://:PASSWORD@10.0.0.5:6379/0 --db archive.db
    """
    import signal
    import threading

    from archive.shared import check_redis, connect, display_url
    from archive.store import check_archive, crawl_lock
    from archive.writer import StreamWriter

    from .configure import check_schedule
    from .pipelines import recheck_delays

    schedules = {
        "NEWSARCHIVE_RECHECK_AFTER": defaults.NEWSARCHIVE_RECHECK_AFTER,
        "NEWSARCHIVE_RETRY_FAILED_AFTER": defaults.NEWSARCHIVE_RETRY_FAILED_AFTER,
    }
    for key, value in parse_settings(settings).items():
        if key not in schedules:
            raise click.UsageError(f"write takes only the settings {', '.join(schedules)}")
        check_schedule(key, value)
        schedules[key] = value
    check_archive(db, writing=True)
    check_redis(redis_url)
    client = connect(redis_url)
    stop = threading.Event()

    def stopping(*_: object) -> None:
        """Stop after committing what was read; a second signal stops at once (a writer waiting
        out a Redis outage has nothing in hand to lose)."""
        stop.set()
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, signal.SIG_DFL)

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, stopping)
    with crawl_lock(db):
        writer = StreamWriter(
            client,
            db,
            recheck_delays(schedules["NEWSARCHIVE_RECHECK_AFTER"]),
            recheck_delays(schedules["NEWSARCHIVE_RETRY_FAILED_AFTER"]),
            say=lambda line: click.echo(line, err=True),
        )
        click.echo(f"Writing what crawlers send on {display_url(redis_url)} to {db}", err=True)
        summary = writer.run(stop)
    click.echo(summary.line())


@cli.command(epilog=SCHEDULE_EXIT_CODES)
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("schedule.toml"),
    show_default=True,
    help="The schedule file: one [[crawl]] entry per site.",
)
@click.option("--max-runs", type=click.IntRange(min=1), help="Stop after this many runs.")
@one_line_errors
def schedule(config: Path, max_runs: int | None) -> None:
    """Run crawls on cron schedules, one at a time, until stopped.

    The file has one [[crawl]] entry per recurring crawl: site, cron (five fields, or six
    with seconds last), and optionally mode (incremental or full), db, base_url, max_pages
    and settings (a table of KEY = "VALUE"). Runs never overlap on an archive: a run
    started by hand makes the scheduled one wait. Each run is recorded in crawl_runs.

    Example:

    \b
        # schedule.toml
        [[crawl]]
        site = "sdelanounas"
        cron = "17 */6 * * *"
        db = "archive.db"

    \b
        newsarchive schedule --config schedule.toml
    """
    from .schedule import load_schedule, run_schedule

    entries = load_schedule(config)
    click.echo(f"{len(entries)} scheduled crawl(s) from {config}; Ctrl-C to stop")
    run_schedule(entries, max_runs, say=click.echo)


@cli.command(epilog=PLAIN_EXIT_CODES)
@db_option
@click.option(
    "--limit",
    default=10,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many runs to show.",
)
@one_line_errors
def stats(db: Path, limit: int) -> None:
    """Print the sites (articles, newest, last run) and the last crawl runs of every site.

    Example:

    \b
        newsarchive stats --db archive.db --limit 5
    """
    from archive.report import runs_table, sites_table

    click.echo(sites_table(db))
    click.echo()
    click.echo(runs_table(db, limit))


@cli.command(epilog=SERVE_EXIT_CODES)
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8001,
    show_default=True,
    type=click.IntRange(min=1, max=65535),
    help="Port to listen on.",
)
@one_line_errors
def serve(db: Path, host: str, port: int) -> None:
    """Serve the archive with Datasette: browse, facet and full-text search.

    Example:

    \b
        newsarchive serve --db archive.db --port 8001
    """
    from archive.serve import serve as run_datasette

    def listening() -> None:
        click.echo(f"Serving {db} at http://{host}:{port}/ (Ctrl-C to stop)")

    run_datasette(db, host, port, listening)


@cli.command(epilog=PLAIN_EXIT_CODES)
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=True),
    help="Also list the sites this archive holds, with their articles.",
)
@one_line_errors
def sites(db: Path | None) -> None:
    """List the sites of the registry (crawler/registry/*.toml) and those an archive holds.

    Example:

    \b
        newsarchive sites
        newsarchive sites --db archive.db
    """
    from archive.report import archived_sites, table

    from .sites import SITES

    held = archived_sites(db) if db is not None else None  # a bad --db is refused first
    rows = [["site", "title", "domains", "discovery", "layouts"]]
    rows += [
        [site.name, site.title, " ".join(site.domains), " ".join(site.discovery),
         " ".join(layout.name for layout in site.layouts)]
        for site in SITES.values()
    ]  # fmt: skip
    click.echo(table(rows))
    if held is not None:
        click.echo(f"\n{db} holds {len(held)} site(s):")
        rows = [["site", "articles", "newest published", "in the registry"]]
        rows += [
            [name, str(count), newest or "", "yes" if name in SITES else "no"]
            for name, (count, newest) in held.items()
        ]
        click.echo(table(rows))


@cli.command(epilog=PLAIN_EXIT_CODES)
@click.argument("url")
@db_option
@warc_dirs_option
@one_line_errors
def raw(url: str, db: Path, warc_dirs: tuple[Path, ...]) -> None:
    """Print the stored response of an archived article: status, headers, then the body.

    Example:

    \b
        newsarchive raw https://sdelanounas.ru/blogs/105125/ --db archive.db
    """
    from archive.raw import stored_response

    response = stored_response(db, warc_dirs or (default_warc_dir(db),), url)
    click.echo(response.status_line)
    for name, value in response.headers:
        click.echo(f"{name}: {value}")
    click.echo()
    click.echo(response.content.decode("utf-8", errors="replace"))


@cli.command(epilog=WRITING_EXIT_CODES)
@db_option
@warc_dirs_option
@click.option(
    "--since", callback=parse_since, metavar="DATE", help="Only articles published since."
)
@click.option("--ids", callback=parse_ids, metavar="A-B", help="Only this id range.")
@one_line_errors
def reextract(
    db: Path, warc_dirs: tuple[Path, ...], since: str | None, ids: tuple[int, int] | None
) -> None:
    """Rebuild articles from their stored raw responses with the current extractor.

    Uses no network. A changed result becomes a revision with the reason "re-extraction".

    Example:

    \b
        newsarchive reextract --db archive.db --since 2024-01-01
    """
    from archive.store import check_archive

    from .reextract import reextract as run_reextract

    check_archive(db, must_exist=True, writing=True)
    summary = run_reextract(
        db,
        warc_dirs or (default_warc_dir(db),),
        since,
        ids,
        say=lambda line: click.echo(line, err=True),
    )
    click.echo(summary.line())


@cli.command(epilog=VERIFY_EXIT_CODES)
@db_option
@warc_dirs_option
@one_line_errors
def verify(db: Path, warc_dirs: tuple[Path, ...]) -> None:
    """Check raw capture against the archive: records there, digests right, orphans counted.

    Exits with 3 if a record an article points to is missing or damaged.

    Example:

    \b
        newsarchive verify --db archive.db
        newsarchive verify --db archive.db --warc-dir crawler1-warc --warc-dir crawler2-warc
    """
    from archive.verify import verify as run_verify

    report = run_verify(db, warc_dirs or (default_warc_dir(db),))
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        sys.exit(3)


@cli.command(epilog=PLAIN_EXIT_CODES)
@db_option
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Directory for the dump (default: <db stem>-dumps/ beside the archive).",
)
@click.option(
    "--since", callback=parse_since, metavar="DATE", help="Only articles published since."
)
@click.option(
    "--until", callback=parse_since, metavar="DATE", help="Only articles published until."
)
@click.option(
    "--site",
    metavar="NAME",
    help="Only this site: its articles, crawl runs and failed pages (see `newsarchive stats`).",
)
@one_line_errors
def dump(
    db: Path, out: Path | None, since: str | None, until: str | None, site: str | None
) -> None:
    """Write a consistent, self-contained SQLite snapshot, with a manifest and SHA-256.

    Safe while a crawl is writing. The dump opens and searches in any SQLite; its search
    index holds word stems, each article's in its own language (search `завод` to find
    «заводы», `factori` to find "factories").

    Example:

    \b
        newsarchive dump --db archive.db --since 2024-01-01
        newsarchive dump --db archive.db --site sdelanounas
    """
    from archive.dump import make_dump

    made = make_dump(db, out, __version__, since, until, site)
    manifest = made.manifest
    click.echo(
        f"{made.path}: {manifest['articles']} articles"
        + (f" of {site}" if site else "")
        + f", {manifest['first_published']} to {manifest['last_published']},"
        f" sha256 {manifest['sha256']}"
    )


@cli.command(epilog=EXTRACT_EXIT_CODES)
@click.argument("source", metavar="FILE_OR_URL")
@click.option(
    "--url", help="The address the page was saved from: picks the site and resolves its links."
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["json", "text"]),
    default="json",
    show_default=True,
    help="json: every field with where it was read from; text: the body alone.",
)
@one_line_errors
def extract(source: str, url: str | None, output: str) -> None:
    """Print the article of one page: a saved file, - for standard input, or a URL.

    The site registry picks the site by the URL's host; an unknown site is read by the
    generic rules. A URL is fetched once, politely (robots.txt, User-Agent, size cap).

    Example:

    \b
        newsarchive extract page.html --url https://sdelanounas.ru/blogs/105125/
        newsarchive extract https://example.org/news/2024/05/story.html --format text
        curl -s https://example.org/a.html | newsarchive extract - --url https://example.org/a.html
    """
    import json

    from .exceptions import ExtractionFailed
    from .extract import decode_html, extract_page
    from .fetch import read_source

    page = read_source(source, url)
    try:
        article = extract_page(page.url, decode_html(page.body, page.content_type))
    except ExtractionFailed as failure:
        click.echo(f"Error: the page holds no article ({failure})", err=True)
        sys.exit(3)
    if output == "text":
        click.echo(article.body_text)
    else:
        click.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2, sort_keys=True))
