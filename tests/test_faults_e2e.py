"""One real crawl of the simulator with every fault switched on at once.

What the simulator can serve after its faults is archived exactly once and right; what it
cannot is in `failed_pages` with its reason; and no request goes to another host, whatever
the redirects and links say. Short timeouts and retry delays come in through `--setting`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from itertools import pairwise

import pytest

from tests.conftest import BOILERPLATE, RunningSite, newsarchive, rows, start_site
from tests.sitesim.corpus import MOSCOW
from tests.sitesim.faults import FOR_GOOD, GONE

ARTICLES = 60
# What a crawler that honours its settings must say about each fault no retry gets past.
REASONS = {
    "down": "fetch: HTTP 503 after 3 retries",
    "stalled": "fetch: timeout (DOWNLOAD_TIMEOUT) after 3 retries",
    "cut_always": "fetch: connection closed mid-body after 3 retries",
    "error_200_always": "fetch: error page with HTTP 200 after 3 retries",
    "redirect_loop": "fetch: redirect loop (more than REDIRECT_MAX_TIMES redirects)",
    "offsite_redirect": "fetch: redirect outside the site",
    "scheme_redirect": "fetch: redirect outside the site",
    "huge": "fetch: larger than DOWNLOAD_MAXSIZE",
    "huge_undeclared": "fetch: larger than DOWNLOAD_MAXSIZE",
    "gzip_bomb": "fetch: decompresses to more than DOWNLOAD_MAXSIZE",
}
RETRY_DELAY, RETRY_CAP, TIMEOUT = 0.1, 2.0, 3.0
SETTINGS = {
    "DOWNLOAD_TIMEOUT": TIMEOUT,
    "NEWSARCHIVE_RETRY_DELAY": RETRY_DELAY,
    "NEWSARCHIVE_RETRY_MAX_DELAY": RETRY_CAP,
    "LOG_LEVEL": "DEBUG",  # Scrapy logs every request it makes
}
CRAWLED = re.compile(r"Crawled \(\d+\) <GET (\S+)>")


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """(site, the other host, archive, crawl process): one crawl shared by the tests below."""
    tmp_path = tmp_path_factory.mktemp("faults")
    elsewhere = start_site(tmp_path, 1, host="127.0.0.2")
    site = start_site(
        tmp_path, ARTICLES, faults="all", elsewhere=elsewhere.url, slow_seconds=TIMEOUT + 1
    )
    db = tmp_path / "archive.db"
    settings = [f"--setting={key}={value}" for key, value in SETTINGS.items()]
    try:
        result = newsarchive(
            "crawl", "--base-url", site.url, "--db", str(db), *settings, timeout=60
        )
        yield site, elsewhere, db, result
    finally:
        for running in (site, elsewhere):
            running.server.shutdown()
            running.server.server_close()


def article_url(site: RunningSite, article_id: int) -> str:
    return f"{site.url}/blogs/{article_id}/"


def test_the_crawl_ends_well_and_reports_retries(fault_run: tuple) -> None:
    site, _, db, result = fault_run
    # More than 5% of the article pages failed for good: the archivist is told, exit 3.
    assert result.returncode == 3, result.stderr[-3000:]
    plan = site.server.plan
    alarm = result.stderr.strip().splitlines()[-1]
    tried = ARTICLES - len(GONE)
    assert alarm.startswith(f"Error: {len(FOR_GOOD)} of {tried} article pages could not be fetched")
    summary = alarm.rsplit(" (", 1)[1]
    assert summary.startswith(f"{ARTICLES - len(FOR_GOOD) - len(GONE)} new, 0 updated")
    assert f"{len(FOR_GOOD)} failed fetch, {len(GONE)} absent" in summary
    retries = int(re.search(r"(\d+) retries", summary).group(1))  # type: ignore[union-attr]
    assert retries > 0
    assert rows(db, "SELECT status, retries FROM crawl_runs") == [("drift", retries)]
    assert rows(db, "SELECT articles_absent FROM crawl_runs") == [(len(plan.ids_with(*GONE)),)]


def test_every_servable_article_is_archived_once_and_right(fault_run: tuple) -> None:
    site, _, db, _ = fault_run
    plan = site.server.plan
    servable = set(site.corpus.ids) - plan.ids_with(*FOR_GOOD, *GONE)
    stored = rows(
        db, "SELECT native_id, title, published_at, author, category, tags, body_text, body_html"
        " FROM articles"
    )  # fmt: skip
    assert sorted(int(row[0]) for row in stored) == sorted(servable)
    for native_id, title, published, author, category, tags, body, html in stored:
        truth = site.corpus.get(int(native_id))
        assert truth is not None
        assert title == truth.title.replace("\xa0", " "), plan.by_article.get(truth.id)
        assert published == truth.published.astimezone(MOSCOW).isoformat()
        assert (author, category, json.loads(tags)) == (truth.author, truth.category[1], truth.tags)
        for kind, text in truth.blocks:
            if kind in ("lead", "p", "quote"):
                assert str(text).replace("\xa0", " ") in body, plan.by_article.get(truth.id)
        for text in BOILERPLATE:
            assert text.lower() not in (title + body).lower()
        for hostile in ("file:", "javascript:", "<iframe", "<img", "<meta"):
            assert hostile not in html


def test_every_url_that_failed_for_good_is_kept_with_its_reason(fault_run: tuple) -> None:
    site, _, db, _ = fault_run
    plan = site.server.plan
    expected = {
        article_url(site, article_id): REASONS[fault]
        for article_id, fault in plan.by_article.items()
        if fault in FOR_GOOD
    }
    assert dict(rows(db, "SELECT url, reason FROM failed_pages")) == expected


def test_no_request_leaves_the_site(fault_run: tuple) -> None:
    site, elsewhere, _, result = fault_run
    assert elsewhere.server.requests == []
    host = site.url.removeprefix("http://")
    assert {entry.host for entry in site.server.requests} == {host}
    crawled = CRAWLED.findall(result.stderr)
    assert crawled and all(url.startswith(site.url + "/") for url in crawled)
    assert {url.removeprefix(site.url) for url in crawled} <= {
        entry.path for entry in site.server.requests
    }
    assert f"Redirecting (301) to <GET {elsewhere.url}/" in result.stderr  # seen, not followed


def test_retries_wait_as_asked_and_no_longer_than_the_cap(fault_run: tuple) -> None:
    site, *_ = fault_run
    plan = site.server.plan

    def gaps(fault: str) -> list[float]:
        (article_id,) = plan.ids_with(fault)
        times = [e.at for e in site.server.requests if e.path == f"/blogs/{article_id}/"]
        return [later - earlier for earlier, later in pairwise(times)]

    (throttled,) = gaps("throttled")
    assert throttled >= 1.0  # Retry-After: 1
    (by_date,) = gaps("throttled_date")
    assert by_date >= 1.0  # Retry-After: an HTTP date 2 s ahead, to the second
    (capped,) = gaps("throttled_long")
    assert RETRY_CAP <= capped < RETRY_CAP + 10  # Retry-After: 3600, cut to the cap
    burst = gaps("burst")
    assert len(burst) == 3
    for number, gap in enumerate(burst, start=1):
        assert gap >= RETRY_DELAY * 2 ** (number - 1)  # exponential backoff
