"""RSS 2.0 and Atom 1.0 feeds, built from plain data so each site can fill in its own fields."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True)
class Channel:
    title: str
    link: str
    description: str
    language: str
    self_url: str
    built: datetime | None = None
    namespaces: tuple[tuple[str, str], ...] = ()
    extra: str = ""  # further channel elements, already in XML


@dataclass(frozen=True)
class Item:
    """An RSS item; `extra` is further elements (dc:creator, content:encoded …) as XML."""

    title: str
    link: str
    published: datetime | None
    guid: str | None = None
    guid_is_link: bool = True
    description: str | None = None
    categories: tuple[str, ...] = ()
    extra: str = ""


def rfc822(moment: datetime) -> str:
    """RFC 822 date with a numeric offset, as RSS wants it (`Mon, 30 Nov 2026 17:45:00 -0500`)."""
    return format_datetime(moment)


def rss(channel: Channel, items: Iterable[Item]) -> str:
    namespaces = "".join(f" xmlns:{prefix}={quoteattr(uri)}" for prefix, uri in channel.namespaces)
    namespaces += ' xmlns:atom="http://www.w3.org/2005/Atom"'
    built = f"<lastBuildDate>{rfc822(channel.built)}</lastBuildDate>\n" if channel.built else ""
    head = (
        f"<title>{escape(channel.title)}</title>\n"
        f'<atom:link href={quoteattr(channel.self_url)} rel="self" type="application/rss+xml"/>\n'
        f"<link>{escape(channel.link)}</link>\n"
        f"<description>{escape(channel.description)}</description>\n"
        f"{built}<language>{channel.language}</language>\n{channel.extra}"
    )
    body = "".join(_item(item) for item in items)
    return f'{HEAD}<rss version="2.0"{namespaces}>\n<channel>\n{head}{body}</channel>\n</rss>\n'


def _item(item: Item) -> str:
    parts = [f"<title>{escape(item.title)}</title>", f"<link>{escape(item.link)}</link>"]
    if item.guid:
        permalink = "" if item.guid_is_link else ' isPermaLink="false"'
        parts.append(f"<guid{permalink}>{escape(item.guid)}</guid>")
    if item.published:
        parts.append(f"<pubDate>{rfc822(item.published)}</pubDate>")
    parts += [f"<category>{cdata(name)}</category>" for name in item.categories]
    if item.description is not None:
        parts.append(f"<description>{cdata(item.description)}</description>")
    if item.extra:
        parts.append(item.extra)
    return "<item>\n" + "\n".join(parts) + "\n</item>\n"


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    link: str
    published: datetime
    updated: datetime
    author: str
    summary: str
    categories: tuple[tuple[str, str], ...] = field(default=())  # (term, label)


def atom(
    title: str, home: str, self_url: str, feed_id: str, author: str, entries: list[Entry]
) -> str:
    updated = max((entry.updated for entry in entries), default=None)
    head = (
        f"<title>{escape(title)}</title>\n"
        f'<link href={quoteattr(self_url)} rel="self" type="application/atom+xml"/>\n'
        f'<link href={quoteattr(home)} rel="alternate" type="text/html"/>\n'
        f"<id>{escape(feed_id)}</id>\n"
        + (f"<updated>{updated.isoformat()}</updated>\n" if updated else "")
        + f"<author><name>{escape(author)}</name></author>\n"
    )
    body = "".join(_entry(entry) for entry in entries)
    return f'{HEAD}<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n{head}{body}</feed>\n'


def _entry(entry: Entry) -> str:
    categories = "".join(
        f"<category term={quoteattr(term)} label={quoteattr(label)}/>"
        for term, label in entry.categories
    )
    return (
        "<entry>\n"
        f"<title>{escape(entry.title)}</title>\n"
        f'<link rel="alternate" type="text/html" href={quoteattr(entry.link)}/>\n'
        f"<id>{escape(entry.id)}</id>\n"
        f"<published>{entry.published.isoformat()}</published>\n"
        f"<updated>{entry.updated.isoformat()}</updated>\n"
        f"<author><name>{escape(entry.author)}</name></author>\n"
        f"{categories}\n"
        f'<summary type="text">{escape(entry.summary)}</summary>\n'
        "</entry>\n"
    )
