"""Faults injected into a real crawl process, for the tests of what survives them.

Enabled with `--setting 'EXTENSIONS={"tests.faults.KillMidBatch": 0}'` and
`--setting FAULT_KILL_AT_SAVE=N`; the crawl process needs the repository on PYTHONPATH.
"""

from __future__ import annotations

import os
import signal
from typing import Any

from scrapy.crawler import Crawler

from archive.store import Archive


class KillMidBatch:
    """SIGKILLs the crawl while it writes the N-th article: inside a batch's transaction."""

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
