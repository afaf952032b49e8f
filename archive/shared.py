"""What a crawl shared by several processes keeps in Redis: the names of its keys, the entries
of the results stream, and a client that waits out an outage instead of failing.

Crawlers (`newsarchive crawl --redis URL`) share a frontier in Redis and send what they read to
one stream; one writer (`newsarchive write --redis URL --db FILE`) owns the SQLite archive,
reads the stream and publishes back what crawlers need of the archive. This module is what both
sides agree on; it knows nothing of Scrapy.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
import time
import zlib
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from .exceptions import RedisUnreachable

logger = logging.getLogger(__name__)
T = TypeVar("T")

PREFIX = "newsarchive"
STREAM = f"{PREFIX}:results"  # every crawler's results, read by the one writer
GROUP = "writer"  # the stream's consumer group; its one consumer is the writer
CONSUMER = "writer"  # a restarted writer is the same consumer: it gets its unacknowledged entries
WRITER_LOCK = f"{PREFIX}:writer"  # held by the running writer, so that there is only one
ARCHIVE_PATH = f"{PREFIX}:archive"  # the writer's archive file, named in crawlers' messages
WRITTEN = f"{PREFIX}:written"  # the last stream entry the writer committed
CONNECT_TIMEOUT = 5.0  # seconds: a first connection that takes longer is no Redis to use


def site_key(site: str, *parts: str) -> str:
    """A key of what the writer publishes of one site's archive."""
    return ":".join((PREFIX, site, *parts))


def run_key(site: str, token: str, *parts: str) -> str:
    """A key of one shared run: its queue, leases, walk state and stats."""
    return ":".join((PREFIX, site, "run", token, *parts))


def run_state_key(site: str) -> str:
    """The hash of a site's shared run: its token, state, options and verdict."""
    return site_key(site, "run")


class RunKeys:
    """The keys of one shared run (a site's, named by its token): its frontier, leases, summed
    stats and who works on it."""

    def __init__(self, site: str, token: str) -> None:
        self.site, self.token = site, token
        self.queue = run_key(site, token, "queue")
        self.seen = run_key(site, token, "seen")
        self.leases = run_key(site, token, "leases")  # lease id -> deadline (s)
        self.leased = run_key(site, token, "leased")  # lease id -> the request
        self.scores = run_key(site, token, "scores")  # lease id -> its place in the queue
        self.sequence = run_key(site, token, "lease-ids")
        self.tries = run_key(site, token, "tries")  # request digest -> lapsed leases
        self.stats = run_key(site, token, "stats")  # the crawlers' stats, summed
        self.seeding = run_key(site, token, "seeding")  # while the seeder is at it
        self.done_pages = run_key(site, token, "done-pages")  # listing pages fully archived
        self.every = run_key(site, token, "*")  # a pattern of every key of the run

    def crawler(self, name: str) -> str:
        """The key that says a crawler is at work on the run (it expires if the crawler dies);
        "*" for the pattern of all of them."""
        return run_key(self.site, self.token, "crawlers", name)


def encode_entry(kind: str, body: dict[str, Any]) -> dict[Any, Any]:
    """A stream entry: its kind, and its body as compressed JSON (a batch of articles is large,
    and Redis holds it until the writer has committed it)."""
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return {"kind": kind.encode(), "body": zlib.compress(data, 1)}


def decode_entry(fields: dict[bytes, bytes]) -> tuple[str, dict[str, Any]]:
    """(kind, body) of a stream entry."""
    body: dict[str, Any] = json.loads(zlib.decompress(fields[b"body"]))
    return fields[b"kind"].decode(), body


class Sender:
    """Who sent a batch, and its number: the writer writes each (sender, number) once, even if
    a retry after a lost reply added the entry to the stream twice."""

    def __init__(self) -> None:
        self.name = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(4)}"
        self.sequence = 0

    def stamp(self, body: dict[str, Any]) -> dict[str, Any]:
        self.sequence += 1
        return {**body, "sender": self.name, "sequence": self.sequence}


def entry_order(entry_id: str) -> tuple[int, int]:
    """A stream entry id ("1700000000000-3"), or a batch's number, as something that sorts."""
    millis, _, sequence = entry_id.partition("-")
    return int(millis), int(sequence or 0)


def display_url(url: str) -> str:
    """A Redis URL without its password, fit for a log line."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class PatientRetry(Retry):
    """Retries a command for as long as Redis is away, with backoff, saying so in one line when
    the outage starts (and once more, at INFO, when it ends): a restart or a brief outage makes
    a crawler wait, never fail."""

    outage = threading.Event()  # shared by every connection of the process
    recovered = 0.0  # when the last outage of this process ended (time.monotonic())

    def __init__(self, label: str) -> None:
        super().__init__(
            ExponentialBackoff(cap=5.0, base=0.1),
            -1,
            (RedisConnectionError, RedisTimeoutError, ConnectionResetError),
        )
        self.label = label

    def call_with_retry(self, do: Callable[[], T], fail: Callable[..., Any], *args: Any,
                        **kwargs: Any) -> T:  # fmt: skip
        def noted(error: Exception, *count: int) -> Any:
            if not self.outage.is_set():
                self.outage.set()
                logger.warning(
                    "Redis at %s is unreachable (%s); waiting for it, retrying with backoff",
                    self.label,
                    error,
                )
            return fail(error, *count)

        result = super().call_with_retry(do, noted, *args, **kwargs)
        if self.outage.is_set():
            self.outage.clear()
            PatientRetry.recovered = time.monotonic()
            logger.info("Redis at %s is back", self.label)
        return result

    def __deepcopy__(self, memo: dict[int, Any]) -> PatientRetry:
        return PatientRetry(self.label)


def check_redis(url: str) -> None:
    """Refuse, in one line (RedisUnreachable), a Redis that cannot be used: a bad URL, no
    server there, a wrong password. Called once, before anything starts."""
    label = display_url(url)
    try:
        probe = redis.Redis.from_url(
            url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=CONNECT_TIMEOUT
        )
        try:
            probe.ping()
        finally:
            probe.close()
    except redis.AuthenticationError:
        raise RedisUnreachable(_refused(label)) from None
    except redis.ResponseError as error:
        if "auth" not in str(error).lower():
            raise RedisUnreachable(f"cannot use Redis at {label} ({error})") from None
        raise RedisUnreachable(_refused(label)) from None
    except (ValueError, redis.RedisError, OSError) as error:
        raise RedisUnreachable(
            f"cannot use Redis at {label} ({error}); start redis-server there, or check"
            " --redis (redis://[:PASSWORD@]HOST:PORT/DB, rediss:// for TLS)"
        ) from None


def _refused(label: str) -> str:
    return (
        f"Redis at {label} refuses us: it wants a password, or another one; give it in the"
        " URL, redis://:PASSWORD@HOST:PORT/DB (in NEWSARCHIVE_REDIS_URL, ps shows it to no one)"
    )


@cache
def connect(url: str) -> redis.Redis:
    """The client of the Redis at `url` (redis://, rediss://, with a password if it has one)
    whose commands wait out an outage (`PatientRetry`); `check_redis` first. One per process
    and URL: every part of a crawler shares its connections (the client is thread-safe)."""
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=CONNECT_TIMEOUT,
        socket_keepalive=True,
        retry=PatientRetry(display_url(url)),
        retry_on_error=[RedisConnectionError, RedisTimeoutError, ConnectionResetError],
        health_check_interval=30,
    )


def text(value: Any) -> str:
    """A Redis reply as text ("" for none)."""
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else str(value)


def hash_text(mapping: Any) -> dict[str, str]:
    """A Redis hash as text keys and values."""
    return {text(key): text(value) for key, value in mapping.items()}
