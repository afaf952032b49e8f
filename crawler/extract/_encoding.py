"""Decode page bytes: a byte-order mark, the HTTP charset, or a charset the page declares wins;
otherwise strict UTF-8, then the single-byte encoding the bytes look like.

Scrapy falls back to cp1252 for pages that declare nothing, which turns Russian into silent
mojibake. w3lib looks for a declaration in the first 4 KB only; a page whose `<meta charset>`
comes after a long head is searched further. Bytes invalid in the chosen encoding are replaced,
never an error.
"""

from __future__ import annotations

import re

from w3lib.encoding import html_to_unicode, resolve_encoding

# How far into the page a late `<meta charset>` is looked for: the head ends before this.
LATE_DECLARATION_WINDOW = 64 * 1024
_HEAD_END = re.compile(rb"</head\s*>|<body[\s>]", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_CYRILLIC_1251 = re.compile(rb"[\xc0-\xff]")
_HIGH = re.compile(rb"[\x80-\xff]")
# In windows-1251 text most bytes above 0x7f are Cyrillic letters (0xC0-0xFF); in windows-1252
# text they are scattered accents, a small share of the letters.
_CYRILLIC_SHARE = 0.6


def _late_declaration(body: bytes) -> str | None:
    """A charset declared in the head beyond the first 4 KB that w3lib reads."""
    head = body[:LATE_DECLARATION_WINDOW]
    end = _HEAD_END.search(head)
    match = _META_CHARSET.search(head[: end.start() if end else None])
    return resolve_encoding(match.group(1).decode("ascii")) if match else None


def _detect(body: bytes) -> str:
    """The encoding of bytes that declare none: UTF-8 if they decode as such, else windows-1251
    for text whose high bytes are mostly Cyrillic letters, else windows-1252."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    if late := _late_declaration(body):
        return late
    high = len(_HIGH.findall(body[:LATE_DECLARATION_WINDOW]))
    cyrillic = len(_CYRILLIC_1251.findall(body[:LATE_DECLARATION_WINDOW]))
    return "cp1251" if high and cyrillic >= _CYRILLIC_SHARE * high else "cp1252"


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Page text from raw bytes and the Content-Type header, if any."""
    _, text = html_to_unicode(content_type, body, auto_detect_fun=_detect)
    return text
