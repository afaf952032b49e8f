"""Retries that wait: exponential backoff, and `Retry-After` honoured up to a cap.

Scrapy's RetryMiddleware sends a retry at once and ignores `Retry-After`, which hammers a
server that is struggling or asking us to slow down. This one replaces it (same settings:
`RETRY_TIMES`, `RETRY_HTTP_CODES`, `RETRY_EXCEPTIONS`; same `retry/*` stats). A retried
request carries the moment it may go (`retry_at` in its meta) and waits for it in
`process_request` without blocking the reactor: every other download goes on meanwhile.
The spider uses `retry_later` for failures only it can see, such as an error page served
with status 200.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import sleep

# While a retry waits, how often it checks whether the crawl is stopping (then it goes at once).
WAKE_INTERVAL = 0.5


def retry_after_seconds(value: str | bytes | None, now: datetime | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or an HTTP date), or None."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def status_reason(status: int) -> str:
    """A retry's reason in the stats, such as "429 Too Many Requests"."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def backoff_delay(
    retry_number: int, base: float, cap: float, retry_after: float | None = None
) -> float:
    """Seconds before retry number `retry_number` (1, 2, …): base doubling each time, at
    least what the server asked for, never more than the cap."""
    exponential: float = base * 2 ** max(retry_number - 1, 0)
    return min(max(exponential, retry_after or 0.0), cap)


def _delays(settings: BaseSettings) -> tuple[float, float]:
    return (
        settings.getfloat("NEWSARCHIVE_RETRY_DELAY"),
        settings.getfloat("NEWSARCHIVE_RETRY_MAX_DELAY"),
    )


def _schedule(retried: Request, settings: BaseSettings, response: Response | None) -> Request:
    base, cap = _delays(settings)
    asked = retry_after_seconds(response.headers.get("Retry-After")) if response else None
    delay = backoff_delay(retried.meta["retry_times"], base, cap, asked)
    retried.meta["retry_at"] = time.time() + delay  # wall-clock: it may cross machines
    return retried


def retry_later(request: Request, reason: str, crawler: Crawler) -> Request | None:
    """A delayed retry of a request whose response the spider judged a failure, or None
    when its retries are spent (`RETRY_TIMES`)."""
    assert crawler.spider is not None  # the crawl is running
    retried = get_retry_request(request, spider=crawler.spider, reason=reason)
    if retried is None:
        return None
    retried.meta.pop("download_latency", None)  # the last download's, not this one's
    return _schedule(retried, crawler.settings, None)


def ask_again(request: Request, crawler: Crawler) -> Request:
    """The same request once more, after the first retry's delay: not a retry of a failure
    (it counts in no retry stats), a second look at an answer too odd to take at once."""
    again = request.replace(dont_filter=True)
    again.meta.pop("download_latency", None)
    base, _ = _delays(crawler.settings)
    again.meta["retry_at"] = time.time() + base
    return again


class BackoffRetry(RetryMiddleware):
    """Scrapy's RetryMiddleware, with each retry delayed by backoff and `Retry-After`."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.settings = settings

    async def process_request(self, request: Request) -> None:
        while (wait := request.meta.get("retry_at", 0.0) - time.time()) > 0:
            engine = self.crawler.engine
            if engine is None or not engine.running:
                return  # stopping: let it go rather than hold the shutdown up
            await sleep(min(wait, WAKE_INTERVAL))

    def process_response(  # type: ignore[override]  # Scrapy 2.13+ passes no spider
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        retried = self._retry(request, status_reason(response.status))
        return _schedule(retried, self.settings, response) if retried is not None else response

    def process_exception(  # type: ignore[override]  # Scrapy 2.13+ passes no spider
        self, request: Request, exception: Exception
    ) -> Request | None:
        if request.meta.get("dont_retry") or not isinstance(exception, self.exceptions_to_retry):
            return None
        retried = self._retry(request, exception)
        return _schedule(retried, self.settings, None) if retried is not None else None
