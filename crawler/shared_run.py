"""One run of a crawl shared by several processes: joining it, seeding it, ending it.

The first crawler of a site's run asks the writer to start it (the writer alone has the
archive: it opens the `crawl_runs` row, resumes a killed run with the same options, and
publishes the site's frontier); it then seeds the shared queue with the run's first requests.
Crawlers that come later join the run and take work from the queue. A crawler with nothing to
do stays open (`DontCloseSpider`) while anything is queued or leased anywhere; when nothing is,
one crawler judges the run on the stats every crawler summed in Redis, tells the writer, and
every crawler exits with that verdict.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
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

from archive.runs import RunState
from archive.shared import (
    ARCHIVE_PATH,
    STREAM,
    WRITTEN,
    connect,
    encode_entry,
    entry_order,
    hash_text,
    run_key,
    site_key,
    text,
)

from .exceptions import SharedRunDiffers
from .items import LeaseDone
from .leases import LEASE, RunKeys
from .stream import stats_key

logger = logging.getLogger(__name__)
ACTIVE = ("starting", "running")
ENDING_STALE = 120.0  # s past the writer's wait: a crawler ending a run that long ago died
SAID_EVERY = 30.0  # seconds between the lines of a crawler that waits for the writer
ABANDONED_KEEP = 86400  # seconds an abandoned run's keys stay in Redis
SEEDING_SECONDS = 60  # a seeder that has not been heard of for this long has died
REFUSAL_CHECK_SECONDS = 2.0  # how often a crawler looks whether another refused the crawl


@dataclass
class SharedRun:
    """A shared run as a crawler joined it."""

    token: str
    state: RunState


def run_hash(site: str) -> str:
    return site_key(site, "run")


def maintenance_wanted(mode: str, retry_failed: bool, checked_before: str | None,
                       limit: int | None, recheck_limit: int) -> dict[str, Any]:  # fmt: skip
    """The maintenance lists a run's spider asks its frontier for (see
    `ArchiveSpider.maintenance_requests`), as the writer is to publish them."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    if mode == "revalidate":
        return {"revalidations": [checked_before, limit]}
    wanted: dict[str, Any] = {}
    if mode in ("incremental", "full"):
        wanted["rechecks"] = [now, recheck_limit]
        wanted["failures"] = [None if retry_failed else now, recheck_limit]
    if mode == "full":
        wanted["revalidations"] = [None, None]
    return wanted


def join_run(
    client: redis.Redis,
    site: str,
    mode: str,
    arguments: dict[str, Any],
    maintenance: dict[str, Any],
    end_wait: float,
    say: Any = logger.warning,
) -> SharedRun:
    """Join the site's running shared run, or have the writer start one and seed it."""
    key = run_hash(site)
    encoded = json.dumps(arguments, sort_keys=True)
    said = time.monotonic() - SAID_EVERY + 5  # a first line after 5 s, then every 30 s
    mine = ""  # the token of the run this crawler asked for
    while True:
        state = hash_text(client.hgetall(key))
        if ending(state, end_wait):
            pass  # the run's last crawler is judging it: the next run starts after its end
        elif state.get("state") in ACTIVE and state.get("arguments") == encoded:
            if state["state"] == "running":
                # Its crawler says it is at work from here on (`LeasedQueue.renew`).
                client.delete(run_key(site, state["token"], "crawlers", "first"))
                return _joined(state)  # (if every crawler of the run died, it goes on here)
            if state["token"] == mine:  # waiting for the writer: this crawler is there
                client.set(run_key(site, mine, "crawlers", "first"), 1, ex=SEEDING_SECONDS)
        elif state.get("state") in ACTIVE and not deserted(client, site, state):
            raise SharedRunDiffers(
                f"a shared crawl of {site} with other options is running"
                f" ({state.get('arguments')}); join it with the same options, or wait for it"
                " to end (a run whose crawlers all died gives way once their leases lapse,"
                " NEWSARCHIVE_LEASE_SECONDS)"
            )
        elif claimed := _claim(client, key, site, mode, encoded, arguments, maintenance):
            mine = claimed
            continue
        if time.monotonic() - said > SAID_EVERY:
            say(
                f"waiting for the writer to start the run of {site}"
                " (is `newsarchive write --redis URL --db FILE` running?)"
            )
            said = time.monotonic()
        time.sleep(0.2)


def deserted(client: redis.Redis, site: str, state: dict[str, str]) -> bool:
    """Whether no crawler works on the run, nor waits for the writer to start it: a crawler
    started with other options may then abandon it for a new run."""
    if state.get("state") == "starting":
        return not client.exists(run_key(site, state["token"], "crawlers", "first"))
    found = client.scan_iter(match=run_key(site, state.get("token", ""), "crawlers", "*"))
    return next(iter(found), None) is None


def ending(state: dict[str, str], end_wait: float) -> bool:
    """Whether a crawler is ending the run (and has not died doing so)."""
    if state.get("state") != "ending":
        return False
    return time.time() - float(state.get("ending_at") or 0) < end_wait + ENDING_STALE


def _claim(
    client: redis.Redis,
    key: str,
    site: str,
    mode: str,
    encoded: str,
    arguments: dict[str, Any],
    maintenance: dict[str, Any],
) -> str | None:
    """Ask the writer to start a run, unless another crawler just did; the run's token."""
    token = secrets.token_hex(8)
    with client.pipeline() as pipe:
        try:
            pipe.watch(key)
            current = hash_text(pipe.hgetall(key))
            if current.get("state") in ACTIVE and not deserted(client, site, current):
                return None
            abandoned = current.get("token") if current.get("state") in ACTIVE else None
            if abandoned:
                logger.warning(
                    "abandoning the shared run of %s that no crawler works on (%s)",
                    site,
                    current.get("arguments"),
                )
            pipe.multi()
            pipe.delete(key)
            pipe.set(run_key(site, token, "crawlers", "first"), 1, ex=SEEDING_SECONDS)
            pipe.hset(
                key,
                mapping={
                    "token": token,
                    "state": "starting",
                    "arguments": encoded,
                    "started": time.time(),
                    "seeder": "unclaimed",
                },
            )
            body = {
                "site": site,
                "token": token,
                "mode": mode,
                "arguments": arguments,
                "maintenance": maintenance,
            }
            pipe.xadd(STREAM, encode_entry("start", body))
            pipe.execute()
        except WatchError:
            return None
    if abandoned:  # its queue and leases stay a day, for anyone to look at
        for found in client.scan_iter(match=run_key(site, abandoned, "*"), count=1000):
            client.expire(found, ABANDONED_KEEP)
    return token


def _joined(state: dict[str, str]) -> SharedRun:
    run = RunState(
        id=int(state["id"]),
        resumed=state.get("resumed") == "1",
        cursor=int(state["cursor"]) if state.get("cursor") else None,
        high_water=state.get("high_water") or None,
        previous_high_water=state.get("previous_high_water") or None,
    )
    return SharedRun(state["token"], run)


def claim_seeding(client: redis.Redis, site: str, token: str) -> bool:
    """Whether this crawler is the one to seed the run (the first to ask)."""
    key = run_hash(site)
    with client.pipeline() as pipe:
        try:
            pipe.watch(key)
            if text(pipe.hget(key, "token")) != token:
                return False
            if text(pipe.hget(key, "seeder")) != "unclaimed":
                return False
            pipe.multi()
            pipe.hset(key, "seeder", "claimed")
            pipe.set(run_key(site, token, "seeding"), 1, ex=SEEDING_SECONDS)
            pipe.execute()
        except WatchError:
            return False
    return True


class SharedRole:
    """Spider middleware of a shared crawl: only the run's seeder yields the spider's start
    requests; every answer's output ends with the end of its request's lease."""

    def __init__(self, client: redis.Redis, keys: RunKeys) -> None:
        self.client = client
        self.keys = keys

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedRole:
        settings = crawler.settings
        return cls(connect(settings.get("NEWSARCHIVE_REDIS_URL")), RunKeys.from_settings(settings))

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        if not claim_seeding(self.client, self.keys.site, self.keys.token):
            return
        seeding = run_key(self.keys.site, self.keys.token, "seeding")
        beat = time.monotonic()
        async for request in start:
            yield request
            if time.monotonic() - beat > SEEDING_SECONDS / 4:
                self.client.set(seeding, 1, ex=SEEDING_SECONDS)
                beat = time.monotonic()
        self.client.hset(run_hash(self.keys.site), "seeded", 1)
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
        watch = cls(crawler, client, RunKeys.from_settings(settings))
        crawler.signals.connect(watch.opened, signal=signals.spider_opened)
        crawler.signals.connect(watch.idle, signal=signals.spider_idle)
        crawler.signals.connect(watch.closed, signal=signals.spider_closed)
        return watch

    def state(self) -> dict[str, str]:
        state = hash_text(self.client.hgetall(run_hash(self.keys.site)))
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
        if self.client.exists(run_key(self.keys.site, self.keys.token, "seeding")):
            return False
        logger.warning("the crawler that seeded this run stopped before it finished seeding")
        self.client.hset(run_hash(self.keys.site), "seeded", 1)
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
        key = run_hash(self.keys.site)
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
        stats = _numbers(hash_text(self.client.hgetall(stats_key(self.keys))))
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
            run_hash(self.keys.site),
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


def outcome(
    client: redis.Redis, site: str, token: str, timeout: float
) -> tuple[int, str, list[str]] | None:
    """The verdict on a shared run: exit code, message, warnings; None if the run is still
    going (this crawler stopped early) or no verdict came within `timeout` seconds (the
    crawler that ends the run gives it once the writer has caught up)."""
    deadline = time.monotonic() + timeout
    while True:
        state = hash_text(client.hgetall(run_hash(site)))
        if state.get("token") != token or state.get("state") == "running":
            return None
        if "exit_code" in state:
            warnings = json.loads(state.get("warnings", "[]"))
            return int(state["exit_code"]), state["message"], warnings
        if time.monotonic() > deadline:
            return None
        time.sleep(0.2)
