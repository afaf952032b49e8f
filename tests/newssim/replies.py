"""What the simulator sends: a status, a body, its type and when the resource last changed."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from datetime import datetime

NOT_FOUND_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Page not found</title></head>
<body><h1>Not Found</h1><p>The page you asked for does not exist.</p>
<p><a href="/">Go to the home page</a></p></body></html>
"""


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str
    modified: datetime | None = None  # sent as Last-Modified; If-Modified-Since compares to it


def html(text: str, modified: datetime | None = None) -> Reply:
    return Reply(200, text.encode("utf-8"), "text/html; charset=utf-8", modified)


def xml(text: str, modified: datetime | None, kind: str = "application/xml") -> Reply:
    return Reply(200, text.encode("utf-8"), f"{kind}; charset=utf-8", modified)


def plain(text: str) -> Reply:
    return Reply(200, text.encode("utf-8"), "text/plain; charset=utf-8")


def not_found() -> Reply:
    return Reply(404, NOT_FOUND_PAGE.encode("utf-8"), "text/html; charset=utf-8")


def _pixel() -> bytes:
    """A one-pixel grey PNG: every picture of a simulated site is this image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x80")
    return b"\x89PNG\r\n\x1a\n" + b"".join(
        (chunk(b"IHDR", header), chunk(b"IDAT", pixels), chunk(b"IEND", b""))
    )


PIXEL = _pixel()
