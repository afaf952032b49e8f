"""The golden pages: where each comes from and which extractor reads it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.extract import extract_article, parse_listing
from tests.sitesim.corpus import FIXTURES, MOSCOW, SimArticle, seed_article, synthetic_article

GOLDEN = Path(__file__).resolve().parent / "sdelanounas"
BASE = "https://sdelanounas.ru"


@dataclass(frozen=True)
class Case:
    """One saved page: its file stem, URL, and the extractor that reads it."""

    name: str
    url: str
    kind: str  # "article" or "listing"

    @property
    def html_path(self) -> Path:
        return GOLDEN / f"{self.name}.html"

    @property
    def json_path(self) -> Path:
        return GOLDEN / f"{self.name}.json"

    def html(self) -> str:
        if self.kind == "listing":
            return real_listing_html()
        return self.html_path.read_text(encoding="utf-8")

    def extract(self) -> Any:
        html = self.html()
        if self.kind == "listing":
            return [entry.to_dict() for entry in parse_listing(self.url, html)]
        return extract_article(self.url, html).to_dict()


def _synthetic(article_id: int, layout: str, when: datetime) -> SimArticle:
    article = synthetic_article(article_id, when)
    article.layout = layout
    return article


# Synthetic article pages (labelled so in the page), chosen for their dates and layouts:
# Moscow was UTC+3 in winter and UTC+4 in summer until 2011, UTC+4 all year 2011-2014, then UTC+3.
SYNTHETIC: dict[str, Callable[[], SimArticle]] = {
    "synthetic_classic_2010-01-15": lambda: _synthetic(
        100301, "classic", datetime(2010, 1, 15, 10, 0, tzinfo=MOSCOW)
    ),
    "synthetic_modern_2010-07-15": lambda: _synthetic(
        100302, "modern", datetime(2010, 7, 15, 23, 30, tzinfo=MOSCOW)
    ),
    "synthetic_classic_2012-06-01": lambda: _synthetic(
        100303, "classic", datetime(2012, 6, 1, 8, 15, tzinfo=MOSCOW)
    ),
    "synthetic_redesign_2020-02-29": lambda: _synthetic(
        100304, "redesign", datetime(2020, 2, 29, 0, 45, tzinfo=MOSCOW)
    ),
    "synthetic_seed_redesign_2017-11-23": lambda: seed_article(100873),
}


def sim_article(name: str) -> SimArticle:
    """The simulator's own record of a synthetic golden page: the truth it was made from."""
    return SYNTHETIC[name]()


def cases() -> list[Case]:
    """Every golden page: the real listing, then the synthetic article pages."""
    found = [Case("real_listing_2018-03-20", f"{BASE}/blogs/", "listing")]
    for name in SYNTHETIC:
        found.append(Case(name, f"{BASE}/blogs/{sim_article(name).id}/", "article"))
    return found


def real_listing_html() -> str:
    """The saved home page, its three parts joined again."""
    parts = sorted((FIXTURES / "real").glob("homepage_2018-03-20_part*.html"))
    return "".join(part.read_text(encoding="utf-8") for part in parts)
