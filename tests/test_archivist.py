"""What archivists rely on, end to end against the simulator: incremental runs, revisions,
removals, the crawl log, resume after SIGKILL, schedules."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import (
    FAULTS_ENV,
    NEWSARCHIVE,
    RunningSite,
    newsarchive,
    rows,
    start_site,
)
from tests.sitesim import Corpus
from tests.sitesim.corpus import MOSCOW


def recent_corpus(count: int) -> Corpus:
    """Articles published every 30 minutes up to a few hours ago: all due for rechecks soon."""
    now = datetime.now(MOSCOW).replace(second=0, microsecond=0)
    return Corpus(
        count, first_date=now - timedelta(minutes=30 * count + 120), step=timedelta(minutes=30)
    )


@pytest.fixture
def recent_site(tmp_path: Path) -> Iterator[RunningSite]:
    running = start_site(tmp_path, 0, corpus=recent_corpus(60))
    yield running
    running.server.shutdown()
    running.server.server_close()


def make_due(db: Path, native_ids: list[int]) -> None:
    """Time passes: these articles' next recheck is now in the past."""
    marks = ",".join("?" * len(native_ids))
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            f"UPDATE articles SET next_check_at = '2000-01-01T00:00:00+00:00'"
            f" WHERE native_id IN ({marks})",
            [str(native_id) for native_id in native_ids],
        )
    conn.close()


def crawl(site: RunningSite, db: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    result = newsarchive("crawl", "--base-url", site.url, "--db", str(db), *extra)
    assert result.returncode == 0, result.stderr
    return result


def test_edition_change_is_archived_exactly(recent_site: RunningSite, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    corpus = recent_site.corpus
    assert crawl(recent_site, db).stdout.startswith("60 new, 0 updated")
    first_run_requests = len(recent_site.requests())
    newest = max(corpus.ids)
    retitled, extended, taken_down, discussed, untouched = (
        newest - 2, newest - 30, newest - 40, newest - 45, newest - 50
    )  # fmt: skip
    original_title = corpus.get(retitled).title  # type: ignore[union-attr]
    corpus.count += 5
    corpus.edit(retitled, title="Завод в Казани удвоил выпуск")
    corpus.edit(extended, paragraph="Дополнение: завод получил новый заказ.")
    corpus.remove(taken_down)
    corpus.edit(discussed, comments=999)
    make_due(db, [extended, taken_down, discussed, untouched])

    second = crawl(recent_site, db)
    assert second.stdout.startswith(
        "5 new, 2 updated, 1 unchanged, 1 not modified, 1 removed, 0 failed extraction"
    )
    second_run_requests = len(recent_site.requests()) - first_run_requests
    assert second_run_requests < first_run_requests / 3

    revisions = rows(
        db,
        "SELECT a.native_id, r.changed, r.title, r.reason FROM revisions r"
        " JOIN articles a ON a.pk = r.article_pk ORDER BY a.native_id",
    )
    assert [(native_id, json.loads(changed)) for native_id, changed, _, _ in revisions] == [
        (str(extended), ["body_text", "body_html"]),
        (str(retitled), ["title"]),
    ]
    assert revisions[1][2] == original_title and revisions[1][3] == "edit"
    assert rows(
        db, "SELECT title, revision_count FROM articles WHERE native_id = ?", (str(retitled),)
    ) == [("Завод в Казани удвоил выпуск", 1)]
    removed = rows(
        db, "SELECT removed_at IS NOT NULL FROM articles WHERE native_id = ?", (str(taken_down),)
    )
    assert removed == [(1,)]
    assert rows(
        db,
        "SELECT comment_count, revision_count FROM articles WHERE native_id = ?",
        (str(discussed),),
    ) == [(999, 0)]
    assert rows(db, "SELECT count(*) FROM articles") == [(65,)]
    run = rows(
        db,
        "SELECT articles_new, articles_updated, articles_removed, articles_not_modified, status"
        " FROM crawl_runs ORDER BY id DESC LIMIT 1",
    )
    assert run == [(5, 2, 1, 1, "finished")]


def test_a_new_comment_count_alone_makes_no_revision(tmp_path: Path) -> None:
    site = start_site(tmp_path, 0, corpus=recent_corpus(12))
    try:
        db = tmp_path / "archive.db"
        crawl(site, db)
        ids = list(site.corpus.ids)
        for native_id in ids:
            site.corpus.edit(native_id, comments=500 + native_id % 7)
        make_due(db, ids)
        assert crawl(site, db).stdout.startswith("0 new, 0 updated, 12 unchanged")
    finally:
        site.server.shutdown()
        site.server.server_close()
    assert rows(db, "SELECT count(*) FROM revisions") == [(0,)]
    assert rows(db, "SELECT min(comment_count) FROM articles") == [(500,)]


def killed_then_rerun(
    site: RunningSite, db: Path, kill: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    """Run a crawl, SIGKILL it (`after-requests:N` or `in-batch:N`), then rerun it whole."""
    args = [str(NEWSARCHIVE), "crawl", "--base-url", site.url, "--db", str(db), *extra]
    how, count = kill.split(":")
    if how == "in-batch":
        faulty = [
            "--setting", 'EXTENSIONS={"tests.faults.KillMidBatch": 0}',
            "--setting", f"FAULT_KILL_AT_SAVE={count}",
        ]  # fmt: skip
        victim = subprocess.run(
            args + faulty, capture_output=True, text=True, env=FAULTS_ENV, check=False
        )
        assert victim.returncode == -signal.SIGKILL
    else:
        already = len(site.requests())
        victim_process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while len(site.requests()) - already < int(count):
            assert time.monotonic() < deadline and victim_process.poll() is None
            time.sleep(0.01)
        victim_process.kill()
        victim_process.wait()
    rerun = subprocess.run(args, capture_output=True, text=True, env=FAULTS_ENV, check=False)
    assert rerun.returncode == 0, rerun.stderr
    return rerun


def archived(db: Path) -> set[tuple[str, str]]:
    return set(rows(db, "SELECT id, content_hash FROM articles"))


@pytest.mark.parametrize("kill", ["after-requests:45", "in-batch:25"])
def test_full_crawl_killed_at_any_point_ends_complete(tmp_path: Path, kill: str) -> None:
    site = start_site(tmp_path, 120, delay=0.005)
    try:
        reference = tmp_path / "reference.db"
        crawl(site, reference, "--setting", "NEWSARCHIVE_BATCH_SIZE=10")
        db = tmp_path / "archive.db"
        killed_then_rerun(site, db, kill, "--setting", "NEWSARCHIVE_BATCH_SIZE=10")
    finally:
        site.server.shutdown()
        site.server.server_close()
    assert archived(db) == archived(reference)
    assert rows(db, "SELECT count(*), count(DISTINCT id) FROM articles") == [(120, 120)]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db, "SELECT resumes, status FROM crawl_runs") == [(1, "finished")]


@pytest.mark.parametrize("kill", ["after-requests:20", "in-batch:15"])
def test_incremental_crawl_killed_on_an_archive_with_history_ends_complete(
    tmp_path: Path, kill: str
) -> None:
    corpus = Corpus(80, first_date=datetime(2015, 1, 1, tzinfo=MOSCOW), step=timedelta(hours=7))
    site = start_site(tmp_path, 0, corpus=corpus, delay=0.005)
    try:
        db = tmp_path / "archive.db"
        crawl(site, db, "--setting", "NEWSARCHIVE_BATCH_SIZE=10")
        corpus.count = 120
        killed_then_rerun(site, db, kill, "--setting", "NEWSARCHIVE_BATCH_SIZE=10")
    finally:
        site.server.shutdown()
        site.server.server_close()
    assert {native_id for (native_id,) in rows(db, "SELECT native_id FROM articles")} == {
        str(native_id) for native_id in corpus.ids
    }
    assert rows(db, "SELECT count(*), count(DISTINCT id) FROM articles") == [(120, 120)]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db, "SELECT status FROM crawl_runs ORDER BY id") == [("finished",), ("finished",)]


def test_schedule_runs_crawls_in_sequence_and_logs_them(site: RunningSite, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    config = tmp_path / "schedule.toml"
    config.write_text(
        f'[[crawl]]\nsite = "sdelanounas"\ncron = "* * * * * */2"\ndb = "{db}"\n'
        f'base_url = "{site.url}"\n',
        encoding="utf-8",
    )
    result = newsarchive("schedule", "--config", str(config), "--max-runs", "2", timeout=90)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ended with exit code 0") == 2
    runs = rows(db, "SELECT mode, status, articles_new FROM crawl_runs ORDER BY id")
    assert runs == [("incremental", "finished", 35), ("incremental", "finished", 0)]
    stats = newsarchive("stats", "--db", str(db))
    assert stats.returncode == 0
    sites, runs_table = stats.stdout.split("\n\n")
    assert sites.splitlines()[1].split()[:2] == ["sdelanounas", "35"]
    lines = runs_table.splitlines()
    assert lines[0].split()[:5] == ["run", "site", "mode", "started", "(UTC)"]
    assert len(lines) == 3 and lines[1].split()[0] == "2"


def test_id_backfill_shows_progress_with_an_eta(tmp_path: Path) -> None:
    site = start_site(tmp_path, 40, delay=0.05)
    try:
        db = tmp_path / "archive.db"
        low, high = min(site.corpus.ids), max(site.corpus.ids)
        result = crawl(
            site, db, "--ids", f"{low}-{high}", "--setting", "NEWSARCHIVE_PROGRESS_INTERVAL=0.3",
            "--setting", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
        )  # fmt: skip
    finally:
        site.server.shutdown()
        site.server.server_close()
    assert result.stdout.startswith("40 new")
    progress = [line for line in result.stderr.splitlines() if line.startswith("progress:")]
    assert progress and "ETA" in progress[0]
    assert not any("/blogs/?page=" in line for line in site.requests())


def test_since_walks_back_to_a_date_and_no_further(tmp_path: Path) -> None:
    corpus = Corpus(50, first_date=datetime(2020, 1, 1, 12, tzinfo=MOSCOW), step=timedelta(days=1))
    site = start_site(tmp_path, 0, corpus=corpus)
    try:
        db = tmp_path / "archive.db"
        result = crawl(site, db, "--since", "2020-02-10")
    finally:
        site.server.shutdown()
        site.server.server_close()
    published = [row[0] for row in rows(db, "SELECT published_at FROM articles ORDER BY 1")]
    assert published[0] == "2020-02-10T12:00:00+03:00"
    assert len(published) == 10  # 10 February to 19 February
    assert result.stdout.startswith("10 new")
    assert not any("page=2" in line for line in site.requests())
    assert rows(db, "SELECT mode FROM crawl_runs") == [("since",)]


def test_a_failed_listing_page_leaves_the_run_resumable(tmp_path: Path) -> None:
    site = start_site(tmp_path, 45, failing_listing=2)
    try:
        db = tmp_path / "archive.db"
        args = ("crawl", "--base-url", site.url, "--db", str(db))
        first = newsarchive(*args, "--setting", "RETRY_TIMES=0")
        assert first.returncode == 4
        assert "1 listing page(s) could not be fetched" in first.stderr.splitlines()[-1]
        assert rows(db, "SELECT status FROM crawl_runs") == [("interrupted",)]
        site.server.failing_listing = None
        second = newsarchive(*args)
        assert second.returncode == 0, second.stderr
    finally:
        site.server.shutdown()
        site.server.server_close()
    assert rows(db, "SELECT count(*) FROM articles") == [(45,)]
    assert rows(db, "SELECT resumes, status FROM crawl_runs") == [(1, "finished")]
