"""What every kind of simulated site is: its URL scheme, its pages and what it knows of itself.

A kind reads the site's articles (newest first) and answers a path; the site around it keeps
the articles, robots.txt, images, the 404s and the conditional GETs, so a kind is only the
structure that makes it differ from the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar
from zoneinfo import ZoneInfo

from .corpus import ENGLISH, NEW_YORK, Article, Lexicon, Term
from .replies import Reply

if TYPE_CHECKING:
    from .site import NewsSite

Query = dict[str, list[str]]


class Kind:
    """One kind of site. Subclasses set the class attributes and write the pages."""

    name: ClassVar[str]
    sections: ClassVar[tuple[Term, ...]]
    language: ClassVar[str] = "en"
    zone: ClassVar[ZoneInfo] = NEW_YORK
    lexicon: ClassVar[Lexicon] = ENGLISH

    def __init__(self, site: NewsSite) -> None:
        self.site = site

    @property
    def articles(self) -> list[Article]:
        """The site's articles, newest first."""
        return self.site.articles

    def article_path(self, article: Article) -> str:
        raise NotImplementedError

    def article_page(self, article: Article, base: str) -> str:
        raise NotImplementedError

    def route(self, path: str, query: Query, base: str) -> Reply | None:
        """Everything but the articles, robots.txt and images; None for a path it lacks."""
        raise NotImplementedError

    def non_article_paths(self) -> list[str]:
        raise NotImplementedError

    def robots(self, host: str) -> str:
        return "User-agent: *\nDisallow:\n"

    def image_path(self, article: Article) -> str | None:
        return f"/images/{article.picture.path}" if article.picture else None

    def shows_date(self, article: Article) -> bool:
        """Whether the article's own page tells its date."""
        return True

    def byline(self, article: Article) -> str | None:
        return article.author.name if article.author else None

    def native_id(self, article: Article) -> str | None:
        """The id the site's URLs carry, for sites that have one."""
        return None

    def forbidden_paths(self) -> list[str]:
        """Pages that exist but robots.txt forbids."""
        return []

    def in_section(self, section: Term) -> list[Article]:
        return [article for article in self.articles if article.section == section]

    def tagged(self, tag: Term) -> list[Article]:
        return [article for article in self.articles if tag in article.tags]

    def by_author(self, author: Term) -> list[Article]:
        return [article for article in self.articles if article.author == author]

    def used_tags(self) -> list[Term]:
        return sorted({tag for article in self.articles for tag in article.tags}, key=_slug)

    def used_authors(self) -> list[Term]:
        authors = {article.author for article in self.articles if article.author}
        return sorted(authors, key=_slug)

    def used_sections(self) -> list[Term]:
        return [section for section in self.sections if self.in_section(section)]

    def newest_update(self) -> datetime | None:
        return max((article.updated for article in self.articles), default=None)


def _slug(term: Term) -> str:
    return term.slug


def pages_of(items: Sequence[Article], per_page: int) -> int:
    """How many listing pages `items` fill (one, even when empty)."""
    return max(1, -(-len(items) // per_page))


def page_of(items: Sequence[Article], page: int, per_page: int) -> list[Article]:
    return list(items[(page - 1) * per_page : page * per_page])
