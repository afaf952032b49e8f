"""A crawl shared by several processes: crawlers on a real Redis, one writer, the simulator.

Each test starts its own redis-server (Debian's, with AOF on) on a free port, the real
`newsarchive crawl --redis` and `newsarchive write` commands, and kills them as a machine
failure would.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis

from spiders.walk import SharedListingWalk
from tests.conftest import NEWSARCHIVE, RunningSite, free_port, newsarchive, rows, start_site
from tests.newssim import NewsSite, start_news_site
from tests.test_archivist import make_due, recent_corpus
from tests.test_news_sites import article_paths, check_archive_matches

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
ARTICLE = re.compile(r"^GET /blogs/(\d+)/ ")
# What must be the same in an archive written by one process and by several.
COMPARED = (
    "id, title, lead, body_text, body_html, published_at, modified_at, author, author_login,"
    " category, tags, source_url, comment_count, rating, content_hash, language,"
    " field_sources, image_count, word_count, revision_count, removed_at IS NULL"
)
# Crawlers that are killed leave their requests to others after this (the default is 40 s).
SHORT_LEASE = ("--setting", "NEWSARCHIVE_LEASE_SECONDS=5")


@dataclass
class RedisServer:
    """A redis-server of the test's own, with AOF on, restartable on the same port and files."""

    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
             str(self.directory), "--appendonly", "yes", "--save", "", "--daemonize", "no",
             "--logfile", str(self.directory / "redis.log")],
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe:
                    probe.sendall(b"PING\r\n")
                    if probe.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        """Stop as a restart does (SIGTERM: the AOF is on disk)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(directory)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def slow_site(tmp_path: Path) -> Iterator[RunningSite]:
    """120 articles, each answered after 30 ms: a crawl long enough to kill things in."""
    running = start_site(tmp_path, 120, delay=0.03)
    yield running
    running.server.shutdown()
    running.server.server_close()


def start_writer(redis: RedisServer, db: Path, log: Path) -> subprocess.Popen[str]:
    with log.open("a") as output:  # the writer has its own copy of the descriptor
        return subprocess.Popen(
            [str(NEWSARCHIVE), "write", "--redis", redis.url, "--db", str(db)],
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )


def stop_writer(writer: subprocess.Popen[str]) -> int:
    writer.send_signal(signal.SIGTERM)
    return writer.wait(timeout=30)


def start_crawler(
    site: RunningSite | str, redis: RedisServer, warc_dir: Path, *extra: str
) -> subprocess.Popen[str]:
    """A crawler of the shared crawl of the simulator `site`, or of a site by its address."""
    target = [site] if isinstance(site, str) else ["--base-url", site.url]
    return subprocess.Popen(
        [str(NEWSARCHIVE), "crawl", *target, "--redis", redis.url,
         "--warc-dir", str(warc_dir), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def finish(crawlers: list[subprocess.Popen[str]], timeout: float = 120) -> list[tuple[int, str]]:
    """Each crawler's exit code and what it printed (stderr, then stdout)."""
    ended = []
    for crawler in crawlers:
        out, err = crawler.communicate(timeout=timeout)
        ended.append((crawler.returncode, err + out))
    return ended


def kill(process: subprocess.Popen[str]) -> None:
    """SIGKILL, as a machine that is gone."""
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)


@contextmanager
def twin_sites(tmp_path: Path, **options: Any) -> Iterator[tuple[RunningSite, RunningSite]]:
    """Two simulators of the same site: one crawled on one machine, one shared."""
    (tmp_path / "single").mkdir()
    (tmp_path / "shared").mkdir()
    sites = (start_site(tmp_path / "single", **options), start_site(tmp_path / "shared", **options))
    try:
        yield sites
    finally:
        for running in sites:
            running.server.shutdown()
            running.server.server_close()


def article_fetches(site: RunningSite) -> Counter[str]:
    return Counter(match.group(1) for line in site.requests() if (match := ARTICLE.match(line)))


def wait_for_articles(db: Path, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db.exists():
            try:
                if rows(db, "SELECT count(*) FROM articles")[0][0] >= count:
                    return
            except Exception:  # not created yet
                pass
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} articles in {db} after {timeout} s")


def shared_crawl(
    site: RunningSite, redis: RedisServer, db: Path, tmp_path: Path, crawlers: int = 3
) -> list[tuple[int, str]]:
    """A whole shared run: a writer, `crawlers` crawlers, the writer stopped at the end."""
    writer = start_writer(redis, db, tmp_path / "writer.log")
    try:
        started = [
            start_crawler(site, redis, tmp_path / f"warc-{number}") for number in range(crawlers)
        ]
        return finish(started)
    finally:
        assert stop_writer(writer) == 0, (tmp_path / "writer.log").read_text()


def test_three_crawlers_and_a_writer_archive_what_one_crawl_does(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    corpus = recent_corpus(60)
    sites = twin_sites(tmp_path, articles=0, corpus=corpus)
    with sites as (single_site, shared_site):
        single, shared = tmp_path / "single.db", tmp_path / "shared.db"

        assert (
            newsarchive("crawl", "--base-url", single_site.url, "--db", str(single)).returncode == 0
        )
        for code, printed in shared_crawl(shared_site, redis_server, shared, tmp_path):
            assert code == 0, printed
            assert printed.startswith("60 new, 0 updated") or "\n60 new, 0 updated" in printed
            assert "Traceback" not in printed
            assert "ERROR" not in printed  # nothing logged as an error: idle flushes included
        fetched = article_fetches(shared_site)
        assert len(fetched) == 60 and set(fetched.values()) == {1}  # no article page twice

        # An edition later: edits, a removal, new articles, due rechecks; a second run of each.
        newest = max(corpus.ids)
        corpus.count += 5
        corpus.edit(newest - 2, title="Завод в Казани удвоил выпуск")
        corpus.edit(newest - 30, paragraph="Дополнение: завод получил новый заказ.")
        corpus.remove(newest - 40)
        for db in (single, shared):
            make_due(db, [newest - 30, newest - 40, newest - 45])
        assert (
            newsarchive("crawl", "--base-url", single_site.url, "--db", str(single)).returncode == 0
        )
        for code, printed in shared_crawl(shared_site, redis_server, shared, tmp_path, crawlers=2):
            assert code == 0, printed
            assert "5 new, 2 updated, 0 unchanged, 1 not modified, 1 removed" in printed

        query = f"SELECT {COMPARED} FROM articles ORDER BY id"
        assert rows(shared, query) == rows(single, query)
        revisions = (
            "SELECT a.id, r.changed, r.title, r.body_text, r.reason FROM revisions r"
            " JOIN articles a ON a.pk = r.article_pk ORDER BY a.id, r.seen_at"
        )
        assert rows(shared, revisions) == rows(single, revisions) != []
        runs = "SELECT status, exit_code, complete, articles_new, articles_updated FROM crawl_runs"
        assert rows(shared, runs) == rows(single, runs)
        # Counters summed over every crawler: each response once (robots.txt's included).
        assert rows(shared, "SELECT sum(pages_fetched) FROM crawl_runs") == [
            (len(shared_site.requests()),)
        ]
        # Every row points to its raw capture, in one of the crawlers' own WARC directories.
        warc_dirs = [str(path) for path in sorted(tmp_path.glob("warc-*"))]
        options = [option for directory in warc_dirs for option in ("--warc-dir", directory)]
        verified = newsarchive("verify", "--db", str(shared), *options)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "0 missing, 0 with a wrong digest" in verified.stdout
        # … and is read back from there: the articles rebuilt from every crawler's capture.
        rebuilt = newsarchive("reextract", "--db", str(shared), *options)
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert ", 0 changed, 0 failed" in rebuilt.stdout
        url = rows(shared, "SELECT url FROM articles WHERE removed_at IS NULL LIMIT 1")[0][0]
        stored = newsarchive("raw", url, "--db", str(shared), *options)
        assert stored.returncode == 0 and stored.stdout.startswith("HTTP/1.1 200")


def test_a_killed_crawler_leaves_its_work_to_the_others(
    redis_server: RedisServer, slow_site: RunningSite, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    writer = start_writer(redis_server, db, tmp_path / "writer.log")
    crawlers = [
        start_crawler(slow_site, redis_server, tmp_path / f"warc-{n}", *SHORT_LEASE)
        for n in range(3)
    ]
    wait_for_articles(db, 15)
    kill(crawlers[0])  # no replacement
    for code, printed in finish(crawlers[1:]):
        assert code == 0, printed
        assert "Traceback" not in printed
    assert stop_writer(writer) == 0
    assert rows(db, "SELECT count(DISTINCT native_id) FROM articles") == [(120,)]
    assert rows(db, "SELECT count(*) FROM failed_pages") == [(0,)]
    assert rows(db, "SELECT status, exit_code, articles_new FROM crawl_runs") == [
        ("finished", 0, 120)
    ]
    assert set(article_fetches(slow_site)) == {str(n) for n in slow_site.corpus.ids}


def test_a_writer_killed_mid_batch_loses_nothing_and_writes_nothing_twice(
    redis_server: RedisServer, slow_site: RunningSite, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    log = tmp_path / "writer.log"
    writer = start_writer(redis_server, db, log)
    crawlers = [start_crawler(slow_site, redis_server, tmp_path / f"warc-{n}") for n in range(2)]
    wait_for_articles(db, 10)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=10)
    time.sleep(1)  # crawlers go on sending meanwhile
    writer = start_writer(redis_server, db, log)
    for code, printed in finish(crawlers):
        assert code == 0, printed
    assert stop_writer(writer) == 0, log.read_text()
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db, "SELECT count(*), count(DISTINCT id) FROM articles") == [(120, 120)]
    assert rows(db, "SELECT count(*) FROM revisions") == [(0,)]
    assert rows(db, "SELECT status, articles_new, articles_updated FROM crawl_runs") == [
        ("finished", 120, 0)
    ]


def test_a_redis_restart_mid_crawl_is_waited_out(
    redis_server: RedisServer, slow_site: RunningSite, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    writer = start_writer(redis_server, db, tmp_path / "writer.log")
    crawlers = [start_crawler(slow_site, redis_server, tmp_path / f"warc-{n}") for n in range(2)]
    wait_for_articles(db, 15)
    redis_server.stop()
    time.sleep(2)
    redis_server.start()  # the same port and AOF file
    for code, printed in finish(crawlers):
        assert code == 0, printed
        assert "Traceback" not in printed
        assert len([line for line in printed.splitlines() if "Redis at" in line]) == 1, printed
    assert stop_writer(writer) == 0
    assert rows(db, "SELECT count(DISTINCT native_id) FROM articles") == [(120,)]
    assert rows(db, "SELECT status, exit_code FROM crawl_runs") == [("finished", 0)]


def test_a_redis_that_is_not_there_is_one_line_before_anything_is_fetched(
    site: RunningSite, tmp_path: Path
) -> None:
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    crawled = newsarchive("crawl", "--redis", nowhere, "--base-url", site.url)
    assert crawled.returncode == 1
    assert crawled.stderr.count("\n") == 1 and crawled.stderr.startswith("Error: cannot use Redis")
    assert "Traceback" not in crawled.stderr
    assert site.requests() == []
    # The URL may come from the environment, where `ps` shows its password to no one.
    environment = {**os.environ, "NEWSARCHIVE_REDIS_URL": nowhere}
    from_environment = newsarchive("crawl", "--base-url", site.url, env=environment)
    assert from_environment.returncode == 1 and "cannot use Redis" in from_environment.stderr
    written = newsarchive("write", "--redis", nowhere, "--db", str(tmp_path / "a.db"))
    assert written.returncode == 1 and written.stderr.startswith("Error: cannot use Redis")
    assert not (tmp_path / "a.db").exists()


def test_a_crawler_of_a_shared_crawl_takes_no_archive(tmp_path: Path) -> None:
    crawled = newsarchive(
        "crawl", "--redis", "redis://127.0.0.1:1/0", "--db", str(tmp_path / "a.db")
    )
    assert crawled.returncode == 1
    assert "give --db to `newsarchive write`" in crawled.stderr
    assert not (tmp_path / "a.db").exists()


def test_a_run_whose_crawlers_all_died_goes_on_with_new_ones(
    redis_server: RedisServer, slow_site: RunningSite, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    writer = start_writer(redis_server, db, tmp_path / "writer.log")
    first = [
        start_crawler(slow_site, redis_server, tmp_path / f"warc-{n}", *SHORT_LEASE)
        for n in range(2)
    ]
    wait_for_articles(db, 15)
    for crawler in first:
        kill(crawler)
    late = start_crawler(slow_site, redis_server, tmp_path / "warc-late", *SHORT_LEASE)
    [(code, printed)] = finish([late])
    assert code == 0, printed
    assert stop_writer(writer) == 0
    assert rows(db, "SELECT count(DISTINCT native_id) FROM articles") == [(120,)]
    assert rows(db, "SELECT status, exit_code, complete, articles_new FROM crawl_runs") == [
        ("finished", 0, 1, 120)
    ]


def test_a_shared_walk_cut_by_max_pages_moves_no_stop_mark(
    redis_server: RedisServer, site: RunningSite, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    writer = start_writer(redis_server, db, tmp_path / "writer.log")
    crawlers = [
        start_crawler(site, redis_server, tmp_path / f"warc-{n}", "--max-pages", "2")
        for n in range(2)
    ]
    for code, printed in finish(crawlers):
        assert code == 0, printed
    assert stop_writer(writer) == 0
    assert rows(db, "SELECT count(*) FROM articles") == [(20,)]
    assert rows(db, "SELECT status, complete FROM crawl_runs") == [("finished", 0)]


def test_a_listing_page_read_again_neither_ends_the_walk_nor_loses_its_articles(
    redis_server: RedisServer,
) -> None:
    client = redis.Redis.from_url(redis_server.url)
    walk = SharedListingWalk(client, "sdelanounas", "run")
    assert not walk.repeats("main", 0, {"1", "2"})
    assert walk.claim("main:0", ["1", "2"]) == ["1", "2"]
    walk.set_streak("main", 0, 2)
    # Its crawler died before the page's lease ended: another reads the page again.
    assert not walk.repeats("main", 0, {"1", "2"})
    assert walk.claim("main:0", ["1", "2"]) == ["1", "2"]
    assert (walk.streak("main", 0), walk.streak("main", 1)) == (0, 2)
    # The listing moved: page 1 shows 2 again, asked once in the run.
    assert not walk.repeats("main", 1, {"2", "3"})
    assert walk.claim("main:1", ["2", "3"]) == ["3"]
    # A page that shows only what other pages listed ends the walk.
    assert walk.repeats("main", 2, {"1", "3"})
    walk.expect(0, {"1", "2"})
    assert not walk.resolve(0, "1")
    assert not walk.resolve(0, "1")  # an answer counted twice completes nothing
    assert walk.resolve(0, "2")
    client.close()


def test_a_site_read_by_its_address_is_shared_too(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    running = start_news_site(tmp_path, NewsSite(kind="wordpress", articles=16, seed=3))
    site, db = running.site, tmp_path / "archive.db"
    writer = start_writer(redis_server, db, tmp_path / "writer.log")

    def shared_run(name: str) -> None:
        crawlers = [
            start_crawler(f"{running.url}/", redis_server, tmp_path / f"{name}{n}")
            for n in range(2)
        ]
        for code, printed in finish(crawlers):
            assert code == 0, printed
        check_archive_matches(running, db)

    shared_run("first")
    asked = Counter(article_paths(running))
    assert set(asked.values()) == {1}  # each article page once over both crawlers
    assert len(asked) == len(site.article_paths())
    kept_out = rows(db, "SELECT count(*) FROM judged_pages WHERE not_article IS NOT NULL")
    assert kept_out[0][0] > 0
    # A rerun after two new articles and an edit asks those three, as one crawl would.
    before = len(running.paths())
    edited = site.expected_articles()[-1].url
    added = site.add_articles(2)
    site.edit(edited)
    shared_run("rerun")
    rerun = [urlsplit(path).path for path in article_paths(running, before)]
    assert sorted(rerun) == sorted({*added, urlsplit(edited).path})
    assert stop_writer(writer) == 0
    running.stop()


FAULTS = ("down", "offsite_redirect", "redirect_loop", "burst", "error_200_always", "listing_down")


def test_failed_downloads_end_their_requests_as_on_one_machine(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """Pages that fail (errors, loops, a redirect off the site, a listing page down) are kept as
    failures, and their requests end: the shared run ends as the single crawl does."""
    with twin_sites(tmp_path, articles=40, faults=FAULTS) as (single_site, shared_site):
        single, shared = tmp_path / "single.db", tmp_path / "shared.db"
        alone = newsarchive("crawl", "--base-url", single_site.url, "--db", str(single))
        writer = start_writer(redis_server, shared, tmp_path / "writer.log")
        crawlers = [start_crawler(shared_site, redis_server, tmp_path / f"w{n}") for n in range(2)]
        ended = finish(crawlers, timeout=90)
        assert stop_writer(writer) == 0
        for code, printed in ended:
            assert code == alone.returncode, printed + alone.stderr
            assert "Traceback" not in printed

        def failures(db: Path) -> list[tuple[str, str]]:
            found = rows(db, "SELECT url, reason FROM failed_pages ORDER BY url")
            return [(urlsplit(url).path, reason) for url, reason in found]

        assert failures(shared) == failures(single) != []
        query = "SELECT id, content_hash FROM articles ORDER BY id"
        assert rows(shared, query) == rows(single, query)
        runs = "SELECT status, exit_code, complete FROM crawl_runs"
        assert rows(shared, runs) == rows(single, runs)


def test_a_run_no_crawler_works_on_gives_way_to_one_with_other_options(
    redis_server: RedisServer, slow_site: RunningSite, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    writer = start_writer(redis_server, db, tmp_path / "writer.log")
    first = start_crawler(slow_site, redis_server, tmp_path / "w1", "--full", *SHORT_LEASE)
    wait_for_articles(db, 5)
    kill(first)
    refused = newsarchive("crawl", "--redis", redis_server.url, "--base-url", slow_site.url)
    assert refused.returncode == 1 and "with other options is running" in refused.stderr
    time.sleep(6)  # the dead crawler's lease and its word that it works on the run lapse
    busy = start_crawler(slow_site, redis_server, tmp_path / "w2", *SHORT_LEASE)
    [(code, printed)] = finish([busy])
    assert stop_writer(writer) == 0
    assert code == 0 and "abandoning the shared run of sdelanounas" in printed, printed
    assert rows(db, "SELECT mode, status FROM crawl_runs ORDER BY id") == [
        ("full", "abandoned"),
        ("incremental", "finished"),
    ]
    assert rows(db, "SELECT count(*) FROM articles") == [(120,)]


def test_the_writer_takes_the_archive_s_schedules_and_nothing_else(tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    wrong = newsarchive("write", "--redis", nowhere, "--db", db, "--setting", "DOWNLOAD_TIMEOUT=3")
    assert wrong.returncode == 1 and "write takes only the settings" in wrong.stderr
    bad = ("--setting", "NEWSARCHIVE_RECHECK_AFTER=soon")
    malformed = newsarchive("write", "--redis", nowhere, "--db", db, *bad)
    assert malformed.returncode == 1 and "needs seconds separated by commas" in malformed.stderr
    good = ("--setting", "NEWSARCHIVE_RECHECK_AFTER=60,3600")
    unreachable = newsarchive("write", "--redis", nowhere, "--db", db, *good)
    assert unreachable.returncode == 1 and "cannot use Redis" in unreachable.stderr
