"""Decode page bytes: a declared charset wins; otherwise strict UTF-8, then windows-1251.

Scrapy falls back to cp1252 for pages that declare nothing, which turns Russian into silent
mojibake; windows-1251 is the only other encoding Russian news sites still serve.
"""

from w3lib.encoding import html_to_unicode


def _detect_cyrillic(body: bytes) -> str:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8"


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Page text from raw bytes and the Content-Type header, if any."""
    _, text = html_to_unicode(content_type, body, auto_detect_fun=_detect_cyrillic)
    return text
