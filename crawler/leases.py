"""The shared frontier of a crawl on several machines: scrapy-redis's scheduler and dupefilter,
with leases, so that no request is lost when a crawler dies.

scrapy-redis pops a request off the shared queue and forgets it: a crawler killed with
requests in hand loses them, while the dupefilter already marks them seen. Here a pop moves
the request into a lease (in one Lua script, so nothing is lost between the two) that its
crawler renews while it works on it; a lease not renewed for `NEWSARCHIVE_LEASE_SECONDS` is put
back in the queue by any crawler (`reap`). A lease ends when the request's results are in the
results stream (`crawler.stream.StreamPipeline` releases it in the same transaction), or when
the request goes back to the queue itself (a retry, a redirect). A request whose lease lapses
`NEWSARCHIVE_LEASE_TRIES` times (it kills whoever takes it) is dropped, and said so.

Requests cross machines pickled: meta keys that hold what only this process has (`LOCAL_META`)
are left out.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet.task import LoopingCall

from archive.shared import STREAM, PatientRetry, RunKeys, Sender, connect, encode_entry, text

from .failures import requested_url

logger = logging.getLogger(__name__)

# Meta of a request that only this process can use: raw capture's pending write, the lease.
LOCAL_META = ("warc", "lease", "download_slot", "download_latency", "_slot_key")
LEASE = "lease"

_POP = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #found == 0 then return false end
redis.call('ZREM', KEYS[1], found[1])
local now = redis.call('TIME')
local id = redis.call('INCR', KEYS[5]) .. '.' .. now[1] .. now[2]
redis.call('ZADD', KEYS[2], tonumber(now[1]) + tonumber(ARGV[1]), id)
redis.call('HSET', KEYS[3], id, found[1])
redis.call('HSET', KEYS[4], id, found[2])
return {id, found[1]}
"""
_RENEW = """
local now = redis.call('TIME')
local deadline = tonumber(now[1]) + tonumber(ARGV[1])
local alive = {}
for i = 2, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], deadline, ARGV[i])
    table.insert(alive, ARGV[i])
  end
end
return alive
"""
# ARGV: 'lapsed' (the leases past their deadline) or 'given' (those named after), the tries
# after which a lapsed request is dropped, the lease ids. Returns the requests dropped.
_REQUEUE = """
local ids = {}
if ARGV[1] == 'lapsed' then
  local now = redis.call('TIME')
  ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now[1], 'LIMIT', 0, 500)
else
  for i = 3, #ARGV do table.insert(ids, ARGV[i]) end
end
local dropped = {}
for _, id in ipairs(ids) do
  local data = redis.call('HGET', KEYS[3], id)
  local score = redis.call('HGET', KEYS[4], id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
  redis.call('HDEL', KEYS[4], id)
  if data then
    local tries = 0
    if ARGV[1] == 'lapsed' then
      tries = redis.call('HINCRBY', KEYS[5], redis.sha1hex(data), 1)
    end
    if tries > tonumber(ARGV[2]) then
      table.insert(dropped, data)
    else
      redis.call('ZADD', KEYS[1], score or 0, data)
    end
  end
end
return dropped
"""


def run_keys(settings: Any) -> RunKeys:
    """The keys of the shared run a crawler's settings name."""
    return RunKeys(settings.get("NEWSARCHIVE_SHARED_SITE"), settings.get("NEWSARCHIVE_SHARED_RUN"))


def release(pipe: Any, keys: RunKeys, lease_ids: list[str]) -> None:
    """End these leases (on a pipeline, so as to be part of its transaction)."""
    if lease_ids:
        pipe.zrem(keys.leases, *lease_ids)
        pipe.hdel(keys.leased, *lease_ids)
        pipe.hdel(keys.scores, *lease_ids)


class LeasedQueue(PriorityQueue):
    """scrapy-redis's priority queue, whose pop leases the request it hands out."""

    def __init__(self, server: redis.Redis, spider: Any, key: str, serializer: Any = None):
        super().__init__(server, spider, key, serializer)
        self.keys = run_keys(spider.settings)
        self.timeout = spider.settings.getint("NEWSARCHIVE_LEASE_SECONDS")
        self.max_tries = spider.settings.getint("NEWSARCHIVE_LEASE_TRIES")
        self.held: set[str] = set()  # leases this process holds
        self.sender = Sender()  # of the failures of requests it drops
        self.pop_script = server.register_script(_POP)
        self.renew_script = server.register_script(_RENEW)
        self.requeue_script = server.register_script(_REQUEUE)

    def _encode_request(self, request: Request) -> bytes:
        local = [key for key in LOCAL_META if key in request.meta]
        if local:
            meta = {key: value for key, value in request.meta.items() if key not in local}
            request = request.replace(meta=meta)
        encoded: bytes = super()._encode_request(request)
        return encoded

    def push(self, request: Request) -> None:
        """Queue a request; one that comes back from a lease (a retry, a redirect) ends it."""
        data = self._encode_request(request)
        pipe = self.server.pipeline()
        pipe.zadd(self.key, {data: -request.priority})
        lease = request.meta.get(LEASE)
        if lease is not None:
            release(pipe, self.keys, [lease])
            self.held.discard(lease)
        pipe.execute()

    def pop(self, timeout: int = 0) -> Request | None:
        keys = self.keys
        found = self.pop_script(
            keys=[self.key, keys.leases, keys.leased, keys.scores, keys.sequence],
            args=[self.timeout],
        )
        if not found:
            return None
        lease, data = text(found[0]), found[1]
        request: Request = self._decode_request(data)
        request.meta[LEASE] = lease
        self.held.add(lease)
        return request

    def renew(self) -> None:
        """Keep this process's leases alive, and forget those that ended; say that this crawler
        is at work on the run (a run nobody works on may be abandoned for another)."""
        self.server.set(self.keys.crawler(self.sender.name), 1, ex=self.timeout)
        if not self.held:
            return
        alive = self.renew_script(keys=[self.keys.leases], args=[self.timeout, *self.held])
        self.held = {text(value) for value in alive}

    def reap(self) -> None:
        """Put back in the queue the requests whose crawler stopped renewing their lease. Not
        for a lease period after an outage of Redis: every crawler waited it out, and each must
        renew its own leases before any is taken for dead."""
        if time.monotonic() - PatientRetry.recovered < self.timeout:
            return
        keys = self.keys
        dropped = self.requeue_script(
            keys=[self.key, keys.leases, keys.leased, keys.scores, keys.tries],
            args=["lapsed", self.max_tries],
        )
        if dropped:
            self.report_dropped([self._decode_request(data) for data in dropped])

    def report_dropped(self, requests: list[Request]) -> None:
        """Requests dropped after their leases lapsed too often are failures of the run, never
        silent: an article's is kept in failed_pages (tried again by a later run), a listing
        page's leaves the walk incomplete."""
        reason = f"taken {self.max_tries + 1} times by crawlers that died before finishing it"
        failures, listings = [], 0
        for request in requests:
            logger.error("%s was %s; dropped", request.url, reason)
            if getattr(request.callback, "__name__", "") == "parse_listing":
                listings += 1
            else:
                url = requested_url(request)
                failures.append({"site": self.keys.site, "url": url, "reason": f"fetch: {reason}"})
        settings = self.spider.settings
        body = {
            "site": self.keys.site,
            "token": self.keys.token,
            "run_id": settings.getint("NEWSARCHIVE_RUN_ID") or None,
            "failures": failures,
            "counters": {"http_errors": len(requests)},
        }
        pipe = self.server.pipeline()
        pipe.xadd(STREAM, encode_entry("batch", self.sender.stamp(body)))
        pipe.hincrby(self.keys.stats, "newsarchive/fetch_failed", len(failures))
        pipe.hincrby(self.keys.stats, "newsarchive/listing_failed", listings)
        pipe.execute()

    def give_back(self) -> None:
        """Put back in the queue, now, every request this process holds: it is stopping."""
        self.server.delete(self.keys.crawler(self.sender.name))
        if self.held:
            keys = self.keys
            self.requeue_script(
                keys=[self.key, keys.leases, keys.leased, keys.scores, keys.tries],
                args=["given", self.max_tries, *sorted(self.held)],
            )
            self.held.clear()


class SharedScheduler(Scheduler):
    """scrapy-redis's scheduler on the run's queue and dupefilter, persistent, with leases
    renewed and lapsed ones reaped while the crawler runs."""

    queue: LeasedQueue

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedScheduler:
        settings = crawler.settings
        server = connect(settings.get("NEWSARCHIVE_REDIS_URL"))  # checked before the crawl
        keys = run_keys(settings)
        scheduler = cls(
            server=server,
            persist=True,
            queue_key=keys.queue,
            queue_cls="crawler.leases.LeasedQueue",
            dupefilter=RFPDupeFilter(server, keys.seen),  # never closed: other crawlers use it
        )
        scheduler.crawler = crawler
        scheduler.stats = crawler.stats
        crawler.signals.connect(scheduler.engine_started, signal=signals.engine_started)
        return scheduler

    def engine_started(self) -> None:
        # Another crawler may fill the queue at any time: look at it often, not every 5 s.
        engine = self.crawler.engine
        engine._SLOT_HEARTBEAT_INTERVAL = 0.5  # the engine's own knob, read when it starts

    def open(self, spider: Any) -> None:
        self.spider = spider
        self.queue = LeasedQueue(self.server, spider, self.queue_key)
        if len(self.queue):
            logger.info("joining a shared crawl with %d requests queued", len(self.queue))
        interval = max(self.queue.timeout / 3, 0.5)
        self.keeper = LoopingCall(self.keep)
        self.keeper.start(interval, now=True)

    def keep(self) -> None:
        """Renew this crawler's leases and reap those of crawlers that died."""
        self.queue.renew()
        self.queue.reap()

    def close(self, reason: str) -> None:
        if self.keeper.running:
            self.keeper.stop()
        self.queue.give_back()

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            lease = request.meta.get(LEASE)
            if lease is not None:  # a redirect to a page the run has: this request is done
                pipe = self.server.pipeline()
                release(pipe, self.queue.keys, [lease])
                pipe.execute()
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        request: Request | None = self.queue.pop()
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request
