"""Recurring crawls on cron schedules, read from a small TOML file.

Each run is a separate `newsarchive crawl --wait` process, one after another: a run never
overlaps another on the same archive (a run started by hand makes the scheduled one wait),
and each is recorded in the archive's `crawl_runs`.
"""

from __future__ import annotations

import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from croniter import croniter

from . import settings
from .exceptions import BadSchedule
from .sites import get_site

MODES = ("incremental", "full")


@dataclass(frozen=True)
class Entry:
    """One recurring crawl: which site, when (cron), how, into which archive."""

    site: str
    cron: str
    mode: str = "incremental"
    db: str = settings.NEWSARCHIVE_DB
    base_url: str | None = None
    max_pages: int | None = None
    settings: dict[str, str] = field(default_factory=dict)

    def command(self) -> list[str]:
        """The `newsarchive crawl` command line of one run."""
        args = [sys.executable, "-m", "crawler", "crawl", self.site, "--db", self.db, "--wait"]
        if self.mode == "full":
            args.append("--full")
        if self.base_url:
            args += ["--base-url", self.base_url]
        if self.max_pages:
            args += ["--max-pages", str(self.max_pages)]
        for key, value in self.settings.items():
            args += ["--setting", f"{key}={value}"]
        return args


def load_schedule(path: Path) -> list[Entry]:
    """The entries of a schedule file, each checked; BadSchedule says which is wrong and why."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BadSchedule(f"cannot read {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise BadSchedule(f"{path} is not valid TOML: {error}") from None
    raw = data.get("crawl")
    if not isinstance(raw, list) or not raw:
        raise BadSchedule(f"{path} has no [[crawl]] entries")
    return [_entry(item, number, path) for number, item in enumerate(raw, 1)]


def _entry(item: dict[str, Any], number: int, path: Path) -> Entry:
    where = f"{path}, entry {number}"
    try:
        entry = Entry(**item)
    except TypeError as error:
        raise BadSchedule(f"{where}: {error}".replace("Entry.__init__() ", "")) from None
    get_site(entry.site)
    if not croniter.is_valid(entry.cron):
        raise BadSchedule(f"{where}: {entry.cron!r} is not a cron expression like '0 * * * *'")
    if entry.mode not in MODES:
        raise BadSchedule(f"{where}: mode must be one of {', '.join(MODES)}, not {entry.mode!r}")
    return entry


def run_schedule(
    entries: list[Entry],
    max_runs: int | None = None,
    run: Callable[[list[str]], int] | None = None,
    say: Callable[[str], None] = print,
) -> int:
    """Run the entries' crawls when due, one at a time; returns how many ran."""
    run = run or (lambda args: subprocess.run(args, check=False).returncode)
    now = datetime.now().astimezone()
    due = {index: _next(entry, now) for index, entry in enumerate(entries)}
    done = 0
    while max_runs is None or done < max_runs:
        index = min(due, key=due.__getitem__)
        time.sleep(max((due[index] - datetime.now().astimezone()).total_seconds(), 0))
        entry = entries[index]
        started = datetime.now().astimezone()
        say(f"{started:%Y-%m-%d %H:%M:%S} crawl {entry.site} ({entry.mode}) -> {entry.db}")
        code = run(entry.command())
        say(f"crawl {entry.site} ended with exit code {code}")
        done += 1
        due[index] = _next(entry, datetime.now().astimezone())
    return done


def _next(entry: Entry, after: datetime) -> datetime:
    return croniter(entry.cron, after).get_next(datetime)
