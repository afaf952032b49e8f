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
import threading
import zlib
from collections.abc import Callable
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
CONNECT_TIMEOUT = 5.0  # seconds: a first connection that takes longer is no Redis to use


def site_key(site: str, *parts: str) -> str:
    """A key of what the writer publishes of one site's archive."""
    return ":".join((PREFIX, site, *parts))


def run_key(site: str, token: str, *parts: str) -> str:
    """A key of one shared run: its queue, leases, walk state and stats."""
    return ":".join((PREFIX, site, "run", token, *parts))


def encode_entry(kind: str, body: dict[str, Any]) -> dict[Any, Any]:
    """A stream entry: its kind, and its body as compressed JSON (a batch of articles is large,
    and Redis holds it until the writer has committed it)."""
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return {"kind": kind.encode(), "body": zlib.compress(data, 1)}


def decode_entry(fields: dict[bytes, bytes]) -> tuple[str, dict[str, Any]]:
    """(kind, body) of a stream entry."""
    body: dict[str, Any] = json.loads(zlib.decompress(fields[b"body"]))
    return fields[b"kind"].decode(), body


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

    def __init__(self, label: str) -> None:
        super().__init__(
            ExponentialBackoff(cap=5.0, base=0.1),
            -1,
            (RedisConnectionError, RedisTimeoutError, ConnectionResetError),
        )
        self.label = label

    def call_with_retry(
        self,
        do: Callable[[], T],
        fail: Callable[..., Any],
        is_retryable: Callable[[Exception], bool] | None = None,
        with_failure_count: bool = False,
    ) -> T:
        def noted(error: Exception, *count: int) -> Any:
            if not self.outage.is_set():
                self.outage.set()
                logger.warning(
                    "Redis at %s is unreachable (%s); waiting for it, retrying with backoff",
                    self.label,
                    error,
                )
            return fail(error, *count)

        result = super().call_with_retry(do, noted, is_retryable, with_failure_count)
        if self.outage.is_set():
            self.outage.clear()
            logger.info("Redis at %s is back", self.label)
        return result

    def __deepcopy__(self, memo: dict[int, Any]) -> PatientRetry:
        return PatientRetry(self.label)


def connect(url: str, patient: bool = True) -> redis.Redis:
    """A client of the Redis at `url` (redis://, rediss://, with a password if it has one),
    checked at once: an unreachable server is one line (RedisUnreachable), before anything
    starts. With `patient`, later commands wait out an outage (`PatientRetry`)."""
    label = display_url(url)
    try:
        probe = redis.Redis.from_url(
            url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=CONNECT_TIMEOUT
        )
        probe.ping()
        probe.close()
    except (ValueError, redis.RedisError, OSError) as error:
        raise RedisUnreachable(
            f"cannot use Redis at {label} ({error}); start redis-server there, or check"
            " --redis (redis://[:PASSWORD@]HOST:PORT/DB, rediss:// for TLS)"
        ) from None
    if not patient:
        return redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT)
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=CONNECT_TIMEOUT,
        socket_keepalive=True,
        retry=PatientRetry(label),
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
