"""Failed pages back off: a later run tries a failure once, when it is due, and a permanent
failure waits the longest; `--retry-failed` tries them all now."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from tests.conftest import newsarchive, rows, start_site

# The simulator gives the k-th fault switched on (in its own order) to article first id + 1 + 2k.
FAULTS = ("down", "redirect_loop", "offsite_redirect")
ARTICLES = 24


def article_hits(lines: list[str], article_id: int) -> int:
    pattern = re.compile(rf"^GET /blogs/{article_id}/(?:\?\S*)? ")
    return sum(bool(pattern.match(line)) for line in lines)


def test_failures_back_off_and_retry_failed_tries_them_all(tmp_path: Path) -> None:
    elsewhere = start_site(tmp_path, 1, host="127.0.0.2")
    site = start_site(tmp_path, ARTICLES, faults=FAULTS, elsewhere=elsewhere.url)
    db = tmp_path / "archive.db"
    first_id = site.corpus.first_id
    down, loop, offsite = (first_id + 1 + 2 * k for k in range(len(FAULTS)))
    crawl = ("crawl", "--base-url", site.url, "--db", str(db))
    try:
        first = newsarchive(*crawl)
        assert first.returncode == 3, first.stderr  # 3 of 24 failed for good: over 5%
        failed = {
            int(url.rstrip("/").rsplit("/", 1)[1]): (attempts, permanent, next_retry)
            for url, attempts, permanent, next_retry in rows(
                db, "SELECT url, attempts, permanent, next_retry_at FROM failed_pages"
            )
        }
        assert set(failed) == {down, loop, offsite}
        assert [failed[i][:2] for i in (down, loop, offsite)] == [(1, 0), (1, 1), (1, 1)]
        month = datetime.fromisoformat(failed[loop][2]) - datetime.now().astimezone()
        assert timedelta(days=29) < month < timedelta(days=31)

        before = len(site.requests())
        second = newsarchive(*crawl)
        asked = site.requests()[before:]
        assert article_hits(asked, down) == 1  # due at the next run, tried once
        assert article_hits(asked, loop) == article_hits(asked, offsite) == 0
        listings = [line.split()[1] for line in asked if line.startswith("GET /blogs/?page=")]
        # The known streak (20) is seen on three pages, the failed pages standing outside it.
        assert listings == ["/blogs/?page=0", "/blogs/?page=1", "/blogs/?page=2"]
        assert sum(line.startswith("GET /robots.txt") for line in asked) == 1
        assert len(asked) == 1 + 3 + 1  # robots.txt, the listing pages, the one due retry
        assert rows(db, "SELECT attempts FROM failed_pages WHERE url LIKE ?", (f"%/{down}/",)) == [
            (2,)
        ]
        later = rows(db, "SELECT next_retry_at FROM failed_pages WHERE url LIKE ?", (f"%/{down}/",))
        assert datetime.fromisoformat(later[0][0]) > datetime.now().astimezone() + timedelta(
            hours=23
        )
        assert second.returncode == 0, second.stderr  # one failure among few pages: no alarm

        third_from = len(site.requests())
        third = newsarchive(*crawl)
        assert article_hits(site.requests()[third_from:], down) == 0  # not due for a day
        assert third.returncode == 0

        retry_from = len(site.requests())
        forced = newsarchive(*crawl, "--retry-failed")
        asked = site.requests()[retry_from:]
        assert all(article_hits(asked, article_id) >= 1 for article_id in (down, loop, offsite))
        assert forced.returncode == 0, forced.stderr
    finally:
        for running in (site, elsewhere):
            running.server.shutdown()
            running.server.server_close()
