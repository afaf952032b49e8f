"""Article → archive record: the one normalise step that crawls (and later re-extraction) share.

Imports neither Scrapy nor the network, so any caller can use it.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import fields, is_dataclass
from datetime import UTC, datetime
from typing import Any

from .extract import EXTRACTOR_VERSION
from .extract._text import unique_texts
from .items import Article

# What makes a new version of an article; counters (comments, rating) are not content.
CONTENT_FIELDS = ("title", "lead", "body_text", "tags", "published_at", "author", "source_url")


def utc_now() -> str:
    """The current time as ISO 8601 in UTC: when a page was seen."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _nfc(value: Any) -> Any:
    """Plain data in NFC: dataclasses become dicts, as `asdict` makes them, in one walk."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(item) for item in value]
    if isinstance(value, dict):
        return {key: _nfc(item) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: _nfc(getattr(value, field.name)) for field in fields(value)}
    return value


def content_hash(record: dict[str, Any]) -> str:
    """SHA-256 over the fields whose change makes a new version of an article."""
    payload = json.dumps([record[name] for name in CONTENT_FIELDS], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def to_record(article: Article) -> dict[str, Any]:
    """The archive record of an article: NFC text, derived columns, content hash."""
    record: dict[str, Any] = _nfc(article)
    record["id"] = article.id
    record["tags"] = unique_texts(record["tags"])
    record["boilerplate_removed"] = [removal["rule"] for removal in record["removals"]]
    record["published_month"] = (record["published_at"] or "")[:7] or None
    record["word_count"] = len(record["body_text"].split())
    record["image_count"] = len(record["images"])
    record["extractor_version"] = EXTRACTOR_VERSION
    record["content_hash"] = content_hash(record)
    return record
