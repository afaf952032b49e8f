"""What a journalist sees in Datasette: its pages, feeds and charts asked in this process; the
real `newsarchive serve` for downloads and for headless Chromium at 1280x800 (issue 16)."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode
from xml.etree import ElementTree as ET

import pytest

from archive.datasette.metadata import build_metadata
from tests.conftest import IN_PROCESS_URL, InProcess, in_process, newsarchive, serving, start_site
from tests.test_search import browser  # noqa: F401  (the shared headless Chromium)

ATOM = "{http://www.w3.org/2005/Atom}"
MALFORMED = ("завод AND", '"новый завод', "NOT")
SCREENSHOTS = Path("/tmp")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("pages")
    site = start_site(tmp_path, 40)
    db = tmp_path / "journal.db"
    try:
        assert newsarchive("crawl", "--base-url", site.url, "--db", str(db)).returncode == 0
    finally:
        site.server.shutdown()
        site.server.server_close()
    assert newsarchive("dump", "--db", str(db)).returncode == 0
    return db


@pytest.fixture(scope="module")
def server(archive: Path) -> Iterator[str]:
    """The real server: what a browser and a download reach; its base URL."""
    with serving(archive) as url:
        yield url


@pytest.fixture(scope="module")
def datasette(archive: Path) -> Iterator[InProcess]:
    """The served Datasette, in this process: for what its pages, feeds and charts say."""
    with in_process(archive) as answering:
        yield answering


def fetch(url: str) -> tuple[int, bytes, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read(), dict(error.headers)


def ask(datasette: InProcess, path: str) -> tuple[int, bytes, dict]:
    """What `fetch` says of the real server: status, body, headers."""
    response = datasette.get(path)
    return response.status_code, response.content, dict(response.headers)


def test_articles_table_shows_articles_on_the_first_screen(browser, server) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    url = server
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False},
    )
    browser.get(f"{url}/journal/articles")
    browser.save_screenshot(str(SCREENSHOTS / "issue16-articles-1280x800.png"))
    box = browser.find_element(By.CSS_SELECTOR, "form.na-search input[type=search]")
    assert box.is_displayed() and box.rect["y"] + box.rect["height"] <= 800
    visible = [
        row for row in browser.find_elements(By.CSS_SELECTOR, "table.na-articles tbody tr")
        if row.rect["y"] + row.rect["height"] <= 800
    ]  # fmt: skip
    assert len(visible) >= 5
    for row in visible:
        title, date, author = (
            row.find_element(By.CSS_SELECTOR, f"td.col-{name}").text
            for name in ("title", "published_at", "author")
        )
        assert title and author and re.search(r"\d{1,2} [а-я]+ \d{4}, \d\d:\d\d", date)
    texts = browser.execute_script(
        "return Array.from(document.querySelectorAll('body *')).map(e => e.textContent)"
    )
    assert not [text for text in texts if "<p>" in text or "</" in text]


def test_home_page_leads_to_search_charts_and_dumps(browser, server) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    url = server
    browser.get(url + "/")
    browser.save_screenshot(str(SCREENSHOTS / "issue16-home.png"))
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".na-start a")]
    for path in ("/-/search", "/-/charts", "/-/dumps", "/journal/crawl_runs"):
        assert f"{url}{path}" in links
    assert links.index(f"{url}/-/search") == 0


def test_every_canned_query_answers_without_parameters(
    datasette: InProcess, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    for name in build_metadata("journal")["databases"]["journal"]["queries"]:
        status, body, _ = ask(datasette, f"/journal/{name}")
        page = body.decode()
        assert status == 200, name
        assert "message-error" not in page and "fts5" not in page, name
    status, body, _ = ask(datasette, "/journal/company_timeline")
    assert "Частые теги / Common tags" in body.decode()
    assert 'href="/-/charts"' in ask(datasette, "/journal/mentions_per_month")[1].decode()
    printed = capfd.readouterr()  # what the server would have logged
    assert "ERROR" not in printed.out + printed.err
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_a_month_with_no_article_is_charted_as_zero(datasette: InProcess, archive: Path) -> None:
    conn = sqlite3.connect(archive)
    months = {m for (m,) in conn.execute("SELECT DISTINCT published_month FROM articles")}
    conn.close()
    charted = json.loads(ask(datasette, "/-/charts/months.json")[1])["rows"]
    zeros = [row["month"] for row in charted if row["articles"] == 0]
    assert zeros and not set(zeros) & months
    assert [row["month"] for row in charted] == sorted(row["month"] for row in charted)
    csv_text = ask(datasette, "/-/charts/months.csv")[1].decode()
    assert f"{zeros[0]},0" in csv_text.splitlines()


def test_every_dump_link_downloads_and_matches_its_checksum(server) -> None:
    url = server
    page = fetch(f"{url}/-/dumps")[1].decode()
    hrefs = re.findall(r'href="(/-/dumps/[^"]+)"', page)
    [listed] = re.findall(r'<code class="sha256">([0-9a-f]{64})</code>', page)
    dumps = [href for href in hrefs if href.endswith(".db") and "latest" not in href]
    assert dumps and any(href.endswith(".manifest.json") for href in hrefs)
    for href in hrefs:
        status, body, headers = fetch(url + href)
        assert status == 200, href
        assert int(headers["content-length"]) == len(body)
        if href.endswith(".db"):
            assert headers["content-type"] == "application/vnd.sqlite3"
            assert hashlib.sha256(body).hexdigest() == listed
    assert re.search(r"\d+(\.\d)? (KB|MB)", page)


@pytest.mark.parametrize("query", MALFORMED)
def test_a_malformed_query_is_explained_on_both_pages(datasette: InProcess, query: str) -> None:
    for path in (f"/-/search?q={quote(query)}", f"/journal/articles?_search={quote(query)}"):
        page = ask(datasette, path)[1].decode()
        assert ("na-problem" in page and "Попробуйте / Try" in page) or "нет ни одного" in page
        assert "fts5" not in page and "syntax error" not in page
    for path in (
        f"/-/search.json?q={quote(query)}",
        f"/journal/articles.json?_search={quote(query)}",
    ):
        status, body, _ = ask(datasette, path)
        said = json.loads(body)
        assert status == 400 and said["error"] and "fts5" not in said["error"]


def test_a_saved_search_is_an_atom_feed(datasette: InProcess, archive: Path) -> None:
    url = IN_PROCESS_URL  # where the feed's absolute links point
    status, body, headers = ask(datasette, f"/-/search.atom?{urlencode({'q': 'заводов'})}")
    assert status == 200 and headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(body)
    assert feed.tag == f"{ATOM}feed" and feed.find(f"{ATOM}updated") is not None
    entries = feed.findall(f"{ATOM}entry")
    dates = [entry.find(f"{ATOM}published").text for entry in entries]
    assert entries and dates == sorted(dates, reverse=True)
    conn = sqlite3.connect(archive)
    newest = conn.execute(
        "SELECT url FROM articles WHERE body_text LIKE '%завод%' ORDER BY published_at DESC"
    ).fetchone()[0]
    conn.close()
    first = entries[0]
    links = {link.get("rel"): link.get("href") for link in first.findall(f"{ATOM}link")}
    assert links["alternate"] == newest and links["related"].startswith(f"{url}/journal/articles/")
    assert b"<script" not in body and b"&lt;script" not in body
    assert all(entry.find(f"{ATOM}summary").get("type") == "html" for entry in entries)
    empty = ET.fromstring(ask(datasette, f"/-/search.atom?q={quote('квазипротуберанец')}")[1])
    assert empty.tag == f"{ATOM}feed" and not empty.findall(f"{ATOM}entry")
    assert "/-/search.atom?q=" in ask(datasette, f"/-/search?q={quote('завод')}")[1].decode()


def test_the_table_pages_search_is_the_ranked_search(datasette: InProcess) -> None:
    page = datasette.get("/journal/articles", _search="заводы")
    assert page.status_code == 200
    assert str(page.url).startswith(f"{IN_PROCESS_URL}/-/search?q=")
    text = page.text
    assert "Найдено" in text and "<mark>" in text
    api = json.loads(ask(datasette, f"/journal/articles.json?_search={quote('заводы')}")[1])
    assert api["rows"]  # the JSON API keeps answering as Datasette does


def test_charts_read_well_in_the_browser(browser, server) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    url = server
    browser.get(f"{url}/-/charts?term={quote('завод')}")
    browser.save_screenshot(str(SCREENSHOTS / "issue16-charts.png"))
    pictures = [img.get_attribute("src") for img in browser.find_elements(By.CSS_SELECTOR, "img")]
    assert len(pictures) == 3 and all(src.startswith(f"{url}/-/charts/") for src in pictures)
    links = [a.get_attribute("href") or "" for a in browser.find_elements(By.CSS_SELECTOR, "a")]
    assert sum(link.startswith(f"{url}/-/charts/") and ".csv" in link for link in links) == 3
    for picture in pictures:
        browser.get(picture)  # the SVG itself, as the browser lays it out
        outside = browser.execute_script(
            "const box = document.documentElement.getBoundingClientRect();"
            "return Array.from(document.querySelectorAll('text')).filter(t => {"
            "  const r = t.getBoundingClientRect();"
            "  return r.left < box.left - 1 || r.right > box.right + 1 ||"
            "         r.top < box.top - 1 || r.bottom > box.bottom + 1;"
            "}).map(t => t.textContent);"
        )
        assert outside == [], f"labels outside {picture}: {outside}"
        labels = browser.execute_script(
            "return Array.from(document.querySelectorAll('text')).map(t => t.textContent)"
        )
        axis = {int(label) for label in labels if label.strip().isdigit()}
        assert len(axis) >= 2 and 0 in axis, picture  # a scale from 0, not a lone label
