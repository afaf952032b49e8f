"""Revalidation: every archived article asked again, with conditional GETs, whatever its age.

The simulator answers 304 to an `If-None-Match` that matches its page's ETag, so its request
log says exactly which articles were asked and which answered "not modified".
"""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from tests.conftest import RunningSite, newsarchive, rows, start_site
from tests.sitesim import Corpus
from tests.sitesim.corpus import MOSCOW
from tests.test_capture import records

ARTICLE = re.compile(r"GET /blogs/(\d+)/ (\d+) ")
# Published years ago, so that no recheck of the decaying schedule is due.
OLD = datetime(2012, 3, 1, 9, 0, tzinfo=MOSCOW)


def article_requests(site: RunningSite, since: int) -> list[tuple[int, int]]:
    """(article id, status) of the article requests after the first `since` log lines."""
    found = (ARTICLE.match(line) for line in site.requests()[since:])
    return [(int(match[1]), int(match[2])) for match in found if match]


def crawl(site: RunningSite, db: Path, *options: str) -> tuple[object, list[tuple[int, int]]]:
    before = len(site.requests())
    result = newsarchive("crawl", "--base-url", site.url, "--db", str(db), *options)
    return result, article_requests(site, before)


def test_full_finds_an_old_edit_with_one_conditional_get_per_article(tmp_path: Path) -> None:
    corpus = Corpus(30, first_date=OLD, step=timedelta(days=7))
    site = start_site(tmp_path, 0, corpus=corpus)
    db = tmp_path / "archive.db"
    try:
        assert crawl(site, db)[0].returncode == 0  # type: ignore[attr-defined]
        edited = [corpus.first_id + 3, corpus.first_id + 11, corpus.first_id + 20]
        for article_id in edited:
            corpus.edit(article_id, paragraph="Завод сообщил о новом контракте.")

        plain, asked = crawl(site, db)
        assert plain.returncode == 0  # type: ignore[attr-defined]
        assert asked == []  # the listings show the same titles: nothing to fetch

        full, asked = crawl(site, db, "--full")
        assert full.returncode == 0, full.stderr  # type: ignore[attr-defined]
    finally:
        site.server.shutdown()
        site.server.server_close()
    assert sorted(article_id for article_id, _ in asked) == list(corpus.ids)  # each once
    assert sorted(i for i, status in asked if status == 200) == edited
    assert sum(status == 304 for _, status in asked) == corpus.count - len(edited)
    assert "27 not modified" in full.stdout  # type: ignore[attr-defined]
    changed = rows(db, "SELECT a.native_id FROM revisions r JOIN articles a ON a.pk = r.article_pk")
    assert sorted(int(native_id) for (native_id,) in changed) == edited
    revisits = [record for record in records(tmp_path / "archive-warc") if record[0] == "revisit"]
    assert len(revisits) == corpus.count - len(edited)


def test_revalidate_asks_the_least_recently_checked_first(tmp_path: Path) -> None:
    corpus = Corpus(20, first_date=OLD, step=timedelta(days=7))
    site = start_site(tmp_path, 0, corpus=corpus)
    db = tmp_path / "archive.db"
    try:
        assert crawl(site, db)[0].returncode == 0  # type: ignore[attr-defined]
        oldest = [corpus.first_id + n for n in (17, 2, 9, 5, 13)]
        with sqlite3.connect(db) as conn:
            for days, article_id in enumerate(oldest):
                checked = (datetime(2020, 1, 1) + timedelta(days=days)).isoformat()
                conn.execute(
                    "UPDATE articles SET last_seen_at = ? WHERE native_id = ?",
                    (checked + "+00:00", str(article_id)),
                )
        walked = len(site.requests())
        first, asked = crawl(site, db, "--revalidate", "--limit", "5")
        assert first.returncode == 0, first.stderr  # type: ignore[attr-defined]
        assert sorted(article_id for article_id, _ in asked) == sorted(oldest)
        assert {status for _, status in asked} == {304}
        assert not any("/blogs/?page" in line for line in site.requests()[walked:])
        old_enough, asked = crawl(site, db, "--revalidate", "--older-than", "30d")
        assert old_enough.returncode == 0  # type: ignore[attr-defined]
        assert asked == []  # all were checked moments ago
    finally:
        site.server.shutdown()
        site.server.server_close()


def test_revalidation_options_go_together(tmp_path: Path) -> None:
    alone = newsarchive("crawl", "--limit", "5", "--db", str(tmp_path / "a.db"))
    assert alone.returncode == 1
    assert alone.stderr.strip() == "Error: --older-than and --limit go with --revalidate"
    age = newsarchive(
        "crawl", "--revalidate", "--older-than", "soon", "--db", str(tmp_path / "a.db")
    )
    assert age.returncode == 1
    assert "'soon' is not an age such as 30d, 12h or 2w" in age.stderr
