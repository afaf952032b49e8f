"""Journalists' search and researchers' dumps: what the served Datasette answers, asked in this
process; downloads from a real `newsarchive serve`, and a real headless Chromium on it."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from archive.datasette.plugins.newsarchive import PAGE_SIZE
from tests.conftest import NEWSARCHIVE, InProcess, in_process, newsarchive, serving, start_site

XSS_TITLE = "<script>window.__xss = 'title'</script>Заводской праздник"
XSS_BODY = (
    "<p>Праздник на заводе прошёл весело.</p><script>window.__xss = 'script'</script>"
    "<p><img src=x onerror=\"window.__xss = 'img'\">Фото праздника.</p>"
    "<svg onload=\"window.__xss = 'svg'\"></svg>"
    "<p><a href=\"javascript:window.__xss = 'link'\">Ссылка</a> на программу.</p>"
    '<p><a href="javascript:window.__xss = \'image link\'"><img src="/i/a/b/c/abc.jpg"></a></p>'
)
# (query, the form the seed article's text has): Snowball stems both alike.
WORD_FORMS = [
    ("Иннополису", "Иннополис"), ("кластерами", "кластера"), ("соглашениям", "соглашение"),
    ("сотрудничеством", "сотрудничестве"), ("инфраструктурой", "инфраструктуру"),
    ("университету", "Университет"), ("кампусы", "кампуса"),
    ("микроэлектроника", "микроэлектроники"),
    ("электроникой", "электроники"), ("мэру", "мэр"), ("администрацией", "администрация"),
    ("округе", "округа"), ("студент", "студентов"), ("стажировка", "стажировки"),
    ("практике", "практику"), ("экскурсия", "экскурсии"), ("парки", "парком"),
    ("территория", "территории"), ("делегаций", "делегации"), ("экосистема", "экосистемы"),
    ("бакалавриат", "бакалавриата"), ("магистратурой", "магистратуры"), ("церемонией", "церемонии"),
]  # fmt: skip


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    """An archive of 40 simulated articles, one of them hostile; (path, seed article id)."""
    tmp_path = tmp_path_factory.mktemp("search")
    site = start_site(tmp_path, 40)
    hostile = min(site.corpus.ids) + 1
    site.corpus.edit(hostile, title=XSS_TITLE, raw=XSS_BODY)
    db = tmp_path / "press.db"
    try:
        result = newsarchive("crawl", "--base-url", site.url, "--db", str(db))
        assert result.returncode == 0, result.stderr
    finally:
        site.server.shutdown()
        site.server.server_close()
    yield db, site.corpus.seed_id


@pytest.fixture(scope="module")
def served(archive: tuple[Path, int]) -> Iterator[str]:
    """The real server with a dump to download: what a browser and a researcher reach."""
    db, _ = archive
    dumped = newsarchive("dump", "--db", str(db))
    assert dumped.returncode == 0, dumped.stderr
    with serving(db) as url:
        yield url


@pytest.fixture(scope="module")
def datasette(archive: tuple[Path, int]) -> Iterator[InProcess]:
    """The served Datasette, in this process: for what its pages and JSON say."""
    with in_process(archive[0]) as answering:
        yield answering


def get(url: str, path: str, **params: str) -> bytes:
    with urllib.request.urlopen(f"{url}{path}?{urlencode(params)}", timeout=10) as response:
        return response.read()


def table_search(datasette: InProcess, query: str) -> list[str]:
    found = json.loads(
        datasette.read("/press/articles.json", _search=query, _shape="objects", _col="native_id")
    )
    return [row["native_id"] for row in found["rows"]]


def page_search(datasette: InProcess, query: str, page: int = 1) -> dict:
    return json.loads(datasette.read("/-/search.json", q=query, page=str(page)))


def all_pages(datasette: InProcess, query: str) -> list[dict]:
    rows, page = [], 1
    while found := page_search(datasette, query, page)["rows"]:
        rows += found
        page += 1
    return rows


@pytest.mark.parametrize(("query", "form"), WORD_FORMS, ids=[q for q, _ in WORD_FORMS])
def test_word_forms_find_the_article_in_both_searches(
    datasette: InProcess, archive: tuple[Path, int], query: str, form: str
) -> None:
    db, seed = archive
    conn = sqlite3.connect(db)
    text = conn.execute(
        "SELECT title || ' ' || body_text FROM articles WHERE native_id = ?", [str(seed)]
    ).fetchone()[0]
    conn.close()
    words = set(re.findall(r"\w+", text.lower()))
    assert form.lower() in words and query.lower() not in words  # it has the other form only
    assert str(seed) in table_search(datasette, query)
    titles = [row["title"] for row in all_pages(datasette, query)]
    assert any(title.startswith("Инновационные города") for title in titles)


def test_unrelated_word_finds_nothing_on_either(datasette: InProcess) -> None:
    assert table_search(datasette, "квазипротуберанец") == []
    assert page_search(datasette, "квазипротуберанец")["rows"] == []


def test_ranking_puts_the_title_match_first_and_snippets_are_readable(
    datasette: InProcess,
) -> None:
    found = page_search(datasette, "Казани")
    titles = [row["title"] for row in found["rows"]]
    assert titles and "Казани" in titles[0]
    assert any("Казани" not in title for title in titles)  # body-only matches come after
    for row in found["rows"]:  # a passage of the body, never the title again
        assert row["snippet"] and row["title"] not in row["snippet"]
        if "Казани" not in row["title"]:
            assert "<mark>" in row["snippet"]
    assert found["total"] == len(titles)


def test_pages_cover_every_match_once_title_matches_first(datasette: InProcess) -> None:
    query = "в"  # in every synthetic title («В Казани …») and in most bodies
    rows = all_pages(datasette, query)
    total = page_search(datasette, query)["total"]
    assert total > PAGE_SIZE and len(rows) == total
    assert len({row["pk"] for row in rows}) == total
    in_title = [bool(re.search(r"(?i)\bв\b", row["title"])) for row in rows]
    assert any(in_title) and not all(in_title)
    assert in_title == sorted(in_title, reverse=True)  # every title match before the others


def test_a_malformed_query_is_a_clear_400(datasette: InProcess) -> None:
    for query, suggestion in (("(завод", "(завод)"), ("NOT завод", "завод"), ("завод OR", "завод")):
        answer = datasette.get("/-/search.json", q=query)
        assert answer.status_code == 400
        said = answer.json()
        assert "fts5" not in said["error"] and said["suggestion"] == suggestion


def test_phrases_prefixes_and_booleans(datasette: InProcess) -> None:
    phrase = page_search(datasette, '"новые заводы"')["total"]
    words = page_search(datasette, "новые заводы")["total"]
    assert 0 < phrase <= words
    assert page_search(datasette, "иннопол*")["total"] >= 1
    assert (
        page_search(datasette, "заводы*")["total"] == page_search(datasette, "завод")["total"] > 0
    )
    both = page_search(datasette, "Иннополис AND Гусев")["total"]
    neither = page_search(datasette, "Иннополис NOT Гусев")["total"]
    assert (both, neither) == (1, 0)


def test_dump_downloads_whole_and_matches_its_manifest(served: str, tmp_path: Path) -> None:
    listing = json.loads(get(served, "/-/dumps.json"))
    assert listing["latest"] == "/-/dumps/latest.db"
    manifest = listing["dumps"][0]["manifest"]
    downloaded = tmp_path / "latest.db"
    downloaded.write_bytes(get(served, "/-/dumps/latest.db"))
    assert hashlib.sha256(downloaded.read_bytes()).hexdigest() == manifest["sha256"]
    conn = sqlite3.connect(downloaded)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == manifest["articles"]
    conn.close()
    sqlite = shutil.which("sqlite3")
    if sqlite:  # a stock SQLite, with nothing of ours loaded, searches the dump by stems
        out = subprocess.run(
            [sqlite, str(downloaded), "SELECT count(*) FROM articles_search"
             " WHERE articles_search MATCH 'иннополис'"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert out.stdout.strip() == "1"


def test_dump_taken_during_a_crawl_is_consistent(tmp_path: Path) -> None:
    site = start_site(tmp_path, 80, delay=0.05)
    db = tmp_path / "live.db"
    crawl = subprocess.Popen(
        [str(NEWSARCHIVE), "crawl", "--base-url", site.url, "--db", str(db),
         "--setting", "NEWSARCHIVE_BATCH_SIZE=5", "--setting", "CONCURRENT_REQUESTS_PER_DOMAIN=2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while (
            not db.exists()
            or sqlite3.connect(db)
            .execute("SELECT count(*) FROM sqlite_master WHERE name = 'articles'")
            .fetchone()[0]
            == 0
            or _count(db) < 10
        ):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        dumped = newsarchive("dump", "--db", str(db), "--out", str(tmp_path / "dumps"))
        assert dumped.returncode == 0, dumped.stderr
        assert crawl.poll() is None, "the crawl ended before the dump; slow the simulator down"
    finally:
        crawl.wait(timeout=60)
        site.server.shutdown()
        site.server.server_close()
    [dump] = (tmp_path / "dumps").glob("*.db")
    manifest = json.loads(dump.with_suffix(".manifest.json").read_text(encoding="utf-8"))
    conn = sqlite3.connect(dump)
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert 10 <= articles < 80 and articles == manifest["articles"]
    assert conn.execute("SELECT count(*) FROM articles_search").fetchone()[0] == articles
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.execute("INSERT INTO articles_search(articles_search) VALUES ('integrity-check')")


def _count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        conn.close()


CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not binary or not driver_path:
        pytest.fail("headless Chromium is missing: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    yield driver
    driver.quit()


def requested_urls(driver: object) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):  # type: ignore[attr-defined]
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_a_journalist_searches_in_russian_and_reads_the_article(
    browser: object, served: str
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(f"{served}/-/search?q={quote('Иннополисе')}")  # type: ignore[attr-defined]
    results = driver.find_elements(By.CSS_SELECTOR, "li.result")  # type: ignore[attr-defined]
    assert len(results) == 1
    snippet = results[0].find_element(By.CSS_SELECTOR, ".snippet")
    assert snippet.find_elements(By.TAG_NAME, "mark")
    results[0].find_element(By.CSS_SELECTOR, "a.title").click()
    page = driver.find_element(By.TAG_NAME, "body").text  # type: ignore[attr-defined]
    assert "Инновационные города договорились" in page
    assert "мемориальным парком на территории кластера" in page
    urls = [url for url in requested_urls(driver) if not url.startswith("data:")]  # inline
    assert urls and all(url.startswith(served) for url in urls), [
        u for u in urls if not u.startswith(served)
    ]


def test_a_hostile_article_runs_no_script(browser: object, served: str) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(f"{served}/-/search?q={quote('праздник')}")  # type: ignore[attr-defined]
    link = driver.find_element(By.CSS_SELECTOR, "li.result a.title")  # type: ignore[attr-defined]
    assert "<script>" in link.text  # shown as text, never run
    link.click()
    for path in ("", f"/press/articles?_search={quote('праздник')}"):
        if path:
            driver.get(served + path)  # type: ignore[attr-defined]
        assert driver.execute_script("return window.__xss === undefined")  # type: ignore[attr-defined]
        shown = driver.find_element(By.TAG_NAME, "body").text  # type: ignore[attr-defined]
        # The article page has the body; the table an excerpt and the title, shown as text.
        assert ("Праздник на заводе" if not path else "</script>Заводской праздник") in shown


def test_article_page_reads_like_an_article(
    datasette: InProcess, archive: tuple[Path, int]
) -> None:
    db, seed = archive
    conn = sqlite3.connect(db)
    pk, tags = conn.execute(
        "SELECT pk, tags FROM articles WHERE native_id = ?", [str(seed)]
    ).fetchone()
    hostile = conn.execute("SELECT pk FROM articles WHERE title LIKE '<script>%'").fetchone()[0]
    conn.close()
    page = datasette.read(f"/press/articles/{pk}").decode()
    article = page.split('<article class="newsarchive-article"', 1)[1].split("</article>", 1)[0]
    assert "<h1>Инновационные города договорились" in article
    assert "2017-11-23T14:05:00+03:00" in article and "GS Group" in article
    for tag in json.loads(tags):
        assert f"articles_with_tag?tag={quote(tag)}" in article
    assert "<p>«Подготовка специалистов" in article  # the sanitised body, as HTML
    assert "Оригинал / Original page" in article and "Редакции / Revisions (0)" in article
    hostile_page = datasette.read(f"/press/articles/{hostile}").decode()
    body = hostile_page.split('<div class="body">', 1)[1].split("</div>", 1)[0]
    for dangerous in ("<script", "onerror", "onload", "javascript:", "<svg", "<img"):
        assert dangerous not in body
    assert "javascript:" not in hostile_page.split('<article class="newsarchive-article"')[1]
    assert "&lt;script&gt;window.__xss" in hostile_page  # the title, escaped


def test_canned_queries_and_charts(datasette: InProcess, archive: tuple[Path, int]) -> None:
    conn = sqlite3.connect(archive[0])
    all_months = conn.execute("SELECT DISTINCT published_month FROM articles").fetchall()
    conn.close()
    mentions = json.loads(
        datasette.read("/press/mentions_per_month.json", term="заводы", _shape="objects")
    )
    months = {row["month"]: row["articles"] for row in mentions["rows"]}
    assert months and sum(months.values()) == page_search(datasette, "заводы")["total"]
    timeline = json.loads(
        datasette.read("/press/company_timeline.json", tag="Иннополис", _shape="objects")
    )
    assert [row["title"][:27] for row in timeline["rows"]] == ["Инновационные города догово"]
    for kind, params in (("term", {"term": "заводы"}), ("months", {}), ("runs", {})):
        chart = datasette.get(f"/-/charts/{kind}.svg", **params)
        assert chart.status_code == 200
        assert chart.headers["Content-Type"].startswith("image/svg+xml")
        svg = chart.text
        expected = {"term": len(months), "months": len(all_months), "runs": 1}[kind]
        assert svg.count("<rect") >= expected > 0
    assert '<img src="/-/charts/months.svg"' in datasette.read("/-/charts").decode()
