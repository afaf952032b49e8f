"""Raw capture in WARC, re-extraction without the network, and verification."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import signal
import socket
import subprocess
from base64 import b32encode
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.warc import read_response
from crawler import sites
from crawler.reextract import reextract
from tests.conftest import (
    FAULTS_ENV,
    NEWSARCHIVE,
    RunningSite,
    newsarchive,
    rows,
    start_site,
)
from tests.test_archivist import make_due, recent_corpus

WARCIO = Path(NEWSARCHIVE).with_name("warcio")


def records(warc_dir: Path) -> list[tuple[str, str, str | None]]:
    """(type, target URI, WARC-Profile) of every record of every file."""
    found = []
    for path in sorted(warc_dir.glob("*.warc.gz")):
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle):
                found.append(
                    (
                        record.rec_type,
                        record.rec_headers.get_header("WARC-Target-URI") or "",
                        record.rec_headers.get_header("WARC-Profile"),
                    )
                )
    return found


@pytest.fixture
def crawled(tmp_path: Path) -> Iterator[tuple[RunningSite, Path]]:
    site = start_site(tmp_path, 28, gone_every=9)
    db = tmp_path / "news.db"
    result = newsarchive("crawl", "--base-url", site.url, "--db", str(db))
    assert result.returncode == 0, result.stderr
    yield site, db
    site.server.shutdown()
    site.server.server_close()


def test_every_response_is_captured_and_every_article_points_to_its_record(
    crawled: tuple[RunningSite, Path],
) -> None:
    site, db = crawled
    warc_dir = db.parent / "news-warc"
    captured = records(warc_dir)
    assert captured[0][0] == "warcinfo"
    responses = [uri for kind, uri, _ in captured if kind == "response"]
    requests = [uri for kind, uri, _ in captured if kind == "request"]
    served = [line.split()[1] for line in site.requests()]
    assert sorted(uri.removeprefix(site.url) for uri in responses) == sorted(served)
    assert sorted(requests) == sorted(responses)
    assert any(uri.endswith("/robots.txt") for uri in responses)
    articles = rows(db, "SELECT url, warc_file, warc_offset, warc_digest FROM articles")
    assert len(articles) == 28 - 3  # every 9th id answered 404
    for url, file, offset, digest in articles:
        stored = read_response([warc_dir], file, offset)
        assert stored.url == url
        expected = "sha1:" + b32encode(hashlib.sha1(stored.raw).digest()).decode()
        assert stored.digest == digest == expected
        assert stored.status_line == "HTTP/1.1 200 OK"
    warcs = [str(path) for path in warc_dir.glob("*.warc.gz")]
    assert subprocess.run([str(WARCIO), "check", *warcs], check=False).returncode == 0
    index = subprocess.run(
        [str(WARCIO), "index", *warcs],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert len(index.stdout.splitlines()) == len(captured)
    verify = newsarchive("verify", "--db", str(db))
    assert verify.returncode == 0
    assert "0 missing, 0 with a wrong digest" in verify.stdout


def test_raw_prints_the_stored_response(crawled: tuple[RunningSite, Path]) -> None:
    site, db = crawled
    url = f"{site.url}/blogs/{site.corpus.seed_id}/"
    result = newsarchive("raw", url, "--db", str(db))
    assert result.returncode == 0, result.stderr
    head, _, body = result.stdout.partition("\n\n")
    assert head.splitlines()[0] == "HTTP/1.1 200 OK"
    assert "Content-Type: text/html; charset=utf-8" in head
    assert "Гусевского городского округа" in body
    missing = newsarchive("raw", f"{site.url}/blogs/1/", "--db", str(db))
    assert missing.returncode == 1
    assert missing.stderr.startswith("Error: no archived article has the URL")


def test_reextract_reads_only_the_archive(crawled: tuple[RunningSite, Path]) -> None:
    site, db = crawled
    site.server.shutdown()
    site.server.server_close()
    result = newsarchive("reextract", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("25 pages read, 25 articles unchanged, 0 changed, 0 failed")
    assert rows(db, "SELECT count(*) FROM revisions") == [(0,)]


def test_a_changed_rule_changes_exactly_the_affected_articles(
    crawled: tuple[RunningSite, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, db = crawled
    before = dict(rows(db, "SELECT native_id, body_text FROM articles"))
    mention = "Подробности компания публикует в своём Телеграм-канале."
    affected = {native_id for native_id, body in before.items() if mention in body}
    assert affected
    site = sites.SITES["sdelanounas"]
    rule = sites.Furniture("company-channel", ("Подробности компания публикует…",))
    changed = dataclasses.replace(site, furniture=(*site.furniture, rule))
    monkeypatch.setitem(sites.SITES, "sdelanounas", changed)

    def no_network(*args: object) -> None:
        raise AssertionError("re-extraction opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    summary = reextract(db, [db.parent / "news-warc"])
    assert (summary.read, summary.changed, summary.failed) == (25, len(affected), 0)
    after = dict(rows(db, "SELECT native_id, body_text FROM articles"))
    assert {native_id for native_id in before if before[native_id] != after[native_id]} == affected
    revisions = rows(
        db,
        "SELECT a.native_id, r.reason, r.changed, r.body_text FROM revisions r"
        " JOIN articles a ON a.pk = r.article_pk",
    )
    assert {native_id for native_id, *_ in revisions} == affected
    for native_id, reason, changed, old_body in revisions:
        assert reason == "re-extraction"
        assert json.loads(changed) == ["body_text", "body_html"]
        assert old_body == before[native_id]


def test_a_recheck_answered_304_is_a_revisit_record(tmp_path: Path) -> None:
    site = start_site(tmp_path, 0, corpus=recent_corpus(6))
    try:
        db = tmp_path / "archive.db"
        assert newsarchive("crawl", "--base-url", site.url, "--db", str(db)).returncode == 0
        make_due(db, list(site.corpus.ids))
        second = newsarchive("crawl", "--base-url", site.url, "--db", str(db))
    finally:
        site.server.shutdown()
        site.server.server_close()
    assert "6 not modified" in second.stdout
    revisits = [r for r in records(tmp_path / "archive-warc") if r[0] == "revisit"]
    assert len(revisits) == 6
    assert {profile for *_, profile in revisits} == {
        "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
    }


def test_killed_crawl_leaves_usable_capture_and_the_next_run_starts_a_new_file(
    tmp_path: Path,
) -> None:
    site = start_site(tmp_path, 60)
    db = tmp_path / "archive.db"
    warc_dir = tmp_path / "archive-warc"
    args = [str(NEWSARCHIVE), "crawl", "--base-url", site.url, "--db", str(db)]
    try:
        killed = subprocess.run(
            [*args, "--setting", "NEWSARCHIVE_BATCH_SIZE=10", "--setting",
             'EXTENSIONS={"tests.faults.KillMidBatch": 0}', "--setting", "FAULT_KILL_AT_SAVE=35"],
            capture_output=True, env=FAULTS_ENV, check=False,
        )  # fmt: skip
        assert killed.returncode == -signal.SIGKILL
        [broken] = list(warc_dir.glob("*.warc.gz"))
        with broken.open("ab") as handle:  # a record cut off by the kill
            handle.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03half a record")
        verify = newsarchive("verify", "--db", str(db))
        assert verify.returncode == 0, verify.stdout
        assert f"truncated: {broken.name} ends in an incomplete record" in verify.stdout
        saved = rows(db, "SELECT url FROM articles LIMIT 1")[0][0]
        assert newsarchive("raw", saved, "--db", str(db)).returncode == 0
        size = broken.stat().st_size
        rerun = subprocess.run(args, capture_output=True, text=True, env=FAULTS_ENV, check=False)
        assert rerun.returncode == 0, rerun.stderr
    finally:
        site.server.shutdown()
        site.server.server_close()
    assert len(list(warc_dir.glob("*.warc.gz"))) == 2
    assert broken.stat().st_size == size
    assert rows(db, "SELECT count(*) FROM articles") == [(60,)]
    final = newsarchive("verify", "--db", str(db))
    assert final.returncode == 0 and "0 missing, 0 with a wrong digest" in final.stdout
