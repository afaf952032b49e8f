"""Any news site by its address: real crawls of the simulated sites of `tests.newssim`.

Each kind of site is crawled twice with `newsarchive crawl URL`: the first run must archive
every article once, with its fields, and no page that is no article; the rerun, after the site
published two articles and edited one, must ask only robots.txt, what lists pages (sitemaps
whose lastmod moved, feeds, or the links walk's top pages) and the new or changed articles.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.settings import USER_AGENT
from tests.conftest import in_process, newsarchive, rows, start_site
from tests.newssim import NewsSite, RunningNewsSite, start_news_site
from tests.newssim.replies import Reply

ARTICLE_COLUMNS = "url, title, published_at, author, body_text, language, id, field_sources"


def crawl(target: str, db: Path, *options: str) -> str:
    """Run `newsarchive crawl` and return its summary line; fail with its stderr."""
    done = newsarchive("crawl", target, "--db", str(db), *options, timeout=180)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def served_site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningNewsSite]:
    kind, articles = request.param
    running = start_news_site(tmp_path, NewsSite(kind=kind, articles=articles, seed=3))
    yield running
    running.stop()


def archived(db: Path) -> dict[str, dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return {
            row["url"]: dict(row) for row in conn.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles")
        }
    finally:
        conn.close()


def article_paths(running: RunningNewsSite, since: int = 0) -> list[str]:
    """The article pages asked since the `since`-th request."""
    wanted = set(running.site.article_paths())
    return [path for path in running.paths()[since:] if urlsplit(path).path in wanted]


def check_archive_matches(running: RunningNewsSite, db: Path) -> None:
    """Every article once, with its fields; nothing else."""
    expected = {article.url: article for article in running.site.expected_articles()}
    found = archived(db)
    assert set(found) == set(expected)
    for url, article in expected.items():
        row = found[url]
        assert row["title"] == article.title
        if article.page_date:
            assert row["published_at"] == article.published_at
        else:  # the same moment, with the offset the sitemap or feed gave
            moment = datetime.fromisoformat(row["published_at"])
            assert moment == datetime.fromisoformat(article.published_at)
        if article.author:
            assert row["author"] == article.author
        assert article.sentence in row["body_text"]
        assert row["language"] == article.language
        sources = json.loads(row["field_sources"])
        if not article.page_date:
            assert sources["published_at"] in ("sitemap", "news sitemap", "feed")
    non_articles = {urlsplit(url).path for url in found} & set(running.site.non_article_paths())
    assert not non_articles


@pytest.mark.parametrize(
    "served_site",
    [("wordpress", 16), ("atom", 10), ("links", 14), ("canonical", 10)],
    indirect=True,
    ids=["wordpress", "atom", "links", "canonical"],
)
def test_a_site_is_archived_by_its_address_and_a_rerun_asks_only_what_changed(
    served_site: RunningNewsSite, tmp_path: Path
) -> None:
    running, site, db = served_site, served_site.site, tmp_path / "archive.db"
    crawl(f"{running.url}/", db)
    check_archive_matches(running, db)
    first = running.paths()
    assert len(article_paths(running)) == len(site.article_paths())  # each article once
    assert {line.split(" ", 4)[4] for line in running.requests()} == {USER_AGENT}
    kept_out = rows(db, "SELECT count(*) FROM judged_pages WHERE not_article IS NOT NULL")[0][0]
    if site.kind in ("wordpress", "links"):
        assert kept_out > 0  # their sitemaps or links lead to pages that are no article

    edited = site.expected_articles()[-1].url
    added = site.add_articles(2)
    site.edit(edited)
    crawl(f"{running.url}/", db)
    check_archive_matches(running, db)
    asked = [urlsplit(path).path for path in article_paths(running, len(first))]
    changed = set(added) if site.kind == "links" else {*added, urlsplit(edited).path}
    assert sorted(asked) == sorted(changed)
    if site.kind != "links":
        update = next(a for a in site.expected_articles() if a.url == edited).update
        assert update and update in archived(db)[edited]["body_text"]
        assert rows(db, "SELECT count(*) FROM revisions")[0][0] == 1
    rerun = running.paths()[len(first) :]
    never_again = set(site.non_article_paths()) - {"/"}
    if site.kind == "links":  # the walk asks its top again: the home page and its sections
        assert all(path.count("/") <= 2 for path in rerun if path in never_again)
    else:
        assert not never_again & set(rerun)


def test_a_sitemap_index_not_read_to_its_end_is_read_again_by_the_next_run(
    tmp_path: Path,
) -> None:
    """The feed is read whole, but one sitemap of the index fails: the index is not done, and
    the rerun must start from it again, not only from the sources recorded as read."""
    running = start_news_site(tmp_path, NewsSite(kind="wordpress", articles=16, seed=3))
    site, db = running.site, tmp_path / "archive.db"
    healthy = site.reply

    def forbidden_sitemap(target: str, host: str) -> Reply:
        if urlsplit(target).path == "/post-sitemap.xml":
            return Reply(403, b"forbidden", "text/plain")
        return healthy(target, host)

    try:
        site.reply = forbidden_sitemap  # type: ignore[method-assign]
        first = newsarchive("crawl", f"{running.url}/", "--db", str(db), timeout=180)
        assert first.returncode != 0, first.stderr  # a sitemap failed: the run says so
        missing = set(site.article_paths()) - {urlsplit(url).path for url in archived(db)}
        assert missing  # the forbidden sitemap alone listed them
        recorded = dict(rows(db, "SELECT url, http_etag FROM discovery_sources"))
        assert recorded[f"{running.url}/feed/"]  # read whole: asked with its validator next
        assert recorded[f"{running.url}/sitemap_index.xml"] is None  # found only: read whole
        site.reply = healthy  # type: ignore[method-assign]
        crawl(f"{running.url}/", db)
        check_archive_matches(running, db)
    finally:
        running.stop()


def test_robots_txt_names_the_sitemap_and_its_crawl_delay_is_kept(tmp_path: Path) -> None:
    running = start_news_site(tmp_path, NewsSite(kind="robots", articles=6, crawl_delay=0.4))
    arrivals: list[float] = []
    record = running.server.record

    def timed(line: str) -> None:
        arrivals.append(time.monotonic())
        record(line)

    running.server.record = timed  # type: ignore[method-assign]
    db = tmp_path / "archive.db"
    try:
        crawl(f"{running.url}/", db)
        check_archive_matches(running, db)
        assert running.paths()[:2] == ["/robots.txt", "/"]
        assert "/maps/sitemap-index.xml" in running.paths()  # named by robots.txt alone
        assert not set(running.paths()) & set(running.site.forbidden_paths())
        # robots.txt itself comes before its Crawl-delay is known
        gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals[1:])]
        assert len(gaps) >= 6 and min(gaps) >= 0.35
        first = len(running.paths())
        added = running.site.add_articles(1)
        crawl(f"{running.url}/", db)
        check_archive_matches(running, db)
        rerun = running.paths()[first:]
        assert [urlsplit(path).path for path in article_paths(running, first)] == added
        assert rerun[:2] == ["/robots.txt", "/maps/sitemap-index.xml"]
        assert "/maps/2026-10.xml" not in rerun  # its lastmod did not move
    finally:
        running.stop()


def test_a_site_whose_robots_txt_forbids_everything_is_refused_in_one_line(
    tmp_path: Path,
) -> None:
    running = start_news_site(tmp_path, NewsSite(kind="wordpress", articles=4, forbid_all=True))
    try:
        done = newsarchive("crawl", f"{running.url}/", "--db", str(tmp_path / "a.db"))
        assert done.returncode == 1
        assert done.stderr.strip().splitlines()[-1] == (
            f"Error: robots.txt of {running.url} forbids crawling the site"
        )
        assert running.paths() == ["/robots.txt"]
    finally:
        running.stop()


@pytest.mark.parametrize("name", ["ria", "kommersant"])
def test_a_russian_site_of_the_registry_is_read_by_its_sitemaps_and_feeds(
    name: str, tmp_path: Path
) -> None:
    running = start_news_site(tmp_path, NewsSite(kind=name, articles=12, seed=5))
    db = tmp_path / "archive.db"
    try:
        crawl(name, db, "--base-url", running.url)
        expected = running.site.expected_articles()
        found = archived(db)
        assert set(found) == {article.url for article in expected}
        for article in expected:
            row = found[article.url]
            assert row["id"] == f"{name}:{article.native_id}"
            assert row["title"] == article.title
            assert row["published_at"] == article.published_at
            assert row["published_at"].endswith("+03:00") and row["language"] == "ru"
            assert article.sentence in row["body_text"]
        first = len(running.paths())
        added = running.site.add_articles(1)
        crawl(name, db, "--base-url", running.url)
        asked = [urlsplit(path).path for path in article_paths(running, first)]
        assert asked == added
    finally:
        running.stop()


def test_one_archive_of_many_sites_searches_facets_and_dumps_each(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    listing_site = start_site(tmp_path, 12)
    blog = start_news_site(tmp_path, NewsSite(kind="wordpress", articles=8, seed=7))
    journal = start_news_site(tmp_path, NewsSite(kind="atom", articles=6, seed=8))
    try:
        crawl("sdelanounas", db, "--base-url", listing_site.url)
        crawl(f"{blog.url}/", db)
        crawl(f"{journal.url}/", db)
        blog_name, journal_name = urlsplit(blog.url).netloc, urlsplit(journal.url).netloc
        names = {"sdelanounas", blog_name, journal_name}
        counts = dict(rows(db, "SELECT site, count(*) FROM articles GROUP BY site"))
        assert counts == {"sdelanounas": 12, blog_name: 8, journal_name: 6}
        runs = rows(db, "SELECT site, status, complete FROM crawl_runs ORDER BY id")
        assert runs == [(name, "finished", 1) for name in ("sdelanounas", blog_name, journal_name)]
        stats = newsarchive("stats", "--db", str(db))
        assert all(name in stats.stdout for name in names)
        with in_process(db) as served:
            facet = json.loads(served.read("/archive/articles.json", _facet="site", _size="0"))[
                "facet_results"
            ]["site"]["results"]
            assert {item["value"]: item["count"] for item in facet} == counts
            found = json.loads(
                served.read("/archive/articles.json", _search="factories", _shape="objects")
            )["rows"]
            assert found and {row["site"] for row in found} == {blog_name, journal_name}
        for name in names:
            dumped = newsarchive("dump", "--db", str(db), "--site", name)
            assert dumped.returncode == 0, dumped.stderr
        dumps = sorted((tmp_path / "archive-dumps").glob("archive-*.db"))
        per_site = {
            sqlite3.connect(dump)
            .execute("SELECT group_concat(DISTINCT site) FROM articles")
            .fetchone()[0]
            for dump in dumps
        }
        assert per_site == names
    finally:
        listing_site.server.shutdown()
        listing_site.server.server_close()
        blog.stop()
        journal.stop()


def test_a_site_read_by_its_address_is_revalidated_as_a_listing_site_is(tmp_path: Path) -> None:
    running = start_news_site(tmp_path, NewsSite(kind="atom", articles=5, seed=4))
    db = tmp_path / "archive.db"
    try:
        crawl(f"{running.url}/", db)
        first = len(running.paths())
        edited = running.site.expected_articles()[0].url
        running.site.edit(edited)
        summary = crawl(f"{running.url}/", db, "--revalidate")
        assert "1 updated" in summary and "4 not modified" in summary
        asked = running.paths()[first:]
        assert "/atom.xml" not in asked  # revalidation reads no feed
        assert sorted(asked[1:]) == sorted(running.site.article_paths())
    finally:
        running.stop()
