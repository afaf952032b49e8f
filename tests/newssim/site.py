"""A simulated news site: its articles, how they change between crawls, and its ground truth.

The site answers request targets for any host (every absolute URL it writes uses the host the
request came to); `expected_articles()` says what an archive of it should hold, in the URL form
the archive keeps, so an end-to-end test can compare the two exactly.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from .atomblog import AtomBlog
from .canonicalsite import CanonicalElsewhere
from .corpus import Article, published_at, update_paragraph, write_article
from .kinds import Kind
from .kommersant import Kommersant
from .linksite import LinksOnly
from .replies import PIXEL, Reply, html, not_found, plain
from .ria import Ria
from .robotssite import RobotsRules
from .wordpress import WordPress

KINDS: dict[str, type[Kind]] = {
    kind.name: kind
    for kind in (WordPress, AtomBlog, LinksOnly, CanonicalElsewhere, RobotsRules, Ria, Kommersant)
}
FORBID_ALL = "User-agent: *\nDisallow: /\n"


@dataclass(frozen=True)
class Expected:
    """What the archive should hold for one article."""

    url: str  # the URL form the archive keeps
    title: str
    published_at: str  # ISO 8601 with its offset
    modified_at: str
    author: str | None
    section: str
    tags: list[str]
    sentence: str  # a distinctive sentence of the body
    page_date: bool  # whether the article's page itself shows its date
    language: str
    native_id: str | None  # the id the site's URLs carry, if they carry one
    update: str | None  # the paragraph the latest edit added, if it was edited


class NewsSite:
    """A site of one of the KINDS, `articles` long, its text decided by `seed`."""

    def __init__(
        self,
        kind: str = "wordpress",
        articles: int = 24,
        seed: int = 1,
        crawl_delay: float = 1.0,
        forbid_all: bool = False,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}")
        self.kind = kind
        self.seed = seed
        self.crawl_delay = crawl_delay
        self.forbid_all = forbid_all
        self.initial = articles
        self.base_url = "http://127.0.0.1"  # where it was last started; see start_news_site
        self.structure = KINDS[kind](self)
        self._oldest_first: list[Article] = []
        self._slugs: set[str] = set()
        self._lock = threading.RLock()
        self._grow(articles)
        self._clock = max(article.published for article in self._oldest_first)

    @property
    def articles(self) -> list[Article]:
        """Newest first."""
        return self._oldest_first[::-1]

    def add_articles(self, count: int) -> list[str]:
        """Publish `count` newer articles; their paths, newest first."""
        with self._lock:
            added = self._grow(count)
            self._clock = max(self._clock, added[-1].published)
        return [self.structure.article_path(article) for article in reversed(added)]

    def edit(self, url: str) -> None:
        """Add a paragraph to an article (given by URL or path) and move its modified time."""
        path = urlsplit(url).path
        with self._lock:
            article = self._by_path().get(path)
            if article is None:
                raise KeyError(f"no article at {path}")
            self._clock += timedelta(hours=1)
            article.updates.append(update_paragraph(self.structure.lexicon, article, self._clock))
            article.modified = self._clock

    def expected_articles(self, base: str | None = None) -> list[Expected]:
        """One per article, newest first; URLs on `base` (by default where it was started)."""
        root = (base or self.base_url).rstrip("/")
        with self._lock:
            return [self._expected(article, root) for article in self.articles]

    def article_paths(self) -> list[str]:
        with self._lock:
            return [self.structure.article_path(article) for article in self.articles]

    def non_article_paths(self) -> list[str]:
        """Every HTML page of the site that is no article (sitemaps and feeds aside)."""
        with self._lock:
            return self.structure.non_article_paths()

    def forbidden_paths(self) -> list[str]:
        """Pages that exist but that robots.txt forbids: a crawler must never ask for them."""
        return self.structure.forbidden_paths()

    def reply(self, target: str, host: str) -> Reply:
        """The answer to a request target arriving with that Host header."""
        parts = urlsplit(target)
        path = parts.path or "/"
        base = f"http://{host}"
        with self._lock:
            if path == "/robots.txt":
                return plain(FORBID_ALL if self.forbid_all else self.structure.robots(host))
            if article := self._by_path().get(path):
                return html(self.structure.article_page(article, base), article.updated)
            if path in self._images():
                return Reply(200, PIXEL, "image/png")
            query = parse_qs(parts.query, keep_blank_values=True)
            return self.structure.route(path, query, base) or not_found()

    def _grow(self, count: int) -> list[Article]:
        start = len(self._oldest_first) + 1
        added = [
            write_article(
                self.structure.lexicon,
                self.structure.sections,
                self.seed,
                number,
                published_at(number, self.initial, self.structure.zone),
                self._slugs,
                self.kind,
            )
            for number in range(start, start + count)
        ]
        self._oldest_first += added
        return added

    def _by_path(self) -> dict[str, Article]:
        return {self.structure.article_path(article): article for article in self._oldest_first}

    def _images(self) -> set[str]:
        paths = (self.structure.image_path(article) for article in self._oldest_first)
        return {path for path in paths if path}

    def _expected(self, article: Article, base: str) -> Expected:
        kind = self.structure
        return Expected(
            url=base + kind.article_path(article),
            title=article.title,
            published_at=article.published.isoformat(),
            modified_at=article.updated.isoformat(),
            author=kind.byline(article),
            section=article.section.name,
            tags=[tag.name for tag in article.tags],
            sentence=article.sentence,
            page_date=kind.shows_date(article),
            language=kind.language,
            native_id=kind.native_id(article),
            update=article.updates[-1] if article.updates else None,
        )
