"""The `newsarchive` command: a thin click layer over the crawler and the archive."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from archive.exceptions import ArchiveError, ArchiveLocked

from . import __version__
from .exceptions import NewsarchiveError

EXIT_CODES = """\b
Exit codes:
  0  done
  1  bad input or usage (one line on stderr says what to fix)
  2  archive locked by another run
  3  too many extraction failures (the site's layout may have changed)
  4  interrupted (rerun the same command to continue)"""


def db_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """The `--db PATH` option every command takes."""
    return click.option(
        "--db",
        type=click.Path(path_type=Path, dir_okay=True),
        default=Path("archive.db"),
        show_default=True,
        help="The SQLite archive file.",
    )(function)


def one_line_errors(function: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the project's errors into one line on stderr and the documented exit code."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except ArchiveLocked as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(2)
        except (ArchiveError, NewsarchiveError) as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(1)

    return wrapper


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
        kwargs.pop("standalone_mode", None)
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except click.ClickException as error:
            click.echo(f"Error: {error.format_message()}", err=True)
            sys.exit(1)
        except click.Abort:
            click.echo("Error: interrupted", err=True)
            sys.exit(4)


@click.group(cls=NewsarchiveGroup, epilog=EXIT_CODES)
@click.version_option(__version__, prog_name="newsarchive")
def cli() -> None:
    """Crawl news sites into a clean, searchable SQLite archive and serve it with Datasette."""


@cli.command(epilog=EXIT_CODES)
@click.argument("site", default="sdelanounas")
@db_option
@click.option("--base-url", help="Crawl a mirror or the simulator instead of the real site.")
@click.option(
    "--max-pages", type=click.IntRange(min=1), help="Read at most this many listing pages."
)
@click.option(
    "--setting",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="A Scrapy or Newsarchive setting for this run (repeatable), e.g. DOWNLOAD_TIMEOUT=10.",
)
@click.option("--verbose", is_flag=True, help="Log every request (Scrapy's INFO level).")
@one_line_errors
def crawl(
    site: str,
    db: Path,
    base_url: str | None,
    max_pages: int | None,
    settings: tuple[str, ...],
    verbose: bool,
) -> None:
    """Crawl SITE's listing pages newest first and archive every article they link.

    A base URL on this machine (127.0.0.1, localhost) is crawled without politeness
    delays; robots.txt is obeyed everywhere.

    Example:

    \b
        newsarchive crawl --max-pages 3
        newsarchive crawl sdelanounas --base-url http://127.0.0.1:8800 --db mirror.db
    """
    from .run import crawl as run_crawl

    overrides = parse_settings(settings)
    if verbose:
        overrides.setdefault("LOG_LEVEL", "INFO")
    result = run_crawl(site, db, base_url, max_pages, overrides)
    if result.exit_code:
        click.echo(f"Error: {result.message}", err=True)
        sys.exit(result.exit_code)
    click.echo(result.message)


@cli.command(epilog=EXIT_CODES)
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@one_line_errors
def serve(db: Path, host: str, port: int) -> None:
    """Serve the archive with Datasette: browse, facet and full-text search.

    Example:

    \b
        newsarchive serve --db archive.db --port 8001
    """
    from archive.serve import serve as run_datasette

    click.echo(f"Serving {db} at http://{host}:{port}/ (Ctrl-C to stop)")
    run_datasette(db, host, port)
