"""End to end: the real `newsarchive crawl` against the simulator over HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from tests.conftest import (
    BOILERPLATE,
    FAULTS_ENV,
    NEWSARCHIVE,
    RunningSite,
    newsarchive,
    rows,
    start_site,
)

T = TypeVar("T")


def test_crawl_archives_every_article_once_and_clean(site: RunningSite, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    result = newsarchive("crawl", "--base-url", site.url, "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert f"{site.corpus.count} new" in result.stdout

    stored = rows(
        db, "SELECT id, title, published_at, author, category, tags, body_text FROM articles"
    )
    assert len(stored) == site.corpus.count
    assert len({row[0] for row in stored}) == site.corpus.count
    by_id = {row[0]: row for row in stored}
    for article_id in site.corpus.ids:
        truth = site.corpus.get(article_id)
        assert truth is not None
        _, title, published_at, author, category, tags, body = by_id[f"sdelanounas:{article_id}"]
        assert title == truth.title.replace("\xa0", " ")
        assert published_at == truth.published.isoformat()
        assert (author, category) == (truth.author, truth.category[1])
        assert json.loads(tags) == truth.tags
        for text in BOILERPLATE:
            assert text.lower() not in (title + body).lower(), f"{text!r} in {article_id}"

    requests = site.requests()
    assert all("Newsarchive/" in line for line in requests)
    assert requests[0].startswith("GET /robots.txt")
    assert not any("#" in line or "/account/" in line for line in requests)


def test_second_crawl_adds_no_duplicates_and_fetches_little(
    site: RunningSite, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    assert newsarchive("crawl", "--base-url", site.url, "--db", str(db)).returncode == 0
    first_requests = len(site.requests())
    again = newsarchive("crawl", "--base-url", site.url, "--db", str(db))
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("0 new, 0 updated, 0 unchanged")
    assert len(site.requests()) - first_requests == 3  # robots.txt and two listing pages
    full = newsarchive("crawl", "--full", "--base-url", site.url, "--db", str(db))
    assert full.returncode == 0 and full.stdout.startswith("0 new, 0 updated")
    assert rows(db, "SELECT count(*), count(DISTINCT id) FROM articles") == [
        (site.corpus.count, site.corpus.count)
    ]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert [status for (status,) in rows(db, "SELECT status FROM crawl_runs ORDER BY id")] == [
        "finished", "finished", "finished"
    ]  # fmt: skip


def test_max_pages_bounds_the_walk(site: RunningSite, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    result = newsarchive("crawl", "--base-url", site.url, "--db", str(db), "--max-pages", "2")
    assert result.returncode == 0, result.stderr
    newest = max(site.corpus.ids)
    assert {row[0] for row in rows(db, "SELECT id FROM articles")} == {
        f"sdelanounas:{i}" for i in range(newest - 19, newest + 1)
    }
    assert not any("page=2" in line for line in site.requests())
    # A walk cut short has not seen what lies below: it moves no stop mark, and the next
    # incremental run walks on to archive the rest.
    assert rows(db, "SELECT status, complete FROM crawl_runs") == [("finished", 0)]
    rest = newsarchive("crawl", "--base-url", site.url, "--db", str(db))
    assert rest.returncode == 0, rest.stderr
    assert rows(db, "SELECT count(*) FROM articles") == [(site.corpus.count,)]


def test_robots_forbidding_listings_is_one_line_and_non_zero(
    forbidding_site: RunningSite, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    result = newsarchive("crawl", "--base-url", forbidding_site.url, "--db", str(db))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: robots.txt of {forbidding_site.url} forbids the listing "
        f"{forbidding_site.url}/blogs/?page=0"
    ]
    assert not any("/blogs/" in line for line in forbidding_site.requests())


def crawl_site(tmp_path: Path, articles: int, **options: object) -> tuple[Path, object]:
    """Crawl a simulator started with these options; (archive path, finished process)."""
    running = start_site(tmp_path, articles, **options)  # type: ignore[arg-type]
    try:
        db = tmp_path / "archive.db"
        return db, newsarchive("crawl", "--base-url", running.url, "--db", str(db))
    finally:
        running.server.shutdown()
        running.server.server_close()


def test_broken_pages_end_with_exit_code_3_and_are_kept(tmp_path: Path) -> None:
    db, result = crawl_site(tmp_path, 30, broken_every=3)
    assert result.returncode == 3
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(
        "Error: layout drift: extraction failed on 10 of 30 article pages (no title: 10), 33% > 5%"
    )
    assert "extraction failed (no title)" in result.stderr
    assert rows(db, "SELECT count(*) FROM articles") == [(20,)]
    failed = rows(db, "SELECT url, reason, attempts FROM failed_pages ORDER BY url")
    assert len(failed) == 10
    assert {(reason, attempts) for _, reason, attempts in failed} == {("no title", 1)}
    assert all(int(url.rstrip("/").rsplit("/", 1)[1]) % 3 == 0 for url, _, _ in failed)


def test_a_404_for_an_id_never_archived_is_absent_not_failed(tmp_path: Path) -> None:
    db, result = crawl_site(tmp_path, 24, gone_every=4)
    assert result.returncode == 0, result.stderr
    assert "6 absent" in result.stdout and "0 failed fetch" in result.stdout
    assert rows(db, "SELECT count(*) FROM failed_pages") == [(0,)]
    assert rows(db, "SELECT count(*) FROM articles") == [(18,)]


def test_provenance_and_audit_are_stored(site: RunningSite, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    assert newsarchive("crawl", "--base-url", site.url, "--db", str(db)).returncode == 0
    sources = dict(rows(db, "SELECT published_at_source, count(*) FROM articles GROUP BY 1"))
    assert set(sources) == {"text", "time", "meta", "json-ld"}
    assert sum(sources.values()) == site.corpus.count
    seed = f"sdelanounas:{site.corpus.seed_id}"
    removed = rows(
        db,
        "SELECT r.rule, r.kind, r.blocks FROM removals r JOIN articles a ON a.pk = r.article_pk"
        " WHERE a.id = ? ORDER BY r.rule",
        (seed,),
    )
    assert ("telegram-prompt", "signature", 1) in removed
    assert ("comment-form", "signature", 1) in removed
    assert rows(db, "SELECT extraction_method FROM articles WHERE id = ?", (seed,)) == [
        ("fallback",)
    ]
    modified = rows(db, "SELECT count(*) FROM articles WHERE modified_at IS NOT NULL")[0][0]
    assert modified > 0


def background_crawl(site: RunningSite, db: Path, *options: str) -> subprocess.Popen[str]:
    """`newsarchive crawl` of the site, running while the test watches it."""
    return subprocess.Popen(
        [str(NEWSARCHIVE), "crawl", "--base-url", site.url, "--db", str(db), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def fetched_an_article(site: RunningSite) -> bool:
    return any("/blogs/1000" in line for line in site.requests())


def wait_until(condition: Callable[[], T], failure: str, seconds: float = 20) -> T:
    """The condition's first true value, checked every 50 ms; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert time.monotonic() < deadline, failure
        time.sleep(0.05)
    return value


def test_interrupted_crawl_exits_4_and_keeps_what_it_saved(tmp_path: Path) -> None:
    slow = start_site(tmp_path, 30, delay=0.2)
    db = tmp_path / "archive.db"
    crawl = background_crawl(slow, db)
    try:
        wait_until(lambda: fetched_an_article(slow), "the crawl never fetched an article")
        crawl.send_signal(signal.SIGINT)
        _, stderr = crawl.communicate(timeout=30)
    finally:
        slow.server.shutdown()
        slow.server.server_close()
    assert crawl.returncode == 4, stderr
    assert stderr.strip().splitlines()[-1].startswith("Error: interrupted; rerun to continue")
    saved = rows(db, "SELECT count(*) FROM articles")[0][0]
    assert 0 < saved < 30
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]


def spawned(pid: int) -> list[int]:
    """The processes the crawl started (children running multiprocessing's spawn_main: the
    extraction worker, raw capture), read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid and b"spawn_main" in command:
            found.append(int(entry.name))
    return found


def kill_the_spawned_process(site: RunningSite, db: Path, *options: str) -> tuple[int, str]:
    """Crawl the site in the background (`options` leave one process started by the crawl),
    SIGKILL that process once an article is fetched; the crawl's exit code and stderr."""
    crawl = background_crawl(site, db, *options)
    try:
        [helper] = wait_until(
            lambda: fetched_an_article(site) and spawned(crawl.pid),
            "no article fetched, or no process started by the crawl",
        )
        os.kill(helper, signal.SIGKILL)
        _, stderr = crawl.communicate(timeout=60)
    finally:
        site.server.shutdown()
        site.server.server_close()
    return crawl.returncode, stderr


def test_a_killed_extraction_worker_loses_no_page(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    slow = start_site(tmp_path, 30, delay=0.1)
    exit_code, stderr = kill_the_spawned_process(slow, db, "--no-warc")
    assert exit_code == 0, stderr
    assert "the extraction worker died" in stderr
    assert rows(db, "SELECT count(*) FROM articles") == [(30,)]


def crawl_again(tmp_path: Path, db: Path, articles: int) -> subprocess.CompletedProcess[str]:
    """A plain rerun into the same archive, against a fresh simulator of the same site."""
    (tmp_path / "rerun").mkdir()
    site = start_site(tmp_path / "rerun", articles)
    try:
        return newsarchive("crawl", "--base-url", site.url, "--db", str(db))
    finally:
        site.server.shutdown()
        site.server.server_close()


def test_a_crawl_the_archive_refuses_stops_and_a_rerun_loses_nothing(tmp_path: Path) -> None:
    slow = start_site(tmp_path, 30, delay=0.1)
    db = tmp_path / "archive.db"
    crawl = background_crawl(slow, db, "--setting", "NEWSARCHIVE_BATCH_SIZE=5")
    holder = sqlite3.connect(db, isolation_level=None, timeout=30)
    try:
        wait_until(lambda: fetched_an_article(slow), "the crawl never fetched an article")
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the archive past the timeout
        _, stderr = crawl.communicate(timeout=60)
    finally:
        holder.close()
        slow.server.shutdown()
        slow.server.server_close()
    assert crawl.returncode == 1, stderr
    last = stderr.strip().splitlines()[-1]
    assert "database is locked" in last and "rerun to fetch what was not saved" in last
    assert rows(db, "SELECT count(*) FROM articles")[0][0] < 30
    rerun = crawl_again(tmp_path, db, 30)
    assert rerun.returncode == 0, rerun.stderr
    assert rows(db, "SELECT count(*) FROM articles") == [(30,)]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]


def test_a_bug_that_drops_a_page_fails_the_crawl_and_a_rerun_fetches_the_page(
    tmp_path: Path,
) -> None:
    site = start_site(tmp_path, 30)
    db = tmp_path / "archive.db"
    broken = site.corpus.ids[12]
    bug = ("--setting", 'EXTENSIONS={"tests.faults.BugOnArticle": 0}',
           "--setting", f"FAULT_BUG_ON_ARTICLE={broken}")  # fmt: skip
    try:
        crawl = newsarchive(
            "crawl", "--base-url", site.url, "--db", str(db), *bug,
            env=FAULTS_ENV,
        )  # fmt: skip
        assert crawl.returncode == 4, crawl.stderr
        last = crawl.stderr.strip().splitlines()[-1]
        assert "1 error(s) in the crawler (RuntimeError: 1; see above) kept pages out" in last
        assert "rerun to fetch them" in last
        archived = {native_id for (native_id,) in rows(db, "SELECT native_id FROM articles")}
        assert archived == {str(native_id) for native_id in site.corpus.ids} - {str(broken)}
        assert rows(db, "SELECT url, reason FROM failed_pages") == [
            (f"{site.url}/blogs/{broken}/", "crawler error: RuntimeError: a bug in the spider")
        ]
        assert rows(db, "SELECT status FROM crawl_runs") == [("interrupted",)]
        rerun = newsarchive("crawl", "--base-url", site.url, "--db", str(db))
    finally:
        site.server.shutdown()
        site.server.server_close()
    assert rerun.returncode == 0, rerun.stderr
    assert rows(db, "SELECT count(*) FROM articles") == [(30,)]
    assert rows(db, "SELECT count(*) FROM failed_pages") == [(0,)]


def test_a_killed_raw_capture_process_stops_the_crawl_and_a_rerun_loses_nothing(
    tmp_path: Path,
) -> None:
    db = tmp_path / "archive.db"
    slow = start_site(tmp_path, 30, delay=0.1)
    only_capture = ("--setting", "NEWSARCHIVE_EXTRACT_WORKERS=0", "--setting",
                    "NEWSARCHIVE_BATCH_SIZE=5")  # fmt: skip
    exit_code, stderr = kill_the_spawned_process(slow, db, *only_capture)
    assert exit_code == 1, stderr
    assert "the raw capture process died" in stderr.strip().splitlines()[-1]
    rerun = crawl_again(tmp_path, db, 30)
    assert rerun.returncode == 0, rerun.stderr
    assert rows(db, "SELECT count(*) FROM articles WHERE warc_file IS NULL") == [(0,)]
    assert rows(db, "SELECT count(*) FROM articles") == [(30,)]
    check = newsarchive("verify", "--db", str(db))
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_redirect_that_adds_a_tracking_query_is_the_same_article(tmp_path: Path) -> None:
    site = start_site(tmp_path, 12, faults=("tracking_redirect",))
    try:
        db = tmp_path / "archive.db"
        result = newsarchive("crawl", "--base-url", site.url, "--db", str(db))
    finally:
        site.server.shutdown()
        site.server.server_close()
    assert result.returncode == 0, result.stderr
    tracked = site.corpus.first_id + 1
    assert any(f"/blogs/{tracked}/?utm_source=" in line for line in site.requests())
    assert rows(db, "SELECT url FROM articles WHERE native_id = ?", (str(tracked),)) == [
        (f"{site.url}/blogs/{tracked}/",)
    ]
    assert rows(db, "SELECT count(*) FROM articles") == [(12,)]
    assert rows(db, "SELECT count(*) FROM failed_pages") == [(0,)]
