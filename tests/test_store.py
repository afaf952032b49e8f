"""The archive library on real SQLite files: schema, validation, upserts, search index, lock."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from archive.article import ARTICLE_COLUMNS, KEPT
from archive.datasette.metadata import build_metadata
from archive.exceptions import ArchiveLocked, NewerSchema, NotAnArchive
from archive.schema import LATEST_VERSION, MIGRATIONS
from archive.search import count, search, unindex_row
from archive.store import Archive, Batch, check_archive, crawl_lock
from crawler.extract import extract_page
from crawler.normalise import to_record
from tests.sitesim import Corpus
from tests.sitesim.pages import article_page

SEEN = "2026-11-27T00:00:00+00:00"


def records(count: int = 6) -> list[dict]:
    corpus = Corpus(count)
    return [
        to_record(extract_page(f"https://sdelanounas.ru/blogs/{i}/", article_page(article)))
        for i in corpus.ids
        if (article := corpus.get(i))
    ]


def fts_hits(archive: Archive, query: str) -> int:
    return count(archive.db.conn, query)


def test_new_archive_is_migrated_and_in_wal_mode(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        assert archive.db.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        assert archive.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert archive.db["articles"].pks == ["pk"]


def test_saving_twice_creates_no_duplicates(tmp_path: Path) -> None:
    batch = records()
    with Archive(tmp_path / "a.db") as archive:
        first = archive.save_articles(batch, SEEN)
        second = archive.save_articles(batch, "2026-11-28T00:00:00+00:00")
        assert (first.new, second.new, second.unchanged) == (len(batch), 0, len(batch))
        assert archive.article_count() == len(batch)
        tag_rows = archive.db.execute("SELECT count(*) FROM article_tags").fetchone()[0]
        assert tag_rows == sum(len(record["tags"]) for record in batch)
        first_seen = {row[0] for row in archive.db.execute("SELECT first_seen_at FROM articles")}
        assert first_seen == {SEEN}


def test_changed_content_updates_row_and_search_index(tmp_path: Path) -> None:
    batch = records(3)
    with Archive(tmp_path / "a.db") as archive:
        archive.save_articles(batch, SEEN)
        old_title = f'"{batch[0]["title"]}"'
        before = fts_hits(archive, old_title)
        edited = {**batch[0], "title": "Уникальныйзаголовок", "tags": ["новый тег"]}
        edited["content_hash"] = "changed"
        counts = archive.save_articles([edited], SEEN)
        assert counts.updated == 1
        assert fts_hits(archive, "Уникальныйзаголовок") == 1
        assert fts_hits(archive, old_title) == before - 1  # the old version left the index
        archive.db.execute(
            "INSERT INTO articles_search(articles_search) VALUES ('integrity-check')"
        )
        tags = archive.db.execute(
            "SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id "
            "JOIN articles a ON a.pk = at.article_pk WHERE a.id = ?",
            [batch[0]["id"]],
        ).fetchall()
        assert tags == [("новый тег",)]


def tag_counts(archive: Archive) -> tuple[dict[str, int], dict[str, int]]:
    """Each tag's article count as kept in `tags`, and as counted in article_tags."""
    kept = dict(archive.db.execute("SELECT name, article_count FROM tags").fetchall())
    counted = dict(
        archive.db.execute(
            "SELECT t.name, count(at.tag_id) FROM tags t"
            " LEFT JOIN article_tags at ON at.tag_id = t.id GROUP BY t.id"
        ).fetchall()
    )
    return kept, counted


def test_tag_counts_follow_new_and_edited_articles(tmp_path: Path) -> None:
    batch = records(6)
    with Archive(tmp_path / "a.db") as archive:
        archive.save_articles(batch, SEEN)
        kept, counted = tag_counts(archive)
        assert kept == counted and sum(kept.values()) == sum(len(r["tags"]) for r in batch)
        first_tag = batch[0]["tags"][0]
        edited = {**batch[0], "tags": ["новый тег"], "content_hash": "changed"}
        archive.save_articles([edited], SEEN)
        after, counted = tag_counts(archive)
        assert after == counted
        assert after["новый тег"] == 1 and after[first_tag] == kept[first_tag] - 1


def test_an_article_archived_at_last_leaves_the_failures(tmp_path: Path) -> None:
    batch = records(3)
    with Archive(tmp_path / "a.db") as archive:
        failures = [
            {"site": "sdelanounas", "url": record["url"], "reason": "fetch: HTTP 503"}
            for record in batch
        ]
        archive.save_batch(Batch(failures=failures), SEEN)
        archive.save_batch(Batch(articles=batch[:2]), SEEN)
        left = archive.db.execute("SELECT url FROM failed_pages").fetchall()
        assert left == [(batch[2]["url"],)]


def test_a_new_comment_count_is_no_new_content(tmp_path: Path) -> None:
    batch = records(2)
    with Archive(tmp_path / "a.db") as archive:
        archive.save_articles(batch, SEEN)
        counts = archive.save_articles([{**batch[0], "comment_count": 999}], SEEN)
        assert (counts.unchanged, counts.updated) == (1, 0)
        stored = archive.db.execute(
            "SELECT comment_count FROM articles WHERE id = ?", [batch[0]["id"]]
        ).fetchone()[0]
        assert stored == 999


def test_search_index_survives_vacuum(tmp_path: Path) -> None:
    batch = records(6)
    with Archive(tmp_path / "a.db") as archive:
        archive.save_articles(batch, SEEN)
        archive.db.execute("DELETE FROM article_tags WHERE article_pk = 1")
        archive.db.execute("DELETE FROM images WHERE article_pk = 1")
        first = archive.db.execute("SELECT title, lead, body_text FROM articles WHERE pk = 1")
        unindex_row(archive.db.conn, 1, first.fetchone())
        archive.db.execute("DELETE FROM articles WHERE pk = 1")
        archive.db.conn.commit()
        archive.db.execute("VACUUM")
        title = batch[-1]["title"]
        found = [hit.title for hit in search(archive.db.conn, f'"{title}"')]
        assert found[0] == title
        archive.db.execute(
            "INSERT INTO articles_search(articles_search) VALUES ('integrity-check')"
        )


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotAnArchive, match="is a directory"):
        check_archive(tmp_path)


def test_text_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not a database", encoding="utf-8")
    with pytest.raises(NotAnArchive, match="not a SQLite database"):
        Archive(path)
    assert path.read_text(encoding="utf-8") == "not a database"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(NewerSchema, match="upgrade Newsarchive"):
        Archive(path)


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE things (x)")
    conn.close()
    with pytest.raises(NotAnArchive, match="not a Newsarchive archive"):
        Archive(path)


def test_second_lock_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with crawl_lock(path), pytest.raises(ArchiveLocked), crawl_lock(path):
        pass
    with crawl_lock(path):
        pass


def test_record_carries_every_article_field() -> None:
    from crawler.items import Article

    record = records(1)[0]
    for field in dataclasses.fields(Article):
        assert field.name in record
    assert record["published_month"] == record["published_at"][:7]
    assert record["word_count"] == len(record["body_text"].split())


def test_unchanged_content_still_refreshes_what_the_page_derives(tmp_path: Path) -> None:
    [record] = records(1)
    with Archive(tmp_path / "a.db") as archive:
        archive.save_articles([record], SEEN)
        image = {
            "url": "https://sdelanounas.ru/i/a.jpg",
            "full_url": None,
            "credit": "ТАСС",
            "caption": None,
        }
        refreshed = {**record, "body_html": record["body_html"] + "<p>x</p>", "images": [image]}
        assert archive.save_articles([refreshed], SEEN).unchanged == 1
        html = archive.db.execute("SELECT body_html FROM articles").fetchone()[0]
        assert html.endswith("<p>x</p>")
        assert archive.db.execute("SELECT credit FROM images").fetchall() == [("ТАСС",)]
        assert archive.db.execute("SELECT count(*) FROM revisions").fetchone()[0] == 0


def test_reextraction_never_rolls_back_what_only_a_live_fetch_knows(tmp_path: Path) -> None:
    [record] = records(1)
    with Archive(tmp_path / "a.db") as archive:
        archive.save_articles([{**record, "comment_count": 40}], SEEN)
        older = {**record, "comment_count": 3, "title": "Новый заголовок"}
        older["content_hash"] = "changed"
        counts = archive.save_batch(Batch(articles=[older], reason="re-extraction"), SEEN)
        assert counts.updated == 1
        row = archive.db.execute("SELECT title, comment_count FROM articles").fetchone()
        assert row == ("Новый заголовок", 40)
        assert archive.db.execute("SELECT reason FROM revisions").fetchall() == [("re-extraction",)]


def test_read_commands_refuse_an_older_schema_in_one_line(tmp_path: Path) -> None:
    from tests.conftest import newsarchive

    path = tmp_path / "old.db"
    Archive(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 4")
    conn.close()
    for command in ("stats", "verify", "dump"):
        result = newsarchive(command, "--db", str(path))
        assert result.returncode == 1
        assert result.stderr.strip().splitlines() == [
            f"Error: {path} has schema version 4, older than this Newsarchive's "
            f"{LATEST_VERSION}; run `newsarchive crawl` on it once to upgrade it"
        ]


def tables_and_columns(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Every table, index and view of an archive with its columns (name and declared type)."""
    conn = sqlite3.connect(path)
    try:
        names = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        found = {
            name: [(row[1], row[2]) for row in conn.execute(f"PRAGMA table_info('{name}')")]
            for name in names
        }
        found["indexes"] = sorted(
            conn.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'"
                " AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
        )
        return found
    finally:
        conn.close()


@pytest.mark.parametrize("version", range(1, LATEST_VERSION))
def test_an_archive_migrated_from_any_version_has_the_tables_of_a_new_one(
    tmp_path: Path, version: int
) -> None:
    """Migrations are frozen history: run one by one from any earlier version, over an archive
    that holds articles (each migration's follow-up, such as a re-index, runs on them), they end
    at the schema a new archive gets, with the articles still there."""
    fresh, old = tmp_path / "fresh.db", tmp_path / "old.db"
    Archive(fresh).close()
    conn = sqlite3.connect(old)
    for script, then in MIGRATIONS[:version]:
        conn.executescript(script)
        if then is not None:
            then(conn)
    conn.execute(f"PRAGMA user_version = {version}")
    for record in records(2):  # as that version's own columns hold them
        columns = [row[1] for row in conn.execute("PRAGMA table_info(articles)")]
        row = {
            column: value if not isinstance(value, list | dict) else json.dumps(value)
            for column, value in record.items()
            if column in columns
        }
        row.update(first_seen_at=SEEN, last_seen_at=SEEN)
        conn.execute(
            f"INSERT INTO articles ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()),
        )
    conn.commit()
    conn.close()
    Archive(old).close()
    assert tables_and_columns(old) == tables_and_columns(fresh)
    with closing(sqlite3.connect(old)) as check:
        assert check.execute("SELECT count(*) FROM articles").fetchone() == (2,)


def test_the_article_schema_gives_the_archive_its_columns(tmp_path: Path) -> None:
    """One schema: a record's keys, the articles table's columns and Datasette's descriptions
    all come from `archive.article`."""
    Archive(tmp_path / "a.db").close()
    table = {name for name, _ in tables_and_columns(tmp_path / "a.db")["articles"]}
    assert table == set(ARTICLE_COLUMNS) | set(KEPT)
    assert set(build_metadata("a")["databases"]["a"]["tables"]["articles"]["columns"]) == table
    assert set(records(1)[0]) == set(ARTICLE_COLUMNS) | {"images", "removals"}
