"""Layout drift judged by what was lost: fields the site's archive usually has, found on far
fewer of a run's pages; and pages in a layout no profile knows that still gave every field.

The spider counts, for every article page it extracts, which watched fields it found; the
archive's shares (its most recent articles) are put in the stats at the start, so the judgement
at the end needs the stats alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archive.frontier import WATCHED_FIELDS, is_present

USUAL_SHARE = 0.5  # a field on at least this share of the archive's articles is usual
LOST_FACTOR = 0.5  # ... and lost when a run finds it on less than this part of that share
# A page in an unknown layout has every field when it has those that (nearly) every archived
# article has: a page without a source line lacks nothing if half the articles have none.
ALWAYS_SHARE = 0.9
_USUAL = "newsarchive/usual/"
_FOUND = "newsarchive/field_found/"
JUDGED = "newsarchive/fields_judged"
UNKNOWN_LAYOUT = "newsarchive/unknown_layout"


class FieldWatch:
    """Counts the watched fields of a run's article pages in the crawl's stats."""

    def __init__(
        self,
        stats: Any,
        archived: int,
        shares: dict[str, float],
        enough: int,
        profiled: bool = True,
    ) -> None:
        self.stats = stats
        self.profiled = profiled  # the site has layout profiles: a page none read is news
        judged = archived >= enough
        self.usual = [name for name, share in shares.items() if judged and share >= USUAL_SHARE]
        self.always = {name for name in self.usual if shares[name] >= ALWAYS_SHARE}
        for name in self.usual:
            stats.set_value(f"{_USUAL}{name}", shares[name])

    def seen(self, record: dict[str, Any]) -> None:
        """Count one extracted article page's fields; a page no layout profile read that has
        every field the archive's articles always have is counted as in an unknown layout."""
        self.stats.inc_value(JUDGED)
        found = {name for name in WATCHED_FIELDS if is_present(record, name)}
        for name in found:
            self.stats.inc_value(f"{_FOUND}{name}")
        unread = self.profiled and record["extraction_method"] == "fallback"
        if unread and found >= self.always:
            self.stats.inc_value(UNKNOWN_LAYOUT)


@dataclass(frozen=True)
class LostField:
    """A usual field that a run found far less often than the archive has it."""

    name: str
    archive_share: float
    run_found: int
    run_pages: int

    def describe(self) -> str:
        return (
            f"{self.name} on {self.run_found} of {self.run_pages} pages "
            f"(usually {self.archive_share:.0%})"
        )


def lost_fields(stats: dict[str, Any], enough: int) -> list[LostField]:
    """The usual fields this run lost, once it extracted `enough` article pages to judge."""
    pages = stats.get(JUDGED, 0)
    if pages < enough:
        return []
    lost = []
    for key, share in sorted(stats.items()):
        if not key.startswith(_USUAL):
            continue
        name = key.removeprefix(_USUAL)
        found = stats.get(f"{_FOUND}{name}", 0)
        if found / pages < LOST_FACTOR * share:
            lost.append(LostField(name, share, found, pages))
    return lost


def unknown_layout_pages(stats: dict[str, Any]) -> int:
    """Pages in a layout no profile knows that gave every usual field."""
    return int(stats.get(UNKNOWN_LAYOUT, 0))
