"""How long a retry waits: doubling backoff, at least what Retry-After asks, never past the cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from crawler.retry import backoff_delay, retry_after_seconds

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
