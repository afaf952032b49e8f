"""What the spiders yield: the article (the one Article schema, defined with the archive's
columns in `archive.article`) and the items that tell the pipeline what a page did."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from archive.article import Article, Image, Removal

__all__ = [
    "ArchiveRecord",
    "Article",
    "Gone",
    "Image",
    "LeaseDone",
    "Listed",
    "ListingDone",
    "ListingEntry",
    "NotArticle",
    "NotModified",
    "PageFailure",
    "Removal",
    "SourceDone",
    "SourceFound",
]  # fmt: skip


@dataclass
class ArchiveRecord:
    """An article as the archive stores it (`crawler.normalise.to_record`): ready to write."""

    record: dict[str, Any]
    judged: dict[str, Any] | None = None  # the page as judged: its URL as fetched, its lastmod


@dataclass
class Listed:
    """How a candidate page of a site read by its address was found: in a sitemap or feed
    (which list posts: their pages need only a body of real sentences), or by a link (whose
    pages need more evidence to count as articles)."""

    url: str
    via: str  # "sitemap", "news sitemap", "feed" or "link"
    lastmod: str | None = None  # when the sitemap or feed says the page last changed
    published_at: str | None = None  # the publication date the sitemap or feed gives
    depth: int = 0  # links followed from the home page to reach it

    @property
    def by_link(self) -> bool:
        return self.via == "link"


@dataclass
class NotArticle:
    """A page judged to be no article (a section, tag, author or search page …): remembered,
    so it is not fetched again as a candidate; neither a failure nor counted in the drift."""

    site: str
    url: str
    reason: str
    lastmod: str | None = None


@dataclass
class SourceDone:
    """A sitemap or feed all of whose entries are archived or accounted for: a rerun compares
    its lastmod and validators with these and asks only what changed."""

    state: dict[str, Any]


@dataclass
class SourceFound:
    """A sitemap or feed found by discovery and not read to its end yet: a rerun starts from
    it too, and reads it whole (no validators), so a run stopped before it was done loses
    nothing."""

    state: dict[str, Any]


@dataclass
class ListingEntry:
    """One post as a listing page shows it: enough to decide whether to fetch the article."""

    native_id: str
    url: str
    title: str
    published_at: str | None = None
    author: str | None = None
    category: str | None = None
    comment_count: int | None = None
    tags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain data, as stored in golden files."""
        return asdict(self)


@dataclass
class PageFailure:
    """A page that could not be archived, and why: kept so nothing fails silently."""

    site: str
    url: str
    reason: str
    permanent: bool = False  # no retry soon will fix it: it waits the longest (see settings)

    def to_dict(self) -> dict[str, Any]:
        """Plain data, as the archive stores it."""
        return asdict(self)


@dataclass
class Gone:
    """An article URL that answered 404 or 410: removed if archived, else absent."""

    url: str


@dataclass
class NotModified:
    """An archived article whose recheck answered 304 Not Modified."""

    url: str


@dataclass
class ListingDone:
    """Every entry of this listing page is archived or accounted for: the run's cursor moves."""

    page: int


@dataclass
class LeaseDone:
    """Every result of a request of a shared crawl is yielded: its lease ends when they are in
    the results stream (a crawler dying before that leaves the request to another)."""

    lease: str
