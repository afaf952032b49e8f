"""What the writer of a shared crawl publishes of the archive in Redis, and the crawlers' view of
it: crawlers on other machines never open the SQLite file, yet must know what is archived.

At the start of a run the writer publishes the site's frontier whole (archived articles' ids,
titles and URLs, judged pages, failed pages, discovery sources, field shares) and the run's
maintenance lists (due rechecks, due failures, revalidations); after every commit it publishes
what the commit changed. `PublishedFrontier` answers a spider's questions as `Frontier` does.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import redis

from .frontier import Due, Frontier, Seen, Source
from .shared import run_key, site_key, text
from .store import Batch

_CHUNK = 1000
# The hashes of a site's published frontier, each by what it is keyed by.
KNOWN = "known"  # native id -> title of archived, not removed articles
URLS = "urls"  # URL -> [article id, not-article reason, lastmod] of pages the archive knows
FAILED = "failed"  # URL -> next retry time of failed pages
SOURCES = "sources"  # URL -> a discovery source read to its end
FIELDS = "fields"  # (a string) the field shares of the site's recent articles
MAINTENANCE = ("rechecks", "failures", "revalidations")


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _replace(
    client: redis.Redis, key: str, values: Iterable[Any], add: Callable[[Any, str, Any], Any]
) -> None:
    """Fill a new key (`add(pipeline, key, value)` each value) and swap it for the old one at
    once: readers never see half of it."""
    staging = f"{key}:staging"
    client.delete(staging)
    pipe = client.pipeline(transaction=False)
    count = 0
    for value in values:
        add(pipe, staging, value)
        count += 1
        if count % _CHUNK == 0:
            pipe.execute()
    pipe.execute()
    if count:
        client.rename(staging, key)
    else:
        client.delete(key)


def _replace_hash(client: redis.Redis, key: str, items: Iterable[tuple[str, str]]) -> None:
    _replace(client, key, items, lambda pipe, staging, item: pipe.hset(staging, *item))


def _replace_list(client: redis.Redis, key: str, values: Iterable[str]) -> None:
    _replace(client, key, values, lambda pipe, staging, value: pipe.rpush(staging, value))


def publish_site(db: Path, client: redis.Redis, site: str) -> None:
    """Publish the whole frontier of one site (at the start of a run)."""
    frontier = Frontier(db, site)
    conn = frontier.conn
    try:
        _replace_hash(
            client,
            site_key(site, KNOWN),
            conn.execute(
                "SELECT native_id, title FROM articles WHERE site = ? AND removed_at IS NULL",
                [site],
            ),
        )
        pages = (
            (url, _json([article_id, None, None]))
            for url, article_id in conn.execute(
                "SELECT url, id FROM articles WHERE site = ? AND removed_at IS NULL", [site]
            )
        )
        judged = (
            (url, _json([article_id, not_article, lastmod]))
            for url, article_id, not_article, lastmod in conn.execute(
                "SELECT url, article_id, not_article, lastmod FROM judged_pages WHERE site = ?",
                [site],
            )
        )
        _replace_hash(client, site_key(site, URLS), _chain(pages, judged))
        _replace_hash(
            client,
            site_key(site, FAILED),
            conn.execute(
                "SELECT url, coalesce(next_retry_at, '') FROM failed_pages WHERE site = ?", [site]
            ),
        )
        _replace_hash(
            client,
            site_key(site, SOURCES),
            ((url, _json(asdict(source))) for url, source in frontier.sources().items()),
        )
        client.set(site_key(site, FIELDS), _json(frontier.field_shares()))
    finally:
        frontier.close()


def _chain(*parts: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    for part in parts:
        yield from part


def publish_maintenance(
    db: Path, client: redis.Redis, site: str, token: str, wanted: dict[str, Any]
) -> None:
    """Publish the lists a run's maintenance asks for, as its first crawler asked for them:
    `rechecks` [now, limit], `failures` [now or None, limit], `revalidations` [checked
    before or None, limit or None]; a list not asked for is empty."""
    frontier = Frontier(db, site)
    try:
        found: dict[str, Iterable[Any]] = {name: () for name in MAINTENANCE}
        if (rechecks := wanted.get("rechecks")) is not None:
            found["rechecks"] = (asdict(due) for due in frontier.due_rechecks(*rechecks))
        if (failures := wanted.get("failures")) is not None:
            found["failures"] = frontier.due_failures(*failures)
        if (revalidations := wanted.get("revalidations")) is not None:
            found["revalidations"] = (asdict(due) for due in frontier.revalidations(*revalidations))
        for name, values in found.items():
            _replace_list(client, run_key(site, token, name), (_json(v) for v in values))
    finally:
        frontier.close()


def publish_changes(conn: sqlite3.Connection, client: redis.Redis, batches: list[Batch]) -> None:
    """Publish what committed batches changed: articles saved or removed, pages judged,
    failures recorded or cleared, sources read. Read back from the archive, so that what is
    published is what was committed; publishing twice does no harm."""
    urls = [record["url"] for batch in batches for record in batch.articles]
    urls += [url for batch in batches for url in (*batch.gone, *batch.not_modified)]
    failed = [failure["url"] for batch in batches for failure in batch.failures]
    judged = [page["url"] for batch in batches for page in batch.judged]
    sources = [source for batch in batches for source in batch.sources]
    pipe = client.pipeline(transaction=False)
    for chunk in _chunks(urls):
        marks = ",".join("?" * len(chunk))
        for site, native_id, url, title, article_id, removed in conn.execute(
            "SELECT site, native_id, url, title, id, removed_at FROM articles"
            f" WHERE url IN ({marks})",
            chunk,
        ):
            _publish_article(pipe, site, native_id, url, title, article_id, removed)
    for chunk in _chunks(failed):
        marks = ",".join("?" * len(chunk))
        for site, url, next_retry in conn.execute(
            f"SELECT site, url, coalesce(next_retry_at, '') FROM failed_pages"
            f" WHERE url IN ({marks})",
            chunk,
        ):
            pipe.hset(site_key(site, FAILED), url, next_retry)
    for chunk in _chunks(judged):
        marks = ",".join("?" * len(chunk))
        for site, url, article_id, not_article, lastmod in conn.execute(
            "SELECT site, url, article_id, not_article, lastmod FROM judged_pages"
            f" WHERE url IN ({marks})",
            chunk,
        ):
            pipe.hset(site_key(site, URLS), url, _json([article_id, not_article, lastmod]))
    for source in sources:
        stored = {
            "url": source["url"],
            "kind": source["kind"],
            "parent": source.get("parent"),
            "lastmod": source.get("lastmod"),
            "newest": source.get("newest"),
            "etag": source.get("http_etag"),
            "last_modified": source.get("http_last_modified"),
        }
        pipe.hset(site_key(source["site"], SOURCES), source["url"], _json(stored))
    pipe.execute()


def _publish_article(
    pipe: Any,
    site: str,
    native_id: str,
    url: str,
    title: str,
    article_id: str,
    removed: str | None,
) -> None:
    if removed:
        pipe.hdel(site_key(site, KNOWN), native_id)
        pipe.hdel(site_key(site, URLS), url)
    else:
        pipe.hset(site_key(site, KNOWN), native_id, title)
        pipe.hset(site_key(site, URLS), url, _json([article_id, None, None]))
    pipe.hdel(site_key(site, FAILED), url)


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), 500):
        yield values[start : start + 500]


class PublishedFrontier:
    """A crawler's view of the archive of a shared crawl: what the writer published in Redis,
    answered as `archive.frontier.Frontier` answers from the file."""

    def __init__(self, client: redis.Redis, site: str, token: str) -> None:
        self.client = client
        self.site = site
        self.token = token

    def close(self) -> None:
        """Nothing to close: the client belongs to the crawl."""

    def _values(self, name: str, keys: list[str]) -> Iterator[tuple[str, str]]:
        for chunk in _chunks(keys):
            values = self.client.hmget(site_key(self.site, name), chunk)
            yield from (
                (key, text(value))
                for key, value in zip(chunk, values, strict=True)
                if value is not None
            )

    def known(self, native_ids: list[str]) -> dict[str, str]:
        return dict(self._values(KNOWN, native_ids))

    def seen(self, urls: list[str]) -> dict[str, Seen]:
        return {url: Seen(*json.loads(value)) for url, value in self._values(URLS, urls)}

    def failed(self, urls: list[str]) -> set[str]:
        return {url for url, _ in self._values(FAILED, urls)}

    def sources(self) -> dict[str, Source]:
        found = self.client.hgetall(site_key(self.site, SOURCES))
        return {text(url): Source(**json.loads(value)) for url, value in found.items()}

    def field_shares(self) -> tuple[int, dict[str, float]]:
        value = self.client.get(site_key(self.site, FIELDS))
        if not value:
            return 0, {}
        count, shares = json.loads(value)
        return int(count), dict(shares)

    def _published(self, name: str) -> Iterator[Any]:
        key = run_key(self.site, self.token, name)
        start = 0
        while chunk := self.client.lrange(key, start, start + _CHUNK - 1):
            yield from (json.loads(value) for value in chunk)
            start += len(chunk)

    def due_rechecks(self, now: str, limit: int) -> list[Due]:
        return [Due(**due) for due in self._published("rechecks")]

    def due_failures(self, now: str | None, limit: int) -> list[str]:
        return list(self._published("failures"))

    def revalidations(self, checked_before: str | None, limit: int | None) -> Iterator[Due]:
        return (Due(**due) for due in self._published("revalidations"))
