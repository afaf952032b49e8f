"""How long a retry waits: doubling backoff, at least what Retry-After asks, never past the cap."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from scrapy import Spider
from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from crawler.retry import BackoffRetry, backoff_delay, retry_after_seconds

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (b" 5 ", 5.0),
        (format_datetime(NOW + timedelta(seconds=90), usegmt=True), 90.0),
        (format_datetime(NOW - timedelta(hours=1), usegmt=True), 0.0),  # already past
        ("Sun, 01 Mar 2026 12:00:30", 30.0),  # no zone: HTTP dates are GMT
        ("-5", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_is_read_as_seconds_or_a_date(header: str | None, seconds: float) -> None:
    assert retry_after_seconds(header, NOW) == seconds


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [backoff_delay(n, 2.0, 20.0) for n in range(1, 6)] == [2.0, 4.0, 8.0, 16.0, 20.0]


def test_retry_after_wins_over_backoff_but_not_over_the_cap() -> None:
    assert backoff_delay(1, 2.0, 120.0, retry_after=30.0) == 30.0
    assert backoff_delay(3, 2.0, 120.0, retry_after=1.0) == 8.0
    assert backoff_delay(1, 2.0, 120.0, retry_after=3600.0) == 120.0


def middleware(**settings: object) -> BackoffRetry:
    crawler = get_crawler(Spider, settings_dict={
        "NEWSARCHIVE_RETRY_DELAY": 2.0, "NEWSARCHIVE_RETRY_MAX_DELAY": 60.0, "RETRY_TIMES": 2,
        **settings,
    })  # fmt: skip
    crawler.spider = Spider.from_crawler(crawler, name="site")
    return BackoffRetry.from_crawler(crawler)


def test_a_429_is_retried_when_the_server_says_and_then_given_up() -> None:
    retry = middleware()
    request = Request("https://sdelanounas.ru/blogs/1/")
    asked = Response(request.url, status=429, headers={"Retry-After": "30"}, request=request)
    before = time.time()
    first = retry.process_response(request, asked)
    assert isinstance(first, Request) and first.meta["retry_times"] == 1
    assert 30 <= first.meta["retry_at"] - before <= 31
    second = retry.process_response(first, Response(request.url, status=503, request=first))
    assert isinstance(second, Request)
    assert 4 <= second.meta["retry_at"] - before <= 5  # backoff: 2 s, then 4 s
    gone = Response(request.url, status=503, request=second)
    assert retry.process_response(second, gone) is gone  # RETRY_TIMES spent
    assert retry.crawler.stats.get_value("retry/count") == 2
    assert retry.process_response(request, Response(request.url, status=404)).status == 404


def test_a_timeout_is_retried_after_the_backoff_and_a_size_cap_is_not() -> None:
    retry = middleware()
    request = Request("https://sdelanounas.ru/blogs/1/")
    again = retry.process_exception(request, DownloadTimeoutError())
    assert isinstance(again, Request) and again.meta["retry_at"] > time.time() + 1
    assert retry.process_exception(request, DownloadCancelledError("too big")) is None
