"""The Scrapy side of a crawler in a shared run: which crawler seeds the run, when a request's
lease ends, and the watch that keeps an idle crawler open and ends the run once it has no work
anywhere (`crawler.shared_run` is the run's protocol over Redis; this module plugs it into
Scrapy as a spider middleware and an extension, named in `settings.SHARED_SETTINGS`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any

import redis
from redis.exceptions import WatchError
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.task import LoopingCall
from twisted.internet.threads import deferToThread

from archive.shared import (
    ARCHIVE_PATH,
    STREAM,
    WRITTEN,
    RunKeys,
    connect,
    encode_entry,
    entry_order,
    hash_text,
    run_state_key,
    text,
)

from .items import LeaseDone
from .leases import LEASE, run_keys
from .shared_run import SEEDING_SECONDS, claim_seeding, ending

logger = logging.getLogger(__name__)
REFUSAL_CHECK_SECONDS = 2.0  # how often a crawler looks whether another refused the crawl


class SharedRole:
    """Spider middleware of a shared crawl: only the run's seeder yields the spider's start
    requests; every answer's output ends with the end of its request's lease."""

    def __init__(self, client: redis.Redis, keys: RunKeys) -> None:
        self.client = client
        self.keys = keys

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedRole:
        settings = crawler.settings
        return cls(connect(settings.get("NEWSARCHIVE_REDIS_URL")), run_keys(settings))

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        if not claim_seeding(self.client, self.keys.site, self.keys.token):
            return
        seeding = self.keys.seeding
        beat = time.monotonic()
        async for request in start:
            yield request
            if time.monotonic() - beat > SEEDING_SECONDS / 4:
                self.client.set(seeding, 1, ex=SEEDING_SECONDS)
                beat = time.monotonic()
        self.client.hset(run_state_key(self.keys.site), "seeded", 1)
        self.client.delete(seeding)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        yield from result
        if (lease := _lease(response)) is not None:
            yield LeaseDone(lease)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for item in result:
            yield item
        if (lease := _lease(response)) is not None:
            yield LeaseDone(lease)


def _lease(response: Response) -> str | None:
    request = response.request
    return request.meta.get(LEASE) if request is not None else None


class SharedRunWatch:
    """Keeps an idle crawler open while the run has work anywhere; ends the run when it has
    none (one crawler does, in a thread: it waits for the writer to catch up, judges the summed
    stats and tells the writer), and closes every crawler once the verdict is given. A crawler
    that refused the crawl ends it for every crawler."""

    def __init__(self, crawler: Crawler, client: redis.Redis, keys: RunKeys) -> None:
        self.crawler = crawler
        self.client = client
        self.keys = keys
        self.wait = crawler.settings.getfloat("NEWSARCHIVE_SHARED_END_WAIT")
        self.watch = LoopingCall(self.refused_elsewhere)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedRunWatch:
        settings = crawler.settings
        client = connect(settings.get("NEWSARCHIVE_REDIS_URL"))
        watch = cls(crawler, client, run_keys(settings))
        crawler.signals.connect(watch.opened, signal=signals.spider_opened)
        crawler.signals.connect(watch.idle, signal=signals.spider_idle)
        crawler.signals.connect(watch.closed, signal=signals.spider_closed)
        return watch

    def state(self) -> dict[str, str]:
        state = hash_text(self.client.hgetall(run_state_key(self.keys.site)))
        return state if state.get("token") == self.keys.token else {}

    def opened(self) -> None:
        self.watch.start(REFUSAL_CHECK_SECONDS, now=False)

    def refused_elsewhere(self) -> None:
        """Close this crawler once another refused the crawl: the run is over."""
        if self.state().get("refusal"):
            self.watch.stop()
            engine = self.crawler.engine
            if engine is not None and engine.running:
                deferred_from_coro(engine.close_spider_async(reason="refused elsewhere"))

    def idle(self) -> None:
        state = self.state()
        if state.get("state") not in ("running", "ending"):
            return  # the verdict is given (or the run is gone): this crawler closes
        if state["state"] == "ending" and ending(state, self.wait):
            raise DontCloseSpider  # another crawler is judging the run
        if state.get("seeded") != "1" and not self.seeder_died(state):
            raise DontCloseSpider
        pipe = self.client.pipeline()
        pipe.zcard(self.keys.queue)
        pipe.zcard(self.keys.leases)
        queued, leased = pipe.execute()
        if queued or leased:
            raise DontCloseSpider
        if self.claim_end():
            deferToThread(self.end).addErrback(
                lambda failure: logger.error("ending the shared run failed: %s", failure.value)
            )
        raise DontCloseSpider

    def seeder_died(self, state: dict[str, str]) -> bool:
        """Whether the crawler that seeded the run died before it finished: the run goes on
        with what it queued (a rerun asks for the rest)."""
        if state.get("seeder") != "claimed":
            return False
        if self.client.exists(self.keys.seeding):
            return False
        logger.warning("the crawler that seeded this run stopped before it finished seeding")
        self.client.hset(run_state_key(self.keys.site), "seeded", 1)
        return True

    def closed(self, reason: str) -> None:
        if self.watch.running:
            self.watch.stop()
        refusal = self.crawler.stats.get_value("newsarchive/refusal")
        if refusal and self.claim_end(refusal):
            self.end(refusal)

    def claim_end(self, refusal: str | None = None) -> bool:
        """Whether this crawler is the one to end the run: it is running, or the crawler that
        was ending it died doing so."""
        key = run_state_key(self.keys.site)
        with self.client.pipeline() as pipe:
            try:
                pipe.watch(key)
                state = hash_text(pipe.hgetall(key))
                if state.get("token") != self.keys.token:
                    return False
                if state.get("state") != "running" and not (
                    state.get("state") == "ending" and not ending(state, self.wait)
                ):
                    return False
                pipe.multi()
                ended: dict[str, str | float] = {"state": "ending", "ending_at": time.time()}
                if refusal:
                    ended["refusal"] = refusal
                pipe.hset(key, mapping=ended)  # type: ignore[arg-type]  # str and float are fine
                pipe.execute()
            except WatchError:
                return False
        return True

    def end(self, refusal: str | None = None) -> None:
        """Judge the run once the writer has written what its crawlers sent, record the
        verdict, tell the writer."""
        from .drift import unknown_layout_pages
        from .run import RUN_STATUS, judge  # the same judgement as a run on one machine

        sent = text(self.client.xinfo_stream(STREAM).get("last-generated-id"))
        deadline = time.monotonic() + self.wait
        while time.monotonic() < deadline:
            written = text(self.client.get(WRITTEN))
            if written and entry_order(written) >= entry_order(sent):
                break
            time.sleep(0.2)
        stats = _numbers(hash_text(self.client.hgetall(self.keys.stats)))
        state = self.state()
        archive = text(self.client.get(ARCHIVE_PATH)) or "the shared archive"
        seconds = time.time() - float(state.get("started") or time.time())
        settings: Settings = self.crawler.settings
        result = judge(stats, refusal, settings, Path(archive), seconds)
        verdict = {
            "status": RUN_STATUS[result.exit_code],
            "exit_code": result.exit_code,
            "complete": result.complete,
            "unknown_layout": unknown_layout_pages(stats),
        }
        body = {"site": self.keys.site, "token": self.keys.token, "run_id": int(state["id"])}
        pipe = self.client.pipeline()
        pipe.hset(
            run_state_key(self.keys.site),
            mapping={
                "state": "ended",
                "exit_code": result.exit_code,
                "message": result.message,
                "warnings": json.dumps(result.warnings),
            },
        )
        pipe.xadd(STREAM, encode_entry("end", {**body, **verdict}))
        pipe.execute()


def _numbers(values: dict[str, str]) -> dict[str, Any]:
    """A stats hash read back: counts as ints, shares as floats."""
    found: dict[str, Any] = {}
    for key, value in values.items():
        try:
            found[key] = int(value)
        except ValueError:
            found[key] = float(value)
    return found
