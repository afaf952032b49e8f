"""Faults injected into a real crawl process, for the tests of what survives them.

Enabled with `--setting 'EXTENSIONS={"tests.faults.KillMidBatch": 0}'` and
`--setting FAULT_KILL_AT_SAVE=N` (or `BugOnArticle` and `FAULT_BUG_ON_ARTICLE=<id>`); the
crawl process needs the repository on PYTHONPATH.
"""

from __future__ import annotations

import os
import signal
from typing import Any

from scrapy.crawler import Crawler
from scrapy.http import Response

from archive.store import Archive
from crawler.items import Listed
from spiders.sdelanounas import SdelanounasSpider


class KillMidBatch:
    """SIGKILLs the crawl while it writes the N-th article: inside a batch's transaction."""

    SETTINGS = ("FAULT_KILL_AT_SAVE",)

    def __init__(self, kill_at: int) -> None:
        saved = 0
        original = Archive._save_article

        def save_then_maybe_die(archive: Archive, record: dict[str, Any], *args: Any) -> str:
            nonlocal saved
            outcome = original(archive, record, *args)
            saved += 1
            if saved == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return outcome

        Archive._save_article = save_then_maybe_die  # type: ignore[method-assign]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> KillMidBatch:
        return cls(crawler.settings.getint("FAULT_KILL_AT_SAVE"))


class BugOnArticle:
    """Makes the spider raise a RuntimeError (a bug, not an extraction failure) while reading
    the article with id `FAULT_BUG_ON_ARTICLE`."""

    SETTINGS = ("FAULT_BUG_ON_ARTICLE",)

    def __init__(self, native_id: str) -> None:
        original = SdelanounasSpider.extract

        async def extract_or_fail(
            spider: SdelanounasSpider, response: Response, listed: Listed | None
        ) -> Any:
            if response.url.rstrip("/").endswith(f"/{native_id}"):
                raise RuntimeError("a bug in the spider")
            return await original(spider, response, listed)

        SdelanounasSpider.extract = extract_or_fail  # type: ignore[method-assign]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BugOnArticle:
        return cls(crawler.settings.get("FAULT_BUG_ON_ARTICLE"))
