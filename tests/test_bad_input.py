"""Bad input at the edges: one clear line, a non-zero exit, and the archive left as it was.

Each case runs the real `newsarchive` against a copy of an archive a real crawl wrote, and
compares the copy's SHA-256 and its directory's listing before and after.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.schema import LATEST_VERSION
from archive.store import crawl_lock
from crawler.configure import crawl_settings
from crawler.exceptions import BadSetting
from tests.conftest import NEWSARCHIVE, RunningSite, free_port, newsarchive, start_site

# Run a command without the root powers that ignore file permissions (CAP_DAC_OVERRIDE and
# CAP_DAC_READ_SEARCH leave the bounding set before the exec), so that root, too, meets a
# read-only file as everybody else does.
WITHOUT_OVERRIDE = (
    "import ctypes, os, sys\n"
    "libc = ctypes.CDLL(None, use_errno=True)\n"
    "for capability in (1, 2):\n"
    "    if libc.prctl(24, capability, 0, 0, 0):\n"  # PR_CAPBSET_DROP
    "        raise OSError(ctypes.get_errno(), 'prctl')\n"
    "os.execv(sys.argv[1], sys.argv[1:])\n"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSite]:
    running = start_site(tmp_path_factory.mktemp("site"), 12)
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture(scope="module")
def crawled(site: RunningSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive written by a real crawl of one listing page."""
    db = tmp_path_factory.mktemp("crawled") / "archive.db"
    result = newsarchive("crawl", "--base-url", site.url, "--db", str(db), "--max-pages", "1")
    assert result.returncode == 0, result.stderr
    return db


@pytest.fixture
def db(crawled: Path, tmp_path: Path) -> Path:
    """A copy of the crawled archive, alone in its own directory."""
    copy = tmp_path / "archive" / "archive.db"
    copy.parent.mkdir()
    shutil.copyfile(crawled, copy)
    return copy


def snapshot(path: Path) -> tuple[str, list[str]]:
    """The file's SHA-256 and what its directory holds."""
    return hashlib.sha256(path.read_bytes()).hexdigest(), sorted(os.listdir(path.parent))


def assert_refused(
    args: tuple[str, ...], archive: Path, message: str, code: int = 1, as_user: bool = False
) -> None:
    """The command exits with `code`, says `message` in one line, and leaves `archive` alone."""
    before = snapshot(archive)
    command = [str(NEWSARCHIVE), *args]
    if as_user and os.geteuid() == 0:
        command = [sys.executable, "-c", WITHOUT_OVERRIDE, *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == code, result.stderr
    assert result.stderr.splitlines() == [f"Error: {message}"]
    assert result.stdout == ""
    assert snapshot(archive) == before


def test_unknown_site(db: Path) -> None:
    assert_refused(
        ("crawl", "nosuchsite", "--db", str(db)),
        db,
        "unknown site 'nosuchsite'; known sites: kommersant, ria, sdelanounas, or any site by"
        " its address (https://…)",
    )


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("sdelanounas.ru", "give an http:// or https:// URL with a host"),
        ("http://exa mple.org/", "give an http:// or https:// URL with a host"),
        ("http://127.0.0.1:99999", "Port out of range 0-65535"),
    ],
)
def test_malformed_url(db: Path, url: str, why: str) -> None:
    assert_refused(
        ("crawl", "--base-url", url, "--db", str(db)), db, f"bad --base-url {url!r}: {why}"
    )


def test_unreachable_base_url(db: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    assert_refused(
        ("crawl", "--base-url", url, "--db", str(db)),
        db,
        f"cannot reach {url} (Connection refused); offline, `make demo` crawls the local simulator",
    )


def test_database_path_is_a_directory(site: RunningSite, db: Path) -> None:
    assert_refused(
        ("crawl", "--base-url", site.url, "--db", str(db.parent)),
        db,
        f"{db.parent} is a directory; give the path of a .db file",
    )


def test_database_is_read_only(site: RunningSite, db: Path) -> None:
    db.chmod(0o444)
    assert_refused(
        ("crawl", "--base-url", site.url, "--db", str(db)),
        db,
        f"{db} is not writable; check its permissions",
        as_user=True,
    )


def test_database_directory_is_read_only(site: RunningSite, db: Path) -> None:
    db.parent.chmod(0o555)
    try:
        assert_refused(
            ("crawl", "--base-url", site.url, "--db", str(db)),
            db,
            f"cannot write {db}: its directory is not writable (SQLite keeps its journal there)",
            as_user=True,
        )
    finally:
        db.parent.chmod(0o755)


@pytest.mark.parametrize("damage", ["text", "garbled"])
def test_database_is_not_a_sqlite_file(site: RunningSite, db: Path, damage: str) -> None:
    if damage == "text":
        db.write_text("title,url\nЗавод,https://sdelanounas.ru/blogs/1/\n", encoding="utf-8")
        message = f"{db} is not a SQLite database; give another --db path"
    else:
        data = bytearray(db.read_bytes())
        data[4096:] = b"\xff" * (len(data) - 4096)  # the header page survives, nothing else
        db.write_bytes(bytes(data))
        message = f"{db} is not a usable SQLite database (database disk image is malformed)"
    assert_refused(("crawl", "--base-url", site.url, "--db", str(db)), db, message)


def test_database_from_a_newer_schema(site: RunningSite, db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    assert_refused(
        ("crawl", "--base-url", site.url, "--db", str(db)),
        db,
        f"{db} has schema version {LATEST_VERSION + 1}, newer than this Newsarchive's "
        f"{LATEST_VERSION}; upgrade Newsarchive",
    )


def test_locked_database(site: RunningSite, db: Path) -> None:
    already = len(site.server.requests)
    with crawl_lock(db):
        assert_refused(
            ("crawl", "--base-url", site.url, "--db", str(db)),
            db,
            f"{db} is being written by another run; wait for it to finish",
            code=2,
        )
    assert site.server.requests[already:] == []


def test_invalid_date(site: RunningSite, db: Path) -> None:
    assert_refused(
        ("crawl", "--base-url", site.url, "--db", str(db), "--since", "2024-02-30"),
        db,
        "Invalid value for '--since': '2024-02-30' is not a date such as 2024-01-31",
    )


@pytest.mark.parametrize("ids", ["500-100", "100-"])
def test_invalid_id_range(site: RunningSite, db: Path, ids: str) -> None:
    assert_refused(
        ("crawl", "--base-url", site.url, "--db", str(db), "--ids", ids),
        db,
        f"Invalid value for '--ids': {ids!r} is not an id range such as 100000-100500",
    )


def test_bad_setting_value(site: RunningSite, db: Path) -> None:
    assert_refused(
        ("crawl", "--base-url", site.url, "--db", str(db), "--setting", "RETRY_TIMES=many"),
        db,
        "--setting RETRY_TIMES='many': RETRY_TIMES needs a whole number",
    )


@pytest.mark.parametrize("timeout", ["DNS_TIMEOUT", "DOWNLOAD_TIMEOUT", "DOWNLOAD_DELAY"])
def test_timeouts_and_delays_take_fractions_of_a_second(timeout: str) -> None:
    settings = crawl_settings(Path("archive.db"), "https://sdelanounas.ru", {timeout: "2.5"})
    assert settings.getfloat(timeout) == 2.5
    with pytest.raises(BadSetting, match="CONCURRENT_REQUESTS needs a whole number"):
        crawl_settings(Path("archive.db"), "https://sdelanounas.ru", {"CONCURRENT_REQUESTS": "2.5"})


BAD_ENTRIES = [
    ('cron = "every hour"', "'every hour' is not a cron expression like '0 * * * *'"),
    ('cron = "0 * * * *"\nmode = "often"', "mode must be one of incremental, full, not 'often'"),
]


@pytest.mark.parametrize(("entry", "why"), BAD_ENTRIES)
def test_bad_schedule_entry(db: Path, entry: str, why: str) -> None:
    config = db.parent.parent / "schedule.toml"
    config.write_text(f'[[crawl]]\nsite = "sdelanounas"\ndb = "{db}"\n{entry}\n', encoding="utf-8")
    assert_refused(
        ("schedule", "--config", str(config), "--max-runs", "1"),
        db,
        f"{config}, entry 1: {why}",
    )


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("DOWNLOAD_TIMOUT=abc", "unknown setting DOWNLOAD_TIMOUT; did you mean DOWNLOAD_TIMEOUT?"),
        ("NO_SUCH_THING=1", "unknown setting NO_SUCH_THING; see crawler/settings.py"),
        (
            "NEWSARCHIVE_RECHECK_AFTER=x",
            "--setting NEWSARCHIVE_RECHECK_AFTER='x': NEWSARCHIVE_RECHECK_AFTER needs seconds "
            "separated by commas, e.g. 3600,86400",
        ),
        (
            "NEWSARCHIVE_RECHECK_AFTER=3600,-5",
            "--setting NEWSARCHIVE_RECHECK_AFTER='3600,-5': NEWSARCHIVE_RECHECK_AFTER needs "
            "seconds separated by commas, e.g. 3600,86400",
        ),
    ],
    ids=["misspelt", "unknown", "string-of-the-wrong-form", "negative-delay"],
)
def test_settings_are_checked_by_name_and_form(
    site: RunningSite, db: Path, setting: str, message: str
) -> None:
    asked = len(site.requests())
    assert_refused(
        ("crawl", "--base-url", site.url, "--db", str(db), "--setting", setting), db, message
    )
    assert len(site.requests()) == asked  # refused before anything was fetched


def test_a_setting_whose_default_is_none_takes_text() -> None:
    settings = crawl_settings(Path("archive.db"), "https://sdelanounas.ru", {"LOG_FILE": "x.log"})
    assert settings.get("LOG_FILE") == "x.log"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("stats", "--limit", "-1"), "Invalid value for '--limit': -1 is not in the range x>=1."),
        (("stats", "--limit", "0"), "Invalid value for '--limit': 0 is not in the range x>=1."),
        (
            ("crawl", "--max-pages", "0"),
            "Invalid value for '--max-pages': 0 is not in the range x>=1.",
        ),
        (
            ("serve", "--port", "70000"),
            "Invalid value for '--port': 70000 is not in the range 1<=x<=65535.",
        ),
    ],
    ids=["negative-limit", "zero-limit", "zero-pages", "port-out-of-range"],
)
def test_numeric_options_have_ranges(db: Path, args: tuple[str, ...], message: str) -> None:
    assert_refused((*args, "--db", str(db)), db, message)


def test_serving_on_a_busy_port_is_one_line_and_never_says_serving(db: Path) -> None:
    port = free_port()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        assert_refused(
            ("serve", "--db", str(db), "--port", str(port)),
            db,
            f"cannot listen on 127.0.0.1:{port} (Address already in use); pick another port "
            "with --port, or an address of this machine with --host",
        )


def test_serving_a_missing_or_foreign_archive_never_says_serving(db: Path) -> None:
    missing = db.parent / "missing.db"
    result = newsarchive("serve", "--db", str(missing), "--port", str(free_port()))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: {missing} does not exist; crawl first or check --db"
    ]
    foreign = db.parent / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.close()
    result = newsarchive("serve", "--db", str(foreign), "--port", str(free_port()))
    assert result.returncode == 1 and result.stdout == "" and len(result.stderr.splitlines()) == 1
