"""Saved searches as Atom 1.0 feeds: the newest matching articles, for a feed reader to poll."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from archive.search import Hit
from archive.view import sanitise

ATOM = "http://www.w3.org/2005/Atom"
# The scheme of the category that names an entry's site, beside the site's own rubric.
SITE_SCHEME = "urn:newsarchive:site"
EPOCH = "1970-01-01T00:00:00+00:00"


def _child(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def _updated(hits: list[Hit]) -> str:
    """The newest article's date: a reader sees the feed change when a match arrives."""
    dates = [hit.published_at for hit in hits if hit.published_at]
    return max(dates, key=_moment) if dates else EPOCH


def _moment(iso: str) -> datetime:
    moment = datetime.fromisoformat(iso)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def atom_feed(
    title: str, feed_url: str, page_url: str, hits: Iterable[Hit], article_url: Callable[[Hit], str]
) -> bytes:
    """The feed document: one entry per hit, in the order given (the newest first).

    Each entry links to the original article (`alternate`) and to its page in the archive
    (`related`, also its id, which never changes); the summary is the snippet, sanitised.
    Its site is a category of the scheme SITE_SCHEME.
    """
    hits = list(hits)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _child(feed, "title", title)
    _child(feed, "id", feed_url)
    _child(feed, "updated", _updated(hits))
    _child(feed, "link", rel="self", href=feed_url, type="application/atom+xml")
    _child(feed, "link", rel="alternate", href=page_url, type="text/html")
    _child(_child(feed, "author"), "name", "Newsarchive")
    for hit in hits:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        archived = article_url(hit)
        _child(entry, "title", hit.title)
        _child(entry, "id", archived)
        _child(entry, "updated", hit.published_at or EPOCH)
        if hit.published_at:
            _child(entry, "published", hit.published_at)
        _child(entry, "link", rel="alternate", href=hit.url, type="text/html")
        _child(entry, "link", rel="related", href=archived, type="text/html")
        if hit.author:
            _child(_child(entry, "author"), "name", hit.author)
        _child(
            entry, "category", term=hit.site, scheme=SITE_SCHEME, label=f"Сайт / Site: {hit.site}"
        )
        if hit.category:
            _child(entry, "category", term=hit.category)
        _child(entry, "summary", sanitise(hit.snippet), type="html")
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document
