"""The one writer of a shared crawl: reads the results stream and commits it to the archive.

SQLite wants one writer; crawlers on any number of machines send their results to a Redis
stream, and this process alone opens the archive. Entries are read through a consumer group
and acknowledged only after their commit. What an entry did is kept in the same transaction as
its effect (`stream_positions`): a batch's sender and number, a run's start or end entry id. So
a writer killed at any moment loses nothing, and an entry delivered again after a restart, or
sent twice after a lost reply, is not applied twice.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis
from redis.exceptions import ResponseError

from .exceptions import WriterRunning
from .published import publish_changes, publish_maintenance, publish_site
from .runs import finish_run, last_finished_high_water, merged_progress, start_run
from .shared import (
    ARCHIVE_PATH,
    CONSUMER,
    GROUP,
    STREAM,
    WRITER_LOCK,
    WRITTEN,
    RunKeys,
    decode_entry,
    entry_order,
    run_state_key,
    text,
)
from .store import SAVE_OUTCOMES, Archive, Batch, SaveCounts

logger = logging.getLogger(__name__)
LOCK_MS = 10_000  # a writer that stops renewing its lock (killed) frees it after this long
READ_COUNT = 20  # entries read at a time
READ_BLOCK_MS = 1000  # how long a read waits for entries: also how soon a stop is seen
ENDED_RUN_KEEP = 86400  # seconds a finished run's keys stay in Redis, for anyone to look at

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0
"""


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class WriterSummary:
    """What a writer did before it stopped."""

    entries: int = 0
    skipped: int = 0  # delivered again, or sent twice: written already
    articles: int = 0
    runs_started: int = 0
    runs_finished: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"wrote {self.entries} stream entries in {self.seconds:.1f} s: articles"
            f" {self.articles}, runs started {self.runs_started}, runs finished"
            f" {self.runs_finished}, entries written before {self.skipped}"
        )


class WriterLock:
    """The one-writer lock in Redis, renewed by a thread of its own (a long commit or an outage
    must not let it lapse) and taken again if it lapsed while nobody else took it."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.token = secrets.token_hex(8)
        self.renew = client.register_script(_RENEW)
        self.lost = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._keep, name="writer-lock", daemon=True)

    def take(self, stop: threading.Event, say: Callable[[str], None]) -> None:
        """Take the lock, waiting for a killed writer's to lapse."""
        deadline = time.monotonic() + LOCK_MS / 1000 + 2
        said = False
        while not self.client.set(WRITER_LOCK, self.token, nx=True, px=LOCK_MS):
            if time.monotonic() > deadline or stop.is_set():
                raise WriterRunning(
                    "another `newsarchive write` owns this Redis database's results stream;"
                    " stop it first, or give this archive a Redis database of its own"
                    " (the /N of the URL)"
                )
            if not said:
                say("waiting for the previous writer's lock to lapse")
                said = True
            time.sleep(0.5)
        self.thread.start()

    def _keep(self) -> None:
        while not self.stopping.wait(LOCK_MS / 3000):
            if not self.renew(keys=[WRITER_LOCK], args=[self.token, LOCK_MS]):
                self.lost.set()
                return

    def release(self) -> None:
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join()
        if text(self.client.get(WRITER_LOCK)) == self.token:
            self.client.delete(WRITER_LOCK)


class StreamWriter:
    """Owns the archive at `db` for a shared crawl on `client`'s Redis."""

    def __init__(
        self,
        client: redis.Redis,
        db: Path,
        rechecks: tuple[int, ...],
        retry_delays: tuple[int, ...],
        say: Callable[[str], None] = logger.info,
    ) -> None:
        self.client = client
        self.db = db
        self.rechecks = rechecks
        self.retry_delays = retry_delays
        self.say = say
        self.summary = WriterSummary()

    def run(self, stop: threading.Event) -> WriterSummary:
        """Write until `stop` is set; what was read is committed before returning."""
        started = time.monotonic()
        lock = WriterLock(self.client)
        lock.take(stop, self.say)
        try:
            try:
                self.client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
            except ResponseError as error:
                if "BUSYGROUP" not in str(error):
                    raise
            with Archive(self.db, self.rechecks, self.retry_delays) as archive:
                self.client.set(ARCHIVE_PATH, str(self.db.resolve()))
                backlog = True  # entries delivered to a writer that died first, then new ones
                while not stop.is_set():
                    if lock.lost.is_set():
                        raise WriterRunning(
                            "another writer took over the results stream; this one stops"
                        )
                    reply: Any = self.client.xreadgroup(
                        GROUP,
                        CONSUMER,
                        {STREAM: "0" if backlog else ">"},
                        count=READ_COUNT,
                        block=None if backlog else READ_BLOCK_MS,
                    )
                    entries = reply[0][1] if reply else []
                    if backlog and not entries:
                        backlog = False
                        continue
                    for entry_id, fields in entries:
                        self.apply(archive, text(entry_id), fields)
        finally:
            lock.release()
            self.summary.seconds = time.monotonic() - started
        return self.summary

    def apply(self, archive: Archive, entry_id: str, fields: dict[bytes, bytes] | None) -> None:
        """Commit one entry (unless it is committed already), publish what it changed, then
        acknowledge and drop it from the stream."""
        if fields:  # none: acknowledged and deleted by a writer killed before its XACK returned
            kind, body = decode_entry(fields)
            if kind == "batch":
                self.write_batch(archive, entry_id, body)
            elif kind == "start":
                self.start(archive, entry_id, body)
            elif kind == "end":
                self.end(archive, entry_id, body)
            else:
                logger.warning("skipping a stream entry of unknown kind %r", kind)
        pipe = self.client.pipeline()
        pipe.xack(STREAM, GROUP, entry_id)
        pipe.xdel(STREAM, entry_id)
        pipe.set(WRITTEN, entry_id)
        pipe.execute()
        self.summary.entries += 1

    def done_before(self, archive: Archive, position: tuple[str, str]) -> bool:
        """Whether the entry at `position` (a sender and its batch number, or the stream and an
        entry id) is written already."""
        last = archive.stream_position(position[0])
        if last is None:
            return False
        done = entry_order(position[1]) <= entry_order(last)
        self.summary.skipped += int(done)
        return done

    def write_batch(self, archive: Archive, entry_id: str, body: dict[str, Any]) -> None:
        run_id = body.get("run_id")
        sender = body.get("sender")
        position = (f"sender:{sender}", str(body["sequence"])) if sender else (STREAM, entry_id)
        batch = Batch(
            articles=body.get("articles", []),
            failures=body.get("failures", []),
            gone=body.get("gone", []),
            not_modified=body.get("not_modified", []),
            judged=body.get("judged", []),
            sources=body.get("sources", []),
            run_id=run_id,
            position=position,
        )
        if not self.done_before(archive, position):
            added = body.get("counters", {})

            def progress(counts: SaveCounts) -> dict[str, Any]:
                saved = {f"articles_{name}": getattr(counts, name) for name in SAVE_OUTCOMES}
                assert run_id is not None
                return merged_progress(
                    archive.db,
                    run_id,
                    {**added, **saved},
                    body.get("cursor"),
                    body.get("high_water"),
                )

            counts = archive.save_batch(batch, body.get("seen_at") or utc_now(), progress)
            self.summary.articles += len(batch.articles)
            if body.get("site") and body.get("token"):
                stats = RunKeys(body["site"], body["token"]).stats
                pipe = self.client.pipeline()
                for name in SAVE_OUTCOMES:
                    if value := getattr(counts, name):
                        pipe.hincrby(stats, f"newsarchive/articles_{name}", value)
                pipe.execute()
        publish_changes(archive.db.conn, self.client, [batch])

    def start(self, archive: Archive, entry_id: str, body: dict[str, Any]) -> None:
        """Start (or resume) the run a first crawler asked for, publish the site's frontier and
        the run's maintenance lists, and tell the crawlers the run's state."""
        site, token = body["site"], body["token"]
        now = utc_now()
        if self.done_before(archive, (STREAM, entry_id)):
            row = archive.db.execute(
                "SELECT id, resumes, cursor, high_water FROM crawl_runs WHERE site = ?"
                " AND status = 'running' ORDER BY id DESC LIMIT 1",
                [site],
            ).fetchone()
            if row is None:
                return
            run_id, resumed, cursor, high_water = row[0], row[1] > 0, row[2], row[3]
            previous = last_finished_high_water(archive.db, site)
        else:
            with archive.db.atomic():
                run = start_run(archive.db, site, body["mode"], body["arguments"], now)
                archive.keep_position(STREAM, entry_id, now)
            run_id, resumed, cursor, high_water = run.id, run.resumed, run.cursor, run.high_water
            previous = run.previous_high_water
            self.summary.runs_started += 1
        publish_site(self.db, self.client, site)
        publish_maintenance(self.db, self.client, site, token, body.get("maintenance", {}))
        state = {
            "id": run_id,
            "resumed": int(resumed),
            "cursor": "" if cursor is None else cursor,
            "high_water": high_water or "",
            "previous_high_water": previous or "",
            "state": "running",
        }
        key = run_state_key(site)
        if text(self.client.hget(key, "token")) == token:
            self.client.hset(key, mapping=state)  # type: ignore[arg-type]  # ints are fine
        self.say(f"run {run_id} of {site} {'resumed' if resumed else 'started'}")

    def end(self, archive: Archive, entry_id: str, body: dict[str, Any]) -> None:
        """Close the run's row as its last crawler judged it, and tell the crawlers."""
        site, token, run_id = body["site"], body["token"], body["run_id"]
        now = utc_now()
        if not self.done_before(archive, (STREAM, entry_id)):
            with archive.db.atomic():
                finish_run(
                    archive.db,
                    run_id,
                    body["status"],
                    body["exit_code"],
                    now,
                    complete=body.get("complete", False),
                    unknown_layout=body.get("unknown_layout", 0),
                )
                archive.keep_position(STREAM, entry_id, now)
            self.summary.runs_finished += 1
        counters = archive.run_counters(run_id)
        key = run_state_key(site)
        if text(self.client.hget(key, "token")) == token:
            self.client.hset(key, mapping={"state": "written", **counters})  # type: ignore[dict-item]  # ints are fine
        for found in self.client.scan_iter(match=RunKeys(site, token).every, count=1000):
            self.client.expire(found, ENDED_RUN_KEEP)
        self.say(f"run {run_id} of {site} finished: {body['status']}, exit {body['exit_code']}")
