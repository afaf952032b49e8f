"""Where a walk of numbered listing pages keeps its state: in the spider's memory, or, for a
crawl shared by several processes, in Redis, since any crawler may read the walk's next page or
the answer to one of its articles.

The state: per listing page, the articles it waits for (a page is done when all are archived or
accounted for) and the streak of archived, unchanged entries up to its end; per walk (`main`,
and `top` for a resumed run), which page listed each id first (a site that serves the same page
for any number must not walk forever) and how many posts its latest page showed; the most any
page showed. Reading a page again (its crawler died before its lease ended) changes nothing:
each page's share of the state is keyed by the page.
"""

from __future__ import annotations

import redis

from archive.shared import run_key, text


class ListingWalk:
    """The state of a walk in one process."""

    def __init__(self) -> None:
        self.pending: dict[int, set[str]] = {}
        self.streaks: dict[tuple[str, int], int] = {}
        self.listed: dict[str, dict[str, int]] = {"main": {}, "top": {}}
        self.shown: dict[str, int] = {}
        self.most_shown = 0

    def streak(self, walk: str, page: int) -> int:
        """The streak of archived, unchanged entries before page `page` of the walk."""
        return self.streaks.get((walk, page - 1), 0)

    def set_streak(self, walk: str, page: int, streak: int) -> None:
        self.streaks[(walk, page)] = streak

    def repeats(self, walk: str, page: int, ids: set[str]) -> bool:
        """Whether a page shows only entries other pages of this walk listed before; else
        they are noted as this page's."""
        listed = self.listed[walk]
        if ids and all(listed.get(native_id, page) != page for native_id in ids):
            return True
        for native_id in ids:
            listed.setdefault(native_id, page)
        self.shown[walk] = len(ids)
        self.most_shown = max(self.most_shown, len(ids))
        return False

    def last_shown(self, walk: str) -> int | None:
        """How many posts the walk's latest page showed (None: it has read none yet)."""
        return self.shown.get(walk)

    def page_size(self) -> int:
        return self.most_shown

    def claim(self, page: str, ids: list[str]) -> list[str]:
        """Those of these articles no other page of the run has asked for (in one process, an
        article listed twice is asked twice, as each page waits for its own answer)."""
        return ids

    def expect(self, page: int, ids: set[str]) -> None:
        """Page `page` is done once these articles are."""
        self.pending[page] = set(ids)

    def resolve(self, page: int, native_id: str) -> bool:
        """Note an article of page `page` as done; whether the page is now done."""
        pending = self.pending.get(page)
        if pending is None or native_id not in pending:
            return False
        pending.discard(native_id)
        return not pending


class SharedListingWalk(ListingWalk):
    """The state of a walk that every crawler of a shared run reads and writes, in Redis."""

    def __init__(self, client: redis.Redis, site: str, token: str) -> None:
        super().__init__()
        self.client = client
        self.site, self.token = site, token
        self.state = self.key("walk")

    def key(self, *parts: str) -> str:
        return run_key(self.site, self.token, *parts)

    def streak(self, walk: str, page: int) -> int:
        return int(self.client.hget(self.state, f"streak:{walk}:{page - 1}") or 0)

    def set_streak(self, walk: str, page: int, streak: int) -> None:
        self.client.hset(self.state, f"streak:{walk}:{page}", streak)

    def repeats(self, walk: str, page: int, ids: set[str]) -> bool:
        listed = self.key("listed", walk)
        ordered = sorted(ids)
        owners = [text(owner) for owner in self.client.hmget(listed, ordered)]
        if ordered and all(owner not in ("", str(page)) for owner in owners):
            return True
        pipe = self.client.pipeline()
        for native_id in ordered:
            pipe.hsetnx(listed, native_id, page)
        pipe.hset(self.state, f"shown:{walk}", len(ids))
        pipe.execute()
        if len(ids) > self.page_size():
            self.client.hset(self.state, "most_shown", len(ids))
        return False

    def last_shown(self, walk: str) -> int | None:
        shown = self.client.hget(self.state, f"shown:{walk}")
        return int(shown) if shown is not None else None

    def page_size(self) -> int:
        return int(self.client.hget(self.state, "most_shown") or 0)

    def claim(self, page: str, ids: list[str]) -> list[str]:
        """Those of these articles no other page of the run asked for: with pages read by
        several crawlers, an article listed on two pages (the listing moved) is asked once;
        a page read again asks again for its own."""
        if not ids:
            return []
        asked = self.key("asked")
        pipe = self.client.pipeline()
        for native_id in ids:
            pipe.hsetnx(asked, native_id, page)
        pipe.hmget(asked, ids)
        *_, owners = pipe.execute()
        return [
            native_id for native_id, owner in zip(ids, owners, strict=True) if text(owner) == page
        ]

    def expect(self, page: int, ids: set[str]) -> None:
        if ids:
            self.client.sadd(self.key("pending", str(page)), *ids)

    def resolve(self, page: int, native_id: str) -> bool:
        pipe = self.client.pipeline()
        pipe.srem(self.key("pending", str(page)), native_id)
        pipe.scard(self.key("pending", str(page)))
        removed, left = pipe.execute()
        return bool(removed) and not left


class Tally:
    """Counters and marks of a discovery (sources asked and not answered, pages listed, the
    links walk's state), in one process."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def add(self, name: str, delta: int = 0) -> int:
        """The counter `name` moved by `delta` (0: read)."""
        value = int(self.values.get(name, 0)) + delta
        self.values[name] = str(value)
        return value

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def put(self, name: str, value: str) -> None:
        self.values[name] = value

    def first(self, name: str) -> bool:
        """Whether this is the first call for `name` (in the run, over every crawler)."""
        if name in self.values:
            return False
        self.values[name] = "1"
        return True


class SharedTally(Tally):
    """The same, in Redis, for every crawler of a shared run."""

    def __init__(self, client: redis.Redis, site: str, token: str) -> None:
        super().__init__()
        self.client = client
        self.key = run_key(site, token, "discovery")

    def add(self, name: str, delta: int = 0) -> int:
        return int(self.client.hincrby(self.key, name, delta))

    def get(self, name: str) -> str | None:
        value = self.client.hget(self.key, name)
        return text(value) if value is not None else None

    def put(self, name: str, value: str) -> None:
        self.client.hset(self.key, name, value)

    def first(self, name: str) -> bool:
        return bool(self.client.hsetnx(self.key, name, "1"))
