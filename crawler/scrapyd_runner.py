"""Run scrapyd's jobs as `newsarchive crawl`, so that they keep the books a crawl keeps.

scrapyd's own runner starts `scrapy crawl SPIDER`, which knows nothing of the crawl_runs row, the
archive lock, the incremental stop mark or the exit codes of `newsarchive crawl`; this one
(`runner = crawler.scrapyd_runner` in scrapyd.conf) turns the job into that command. A job's
spider is the site: a registry name, or `news` with `-a url=ADDRESS`. Its `-a NAME=VALUE` are the
options of `newsarchive crawl --help` (`-a max_pages=3`, `-a full=true`), its `-s KEY=VALUE`
become `--setting KEY=VALUE`. The job's egg is unpacked, because the registry and templates are
read as files, put ahead of the installed copy this module comes from, and activated by scrapyd's
own function. Everything the job prints, its summary line included, goes to its log in scrapyd's
logs_dir (scrapyd's own runner would leave the summary, printed by click, out of it).
"""

from __future__ import annotations

import os
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path

import click
from scrapyd import Config
from scrapyd.runner import activate_egg
from scrapyd.utils import initialize_component

NEWS_SPIDER = "news"  # reads the site at `-a url=ADDRESS`
SCRAPYD_ARGUMENTS = {"_job", "_version"}  # scrapyd's own, passed with the spider's arguments


@contextmanager
def deployed_egg(project: str) -> Iterator[None]:
    """The job's egg (scrapyd's newest, or SCRAPYD_EGG_VERSION), unpacked and active; where
    scrapyd holds none, what is installed runs, as under scrapyd's own runner."""
    storage = initialize_component(
        Config(), "eggstorage", "scrapyd.eggstorage.FilesystemEggStorage"
    )
    _version, egg = storage.get(project, os.environ.get("SCRAPYD_EGG_VERSION"))
    if egg is None:
        yield
        return
    with egg, tempfile.TemporaryDirectory(prefix=f"{project}-egg-") as folder:
        unpacked = Path(folder, f"{project}.egg")
        with zipfile.ZipFile(egg) as archive:
            archive.extractall(unpacked)
        # This module's package came from what is installed: forget it, so that every module
        # of the project loads from the egg.
        packages = set((unpacked / "EGG-INFO" / "top_level.txt").read_text().split())
        for name in [name for name in sys.modules if name.partition(".")[0] in packages]:
            del sys.modules[name]
        # First on sys.path, before what is installed (scrapyd's activation would append it).
        sys.path.insert(0, str(unpacked))
        activate_egg(str(unpacked))
        yield


def pairs(options: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The `-a NAME=VALUE` arguments and `-s KEY=VALUE` settings scrapyd passes."""
    found: dict[str, dict[str, str]] = {"-a": {}, "-s": {}}
    words = iter(options)
    for flag in words:
        pair = next(words, "")
        if flag not in found or "=" not in pair:
            raise click.UsageError(f"{flag} {pair} is not -a NAME=VALUE or -s KEY=VALUE")
        key, _, value = pair.partition("=")
        found[flag][key] = value
    return found["-a"], found["-s"]


def crawl_command(spider: str, arguments: dict[str, str], settings: dict[str, str]) -> list[str]:
    """The `newsarchive crawl` command line of a job, its options checked by name."""
    command = import_module("crawler.cli").crawl
    options = {  # by the name --help shows: --redis is redis, whatever its parameter's name
        name.removeprefix("--").replace("-", "_"): param
        for param in command.params
        if isinstance(param, click.Option) and param.name != "settings"
        for name in param.opts
        if name.startswith("--")
    }
    arguments = {key: value for key, value in arguments.items() if key not in SCRAPYD_ARGUMENTS}
    site = arguments.pop("url", "") if spider == NEWS_SPIDER else spider
    if not site:
        raise click.UsageError(f"the spider {NEWS_SPIDER} needs -a url=ADDRESS, the site to read")
    line = ["crawl", site]
    for key, value in arguments.items():
        option = options.get(key.replace("-", "_"))
        if option is None:
            raise click.UsageError(
                f"unknown argument -a {key}; a job takes the options of `newsarchive crawl"
                f" --help`: {', '.join(sorted(options))} (and url with the spider {NEWS_SPIDER})"
            )
        line += option_words(option, key, value)
    for key, value in settings.items():
        line += ["--setting", f"{key}={value}"]
    return line


def option_words(option: click.Option, key: str, value: str) -> list[str]:
    """`--name VALUE` for an option, `--flag` for a flag set true, nothing for one set false."""
    if not option.is_flag:
        return [option.opts[0], value]
    try:
        return [option.opts[0]] if click.BOOL.convert(value, None, None) else []
    except click.BadParameter:
        raise click.UsageError(f"-a {key}={value}: {key} is true or false") from None


def log_to(path: str) -> None:
    """Send all that the job prints, on both streams, to its log: Scrapy's log, warnings, errors,
    and the summary line that is the crawl's verdict."""
    sys.stdout.flush()
    sys.stderr.flush()
    log = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)


def crawl(spider: str, options: list[str]) -> int:
    """Run one job as `newsarchive crawl`; its exit code."""
    try:
        arguments, settings = pairs(options)
        if log := settings.pop("LOG_FILE", None):  # scrapyd's, where logs_dir is set
            log_to(log)
        line = crawl_command(spider, arguments, settings)
    except click.UsageError as error:
        click.echo(f"Error: {error.format_message()}", err=True)
        return 1
    return int(import_module("crawler.cli").cli.main(line, prog_name="newsarchive") or 0)


def main() -> None:
    """scrapyd's two commands: `crawl SPIDER -s KEY=VALUE … -a NAME=VALUE …`, and `list`, which
    names what a job may crawl: the registry's sites and the spider `news`."""
    command, *rest = sys.argv[1:] or [""]
    with deployed_egg(os.environ.get("SCRAPY_PROJECT", "default")):
        if command == "crawl" and rest:
            sys.exit(crawl(rest[0], rest[1:]))
        if command == "list":
            for name in sorted([*import_module("crawler.sites").SITES, NEWS_SPIDER]):
                print(name)
            return
        sys.exit(f"Error: scrapyd asked for {command!r}; this runner knows crawl and list")


if __name__ == "__main__":
    main()
