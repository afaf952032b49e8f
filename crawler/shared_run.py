"""One run of a crawl shared by several processes: joining it, seeding it, ending it.

The first crawler of a site's run asks the writer to start it (the writer alone has the
archive: it opens the `crawl_runs` row, resumes a killed run with the same options, and
publishes the site's frontier); it then seeds the shared queue with the run's first requests.
Crawlers that come later join the run and take work from the queue. A crawler with nothing to
do stays open (`DontCloseSpider`) while anything is queued or leased anywhere; when nothing is,
one crawler judges the run on the stats every crawler summed in Redis, tells the writer, and
every crawler exits with that verdict. This module is the protocol over Redis; its Scrapy side
(the seeding, the leases' end, the watch) is `crawler.shared_crawler`.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any

import redis
from redis.exceptions import WatchError

from archive.runs import RunState
from archive.shared import STREAM, RunKeys, encode_entry, hash_text, run_state_key, text

from .exceptions import SharedRunDiffers

logger = logging.getLogger(__name__)
ACTIVE = ("starting", "running")
ENDING_STALE = 120.0  # s past the writer's wait: a crawler ending a run that long ago died
SAID_EVERY = 30.0  # seconds between the lines of a crawler that waits for the writer
ABANDONED_KEEP = 86400  # seconds an abandoned run's keys stay in Redis
FIRST = "first"  # the crawler that asked for the run, while it waits for the writer to start it
SEEDING_SECONDS = 60  # a seeder that has not been heard of for this long has died


@dataclass
class SharedRun:
    """A shared run as a crawler joined it."""

    token: str
    state: RunState


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
    key = run_state_key(site)
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
                client.delete(RunKeys(site, state["token"]).crawler(FIRST))
                return _joined(state)  # (if every crawler of the run died, it goes on here)
            if state["token"] == mine:  # waiting for the writer: this crawler is there
                client.set(RunKeys(site, mine).crawler(FIRST), 1, ex=SEEDING_SECONDS)
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
        return not client.exists(RunKeys(site, state["token"]).crawler(FIRST))
    found = client.scan_iter(match=RunKeys(site, state.get("token", "")).crawler("*"))
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
            pipe.set(RunKeys(site, token).crawler(FIRST), 1, ex=SEEDING_SECONDS)
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
        for found in client.scan_iter(match=RunKeys(site, abandoned).every, count=1000):
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
    key = run_state_key(site)
    with client.pipeline() as pipe:
        try:
            pipe.watch(key)
            if text(pipe.hget(key, "token")) != token:
                return False
            if text(pipe.hget(key, "seeder")) != "unclaimed":
                return False
            pipe.multi()
            pipe.hset(key, "seeder", "claimed")
            pipe.set(RunKeys(site, token).seeding, 1, ex=SEEDING_SECONDS)
            pipe.execute()
        except WatchError:
            return False
    return True


def outcome(
    client: redis.Redis, site: str, token: str, timeout: float
) -> tuple[int, str, list[str]] | None:
    """The verdict on a shared run: exit code, message, warnings; None if the run is still
    going (this crawler stopped early) or no verdict came within `timeout` seconds (the
    crawler that ends the run gives it once the writer has caught up)."""
    deadline = time.monotonic() + timeout
    while True:
        state = hash_text(client.hgetall(run_state_key(site)))
        if state.get("token") != token or state.get("state") == "running":
            return None
        if "exit_code" in state:
            warnings = json.loads(state.get("warnings", "[]"))
            return int(state["exit_code"]), state["message"], warnings
        if time.monotonic() > deadline:
            return None
        time.sleep(0.2)
