"""Checks of a crawl's input that need nothing heavy: the CLI refuses bad input at once."""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

from .exceptions import BadBaseUrl, SiteUnreachable

HOST_NAME = re.compile(r"(?:[\w-]+\.)*[\w-]+\.?")  # letters of any script, digits, hyphens


def check_base_url(base_url: str) -> str:
    """An absolute http(s) URL with a valid host and port, or BadBaseUrl."""
    try:
        parts = urlsplit(base_url)
        host, _ = parts.hostname, parts.port  # the port property checks its range
    except ValueError as error:
        raise BadBaseUrl(f"bad --base-url {base_url!r}: {error}") from None
    if parts.scheme not in ("http", "https") or not host or not _is_host(host):
        raise BadBaseUrl(
            f"bad --base-url {base_url!r}: give an http:// or https:// URL with a host"
        )
    return base_url


def _is_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return HOST_NAME.fullmatch(host) is not None
    return True


def check_reachable(base_url: str, timeout: float = 15) -> None:
    """Open (and close) one TCP connection to the site, so an unreachable site is one line."""
    parts = urlsplit(base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname, port), timeout=timeout).close()
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__
        raise SiteUnreachable(
            f"cannot reach {base_url} ({reason}); offline, `make demo` crawls the local simulator"
        ) from None


def is_loopback(base_url: str) -> bool:
    """Whether the base URL points at this machine (a mirror or the simulator)."""
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
