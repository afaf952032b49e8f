"""What `newsarchive serve` answers, on an archive that is not called archive.db: its Datasette
(`archive.serve.make_datasette`) asked in this process; the command's own errors by running it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import InProcess, in_process, newsarchive, start_site


@pytest.fixture(scope="module")
def other_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("served")
    site = start_site(tmp_path, 35)
    db = tmp_path / "other.db"
    crawl = newsarchive("crawl", "--base-url", site.url, "--db", str(db))
    site.server.shutdown()
    site.server.server_close()
    assert crawl.returncode == 0, crawl.stderr
    return db


@pytest.fixture(scope="module")
def served(other_db: Path) -> Iterator[InProcess]:
    with in_process(other_db) as datasette:
        yield datasette


def get_json(served: InProcess, path: str, **params: str) -> dict:
    answer: dict = json.loads(served.read(path, **params))
    return answer


def test_full_text_search_finds_the_seed_article(served: InProcess) -> None:
    found = get_json(served, "/other/articles.json", _search="Иннополис", _shape="objects")
    titles = [row["title"] for row in found["rows"]]
    assert titles == ["Инновационные города договорились о стратегическом партнерстве"]


def test_word_in_no_article_finds_nothing(served: InProcess) -> None:
    found = get_json(served, "/other/articles.json", _search="квазипротуберанец", _shape="objects")
    assert found["rows"] == []
    assert found["filtered_table_rows_count"] == 0


def test_metadata_facets_and_tag_labels(served: InProcess) -> None:
    articles = get_json(served, "/other/articles.json", _size="0")
    assert set(articles["facet_results"]) == {
        "site", "category", "author", "published_month", "extraction_method"
    }  # fmt: skip
    assert articles["suggested_facets"] == []
    tags = get_json(served, "/other/article_tags.json", _size="0")
    labels = [facet["label"] for facet in tags["facet_results"]["tag_id"]["results"]]
    assert "Иннополис" in labels


def test_canned_query_filters_articles_by_tag(served: InProcess) -> None:
    found = get_json(served, "/other/articles_with_tag.json", tag="Технополис GS", _shape="objects")
    assert [row["title"] for row in found["rows"]] == [
        "Инновационные города договорились о стратегическом партнерстве"
    ]


def test_audit_tables_answer_what_was_removed_and_what_failed(served: InProcess) -> None:
    removals = get_json(served, "/other/removals.json", _size="0")
    rules = {facet["value"] for facet in removals["facet_results"]["rule"]["results"]}
    assert {"telegram-prompt", "comment-form", "slogan", "logo-text"} <= rules
    failed = get_json(served, "/other/failed_pages.json", _shape="objects")
    assert failed["rows"] == []


def test_archivist_queries_answer(served: InProcess) -> None:
    runs = get_json(served, "/other/archived_per_run.json", _shape="objects")
    assert [(row["mode"], row["status"], row["articles_new"]) for row in runs["rows"]] == [
        ("incremental", "finished", 35)
    ]
    edited = get_json(served, "/other/edited_after_publication.json", _shape="objects")
    assert edited["rows"] == []


WRITES = (
    "insert into tags (name) values ('x')",
    "update articles set title = 'x'",
    "delete from articles",
    "drop table articles",
    "with doomed as (select pk from articles) delete from articles",
    "attach database 'elsewhere.db' as elsewhere",
    "pragma user_version = 99",
    "vacuum",
)


def file_hashes(db: Path) -> list[str]:
    """SHA-256 of the database and of its -wal file, where a write in WAL mode lands first."""
    files = (db, db.with_name(f"{db.name}-wal"))
    return [hashlib.sha256(path.read_bytes()).hexdigest() for path in files if path.exists()]


def test_nothing_can_write_through_the_server(served: InProcess, other_db: Path) -> None:
    before = file_hashes(other_db)
    for sql in WRITES:
        answer = get_json_or_error(served, "/other.json", sql=sql)
        assert answer["ok"] is False, sql
    for path in ("/other/tags/-/insert", "/other/articles/-/drop", "/other"):
        refused = served.post(path, b'{"row": {"name": "x"}}')
        assert refused.status_code in (403, 404, 405), path
    assert get_json(served, "/other.json", sql="select count(*) as n from tags")["rows"]
    assert file_hashes(other_db) == before


def test_a_runaway_query_is_stopped_at_the_time_limit(served: InProcess) -> None:
    endless = "with recursive n(i) as (select 1 union all select i + 1 from n) select max(i) from n"
    answer = get_json_or_error(served, "/other.json", sql=endless)
    assert answer["ok"] is False
    assert "SQL query took too long" in answer["error"]


def get_json_or_error(served: InProcess, path: str, **params: str) -> dict:
    """The JSON Datasette answers, whether with 200 or with an error status."""
    answer: dict = served.get(path, **params).json()
    return answer
