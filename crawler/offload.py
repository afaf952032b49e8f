"""Extraction beside the crawl: pages are parsed in a worker process, off the crawl's core.

Scrapy runs on one core; parsing a page costs more than fetching it, so a crawl of a fast
mirror would wait on extraction. With `NEWSARCHIVE_EXTRACT_WORKERS` > 0 the spider hands each
page's bytes to that many worker processes and goes on fetching while they parse; with 0 it
extracts in its own process. Either way the result is the same `extract_article`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

from .extract import decode_html, extract_article
from .items import Article

logger = logging.getLogger(__name__)


def extract_page(url: str, body: bytes, content_type: str | None) -> Article:
    """The article of a page, or ExtractionFailed."""
    return extract_article(url, decode_html(body, content_type))


def _start_worker(crawl_pid: int) -> None:
    """Ignore Ctrl-C, which reaches the whole process group: the crawl decides how to stop.
    Die with the crawl, even a SIGKILLed one, rather than hold its output pipes open."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_when_orphaned, args=(crawl_pid,), daemon=True).start()


def _exit_when_orphaned(crawl_pid: int) -> None:
    while os.getppid() == crawl_pid:
        time.sleep(0.2)
    os._exit(0)


class Extractor:
    """Extracts pages in `workers` processes (started with the crawl), or in this one if 0."""

    def __init__(self, workers: int) -> None:
        self.pool = None
        if workers > 0:
            self.pool = ProcessPoolExecutor(
                workers,
                mp_context=get_context("spawn"),
                initializer=_start_worker,
                initargs=(os.getpid(),),
            )
            self.pool.submit(int)  # start the worker now, while Scrapy starts

    async def extract(self, url: str, body: bytes, content_type: str | None) -> Article:
        """The page's Article, or ExtractionFailed.

        If the worker dies (killed, out of memory), this page and the rest are extracted here:
        a crawl never loses pages to a lost worker.
        """
        if self.pool is not None:
            try:
                future = self.pool.submit(extract_page, url, body, content_type)
                return await asyncio.wrap_future(future)
            except BrokenProcessPool:
                logger.warning("the extraction worker died; extracting in the crawl's process")
                self.pool = None
        return extract_page(url, body, content_type)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
