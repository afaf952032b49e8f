"""One archive, many sites: search in each article's language, dumps of one site, stats and
Datasette's facets and filters by site, on archives written through the store."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import Stemmer

from archive.datasette.feed import SITE_SCHEME
from archive.dump import latest_dump
from archive.runs import finish_run, start_run
from archive.schema import LATEST_VERSION, MIGRATIONS
from archive.search import Filters, count, search
from archive.store import Archive, Batch
from crawler.items import Article, Image
from crawler.normalise import to_record
from tests.conftest import InProcess, in_process, newsarchive

ATOM = "{http://www.w3.org/2005/Atom}"
SEEN = "2024-06-02T00:00:00+00:00"


def article(
    site: str, native_id: str, title: str, body: str, language: str | None, published: str,
    tags: tuple[str, ...] = (),
) -> dict:  # fmt: skip
    return to_record(
        Article(
            site=site, native_id=native_id, url=f"https://{site}/news/{native_id}", title=title,
            body_text=body, body_html=f"<p>{body}</p>", published_at=published,
            language=language, tags=list(tags),
            images=[Image(url=f"https://{site}/i/{native_id}.jpg", credit="Photo: staff")],
        )
    )  # fmt: skip


FACTORY = article(
    "example.com", "1", "A factory for turbines",
    "The new plant opens next week. Siemens builds the factory near the river.",
    "en", "2024-05-02T09:00:00+00:00", ("Siemens", "energy"),
)  # fmt: skip
GARDEN = article(
    "example.com", "2", "Spring in the gardens",
    "Gardeners moved their seedlings outdoors as the nights grew warmer.",
    "en", "2024-04-20T09:00:00+00:00", ("gardens",),
)  # fmt: skip
ZAVODY = article(
    "sdelanounas", "105125", "В Казани открылись новые заводы",
    "На заводе Siemens собирают турбины; ещё два завода строятся.",
    "ru", "2024-05-01T12:00:00+03:00", ("Сименс",),
)  # fmt: skip
# Archived before the extractor read languages: its language is unknown.
NO_LANGUAGE = article(
    "sdelanounas", "9001", "Старые цеха",
    "Цеха бывшего завода стали технопарком.",
    None, "2010-07-15T10:00:00+04:00",
)  # fmt: skip
LOCAL = article(
    "127.0.0.1:8801", "a", "Local council meets",
    "The council discussed the budget of the harbour.",
    "en", "2024-03-01T08:00:00+00:00",
)  # fmt: skip
RUNS = {  # site: its runs' statuses, oldest first, and the articles its last run archived
    "sdelanounas": (("finished", "finished"), [ZAVODY, NO_LANGUAGE]),
    "example.com": (("finished",), [FACTORY, GARDEN]),
    "127.0.0.1:8801": (("drift",), [LOCAL]),
    "news.example.org": (("refused",), []),  # a site whose one run archived nothing
}


def build(path: Path) -> Path:
    """A mixed archive: articles, runs and a failed page of every site, written as a crawl does."""
    with Archive(path) as archive:
        for number, (site, (statuses, records)) in enumerate(RUNS.items()):
            for run, status in enumerate(statuses):
                state = start_run(archive.db, site, "incremental", {"run": run}, SEEN)
                failure = {"url": f"https://{site}/broken/{run}", "site": site, "reason": "no body"}
                batch = Batch(articles=records, failures=[failure], run_id=state.id)
                archive.save_batch(batch, f"2024-06-0{number + 2}T00:00:00+00:00")
                finish_run(archive.db, state.id, status, 0 if status == "finished" else 3, SEEN)
    return path


def titles(db: Path, query: str, site: str = "") -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {hit.title for hit in search(conn, query, filters=Filters(site=site))}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("sites") / "mixed.db")


def test_english_articles_are_found_by_their_word_forms(mixed: Path) -> None:
    assert titles(mixed, "factories") == {FACTORY["title"]}
    assert titles(mixed, "plants") == {FACTORY["title"]}
    assert titles(mixed, "gardener") == {GARDEN["title"]}
    assert titles(mixed, '"builds the factories"') == {FACTORY["title"]}
    assert titles(mixed, "seedling*") == {GARDEN["title"]}


def test_russian_articles_are_found_as_before_with_or_without_a_language(mixed: Path) -> None:
    assert titles(mixed, "завод") == {ZAVODY["title"], NO_LANGUAGE["title"]}
    assert titles(mixed, "заводами") == {ZAVODY["title"], NO_LANGUAGE["title"]}
    assert titles(mixed, "технопарк") == {NO_LANGUAGE["title"]}
    assert titles(mixed, "завод NOT турбины") == {NO_LANGUAGE["title"]}


def test_one_query_finds_articles_of_both_languages(mixed: Path) -> None:
    # English stems "Siemens" to "siemen"; Russian leaves a Latin word as it is.
    assert titles(mixed, "Siemens") == {FACTORY["title"], ZAVODY["title"]}
    assert titles(mixed, "(turbines OR заводы) AND Siemens") == {FACTORY["title"], ZAVODY["title"]}
    assert titles(mixed, "Siemens", site="sdelanounas") == {ZAVODY["title"]}


def test_snippets_mark_the_word_forms_of_each_language(mixed: Path) -> None:
    conn = sqlite3.connect(mixed)
    try:
        [english] = search(conn, "factories plants")
        [russian] = search(conn, "заводы", filters=None, limit=1)
    finally:
        conn.close()
    assert "<mark>plant</mark>" in english.snippet and "<mark>factory</mark>" in english.snippet
    assert english.site == "example.com" and english.language == "en"
    assert "<mark>заводе</mark>" in russian.snippet and "<mark>завода</mark>" in russian.snippet


def previous_version(path: Path, records: list[dict]) -> Path:
    """An archive as the previous Newsarchive left it: schema version 8, every article's words
    stemmed as Russian whatever its language."""
    conn = sqlite3.connect(path)
    for script, then in MIGRATIONS[:8]:
        conn.executescript(script)
        if then is not None:
            then(conn)
    conn.execute("PRAGMA user_version = 8")
    russian = Stemmer.Stemmer("russian")
    columns = (
        "id", "site", "native_id", "url", "title", "lead", "body_text", "body_html", "word_count",
        "image_count", "content_hash", "extractor_version", "language",
    )  # fmt: skip
    for pk, record in enumerate(records, start=1):
        conn.execute(
            f"INSERT INTO articles (pk, {', '.join(columns)}, first_seen_at, last_seen_at)"
            f" VALUES (?, {', '.join('?' * len(columns))}, ?, ?)",
            [pk, *(record[column] for column in columns), SEEN, SEEN],
        )
        text = (record["title"], record["lead"], record["body_text"])
        stems = [
            " ".join(russian.stemWords(re.findall(r"\w+", (part or "").lower().replace("ё", "е"))))
            for part in text
        ]
        conn.execute("INSERT INTO articles_search (rowid, title, lead, body) VALUES (?, ?, ?, ?)",
                     [pk, *stems])  # fmt: skip
    conn.commit()
    conn.close()
    return path


def test_an_archive_of_the_previous_version_is_indexed_again(tmp_path: Path) -> None:
    db = previous_version(tmp_path / "old.db", [FACTORY, ZAVODY])
    assert titles(db, "factories") == set()  # the old index knows no English word forms
    with Archive(db) as archive:
        conn = archive.db.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        assert titles(db, "factories") == {FACTORY["title"]}
        assert titles(db, "заводы") == {ZAVODY["title"]}
        raw = "SELECT count(*) FROM articles_search WHERE articles_search MATCH ?"
        assert conn.execute(raw, ["factory"]).fetchone()[0] == 0  # no Russian-era token left
        edited = {**FACTORY, "body_text": "The orchard replaced the old mill.",
                  "content_hash": "edited"}  # fmt: skip
        assert archive.save_articles([edited], SEEN).updated == 1
        assert count(conn, "rivers") == 0 and count(conn, "orchards") == 1
        assert count(conn, "turbine") == 1  # still in the title
        conn.execute("INSERT INTO articles_search (articles_search) VALUES ('integrity-check')")


def test_a_new_language_of_the_same_text_is_indexed_again(tmp_path: Path) -> None:
    unknown = {**FACTORY, "language": None}
    with Archive(tmp_path / "a.db") as archive:
        archive.save_articles([unknown], SEEN)
        assert count(archive.db.conn, "plants") == 0  # unknown Latin text is kept unstemmed
        assert archive.save_articles([FACTORY], SEEN).unchanged == 1
        assert count(archive.db.conn, "plants") == 1
        assert archive.save_articles([unknown], SEEN).unchanged == 1
        assert count(archive.db.conn, "plants") == 0 and count(archive.db.conn, "plant") == 1


def table_of(conn: sqlite3.Connection, sql: str) -> set:
    return {row[0] for row in conn.execute(sql)}


def test_a_dump_of_one_site_holds_that_site_alone(tmp_path: Path) -> None:
    db = build(tmp_path / "mixed.db")
    result = newsarchive("dump", "--db", str(db), "--site", "example.com")
    assert result.returncode == 0, result.stderr
    assert "2 articles of example.com" in result.stdout
    [dump] = (tmp_path / "mixed-dumps").glob("*.db")
    assert re.fullmatch(r"mixed-example\.com-\d{4}-\d\d-\d\dT\d{6}Z\.db", dump.name)
    manifest = json.loads(dump.with_suffix(".manifest.json").read_text(encoding="utf-8"))
    assert (manifest["site"], manifest["articles"]) == ("example.com", 2)
    conn = sqlite3.connect(dump)  # the standard library's SQLite: nothing of ours loaded
    try:
        for table in ("articles", "crawl_runs", "failed_pages"):
            assert table_of(conn, f"SELECT site FROM {table}") == {"example.com"}
        pks = table_of(conn, "SELECT pk FROM articles")
        for table in ("images", "article_tags"):
            assert table_of(conn, f"SELECT article_pk FROM {table}") == pks
        assert table_of(conn, "SELECT name FROM tags") == {"Siemens", "energy", "gardens"}
        match = "SELECT a.title FROM articles_search s JOIN articles a ON a.pk = s.rowid"
        assert table_of(conn, f"{match} WHERE articles_search MATCH 'factori'") == {
            FACTORY["title"]
        }
        assert table_of(conn, f"{match} WHERE articles_search MATCH 'завод'") == set()
        conn.execute("INSERT INTO articles_search (articles_search) VALUES ('integrity-check')")
    finally:
        conn.close()
    if sqlite := shutil.which("sqlite3"):
        found = subprocess.run(
            [sqlite, str(dump), "SELECT count(*) FROM articles_search"
             " WHERE articles_search MATCH 'plant'"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert found.stdout.strip() == "1"


def test_a_site_dump_is_named_safely_and_the_latest_dump_is_of_every_site(tmp_path: Path) -> None:
    db = build(tmp_path / "mixed.db")
    assert newsarchive("dump", "--db", str(db)).returncode == 0
    local = newsarchive("dump", "--db", str(db), "--site", "127.0.0.1:8801")
    assert local.returncode == 0, local.stderr
    dumps = tmp_path / "mixed-dumps"
    [whole] = [dump for dump in dumps.glob("*.db") if "8801" not in dump.name]
    [site] = [dump for dump in dumps.glob("*.db") if dump != whole]
    assert site.name.startswith("mixed-127.0.0.1-8801-")
    assert latest_dump(dumps) == whole


def test_a_dump_of_an_unknown_site_names_the_sites_there_are(tmp_path: Path) -> None:
    db = build(tmp_path / "mixed.db")
    result = newsarchive("dump", "--db", str(db), "--site", "nosuch.example")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: {db} holds no site 'nosuch.example'; it holds 127.0.0.1:8801, example.com,"
        " news.example.org, sdelanounas"
    ]
    assert not (tmp_path / "mixed-dumps").exists()


def test_stats_lists_every_site_with_its_articles_and_last_run(mixed: Path) -> None:
    result = newsarchive("stats", "--db", str(mixed))
    assert result.returncode == 0, result.stderr
    sites, runs = result.stdout.split("\n\n")
    header, *rows = sites.splitlines()
    assert header.split() == ["site", "articles", "newest", "published", "last", "run",
                              "started", "(UTC)", "status"]  # fmt: skip
    by_site = {row.split()[0]: row.split()[1:] for row in rows}
    assert by_site == {
        "127.0.0.1:8801": ["1", LOCAL["published_at"], "#4", SEEN, "drift"],
        "example.com": ["2", FACTORY["published_at"], "#3", SEEN, "finished"],
        "news.example.org": ["0", "#5", SEEN, "refused"],
        "sdelanounas": ["2", ZAVODY["published_at"], "#2", SEEN, "finished"],
    }
    assert runs.splitlines()[0].split()[:3] == ["run", "site", "mode"]
    assert runs.splitlines()[1].split()[:2] == ["5", "news.example.org"]


@pytest.fixture(scope="module")
def served(mixed: Path) -> Iterator[InProcess]:
    """The served Datasette, in this process."""
    with in_process(mixed) as datasette:
        yield datasette


def test_the_articles_table_offers_a_site_facet(served: InProcess) -> None:
    found = json.loads(served.read("/mixed/articles.json", _shape="objects"))
    facet = {item["value"]: item["count"] for item in found["facet_results"]["site"]["results"]}
    assert facet == {"sdelanounas": 2, "example.com": 2, "127.0.0.1:8801": 1}
    page = served.read("/mixed/articles").decode()
    assert 'class="na-facet facet-site"' in page and "Сайт / Site" in page


def test_table_search_stems_in_every_language(served: InProcess) -> None:
    found = json.loads(served.read("/mixed/articles.json", _search="factories", _shape="objects"))
    assert [row["title"] for row in found["rows"]] == [FACTORY["title"]]
    found = json.loads(served.read("/mixed/articles.json", _search="заводы", _shape="objects"))
    assert {row["title"] for row in found["rows"]} == {ZAVODY["title"], NO_LANGUAGE["title"]}


def test_the_search_page_narrows_to_a_site_and_shows_it(served: InProcess) -> None:
    both = json.loads(served.read("/-/search.json", q="Siemens"))
    assert {(row["site"], row["title"]) for row in both["rows"]} == {
        ("example.com", FACTORY["title"]), ("sdelanounas", ZAVODY["title"])
    }  # fmt: skip
    one = json.loads(served.read("/-/search.json", q="Siemens", site="sdelanounas"))
    assert (one["total"], [row["site"] for row in one["rows"]]) == (1, ["sdelanounas"])
    page = served.read("/-/search", q="Siemens", site="example.com").decode()
    assert '<span class="site">example.com</span>' in page
    assert FACTORY["title"] in page and ZAVODY["title"] not in page


def test_the_search_feed_narrows_to_a_site_and_names_it(served: InProcess) -> None:
    feed = ET.fromstring(served.read("/-/search.atom", q="Siemens", site="example.com"))
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [FACTORY["title"]]
    sites = [c.get("term") for c in entries[0].findall(f"{ATOM}category")
             if c.get("scheme") == SITE_SCHEME]  # fmt: skip
    assert sites == ["example.com"]
    assert "example.com" in (feed.findtext(f"{ATOM}title") or "")
    everywhere = ET.fromstring(served.read("/-/search.atom", q="Siemens"))
    assert len(everywhere.findall(f"{ATOM}entry")) == 2
