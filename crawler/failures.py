"""Why a request finally failed, in a few stable words for `failed_pages` and the log.

Scrapy's own messages name its internals ("Ignoring non-200 response", "max redirections
reached") or vary with every URL; an archivist grouping failures by reason needs the same
words for the same fault.
"""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Request
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionDone, ConnectionLost
from twisted.python.failure import Failure

OUTSIDE = "outside the site"
TOO_BIG = "larger than DOWNLOAD_MAXSIZE"
# Words in IgnoreRequest messages (ours and Scrapy's) -> the reason.
IGNORED = (
    ("outside the site", OUTSIDE),
    ("Filtered offsite request", OUTSIDE),
    ("during decompression", "decompresses to more than DOWNLOAD_MAXSIZE"),
    ("max redirections reached", "redirect loop (more than REDIRECT_MAX_TIMES redirects)"),
    ("robots.txt", "forbidden by robots.txt"),
)
# Failures no retry soon will fix: the URL leads away, round in circles, is too big, or is no
# article; they wait the longest of NEWSARCHIVE_RETRY_FAILED_AFTER before the next try.
PERMANENT = (
    OUTSIDE, TOO_BIG, "decompresses to more than", "redirect loop", "not an article URL",
    "forbidden by robots.txt",
)  # fmt: skip
EXCEPTIONS = (
    (DownloadTimeoutError, "timeout (DOWNLOAD_TIMEOUT)"),
    (ResponseDataLossError, "connection closed mid-body"),
    (DownloadConnectionRefusedError, "connection refused"),
    (CannotResolveHostError, "host not found"),
    ((ConnectionLost, ConnectionDone), "connection lost"),
)


def requested_url(request: Request) -> str:
    """The URL the spider asked for, before any redirect: the one a failure is kept under."""
    url: str = (request.meta.get("redirect_urls") or [request.url])[0]
    return url


def describe_failure(failure: Failure) -> str:
    """A short reason for a failed request, with how many retries it had."""
    return with_retries(_reason(failure), getattr(failure, "request", None))


def with_retries(reason: str, request: Request | None) -> str:
    """A failure's reason, followed by how many retries its request had, if any."""
    retries = request.meta.get("retry_times", 0) if request is not None else 0
    return f"{reason} after {retries} retries" if retries else reason


def _reason(failure: Failure) -> str:
    error = failure.value
    if isinstance(error, HttpError):
        status = error.response.status
        # Scrapy follows only http(s) redirects: any other it leaves as a 3xx response.
        return f"redirect {OUTSIDE}" if 300 <= status < 400 else f"HTTP {status}"
    if isinstance(error, IgnoreRequest):
        message = str(error)
        reason = next((said for words, said in IGNORED if words in message), message or "ignored")
        request = getattr(failure, "request", None)
        redirected = request is not None and request.meta.get("redirect_urls")
        return f"redirect {reason}" if redirected and reason == OUTSIDE else reason
    if isinstance(error, DownloadCancelledError):
        # Only the size caps cancel a download here: with the size declared the message says
        # so; a body found too big while streaming is cancelled without a word.
        message = str(error)
        return TOO_BIG if not message or "max size" in message else message
    for kinds, reason in EXCEPTIONS:
        if isinstance(error, kinds):
            return reason
    return failure.getErrorMessage() or type(error).__name__


def is_permanent(reason: str) -> bool:
    """Whether a failure's reason says that retrying soon is pointless."""
    return any(mark in reason for mark in PERMANENT)
