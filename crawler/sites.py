"""The registry of sites: one entry per site, as data (Fundus's publisher specs are the model).

Each entry is a TOML file in `crawler/registry/`, read and checked when the registry loads:
adding a site whose structure the registry can describe needs no code.

An entry says where a site lives (domains, language, time zone), how its articles are found,
which URL is which article (the identity rule), and what is known of its layouts: the selectors
of each dated profile, the containers that hold its page furniture, and the texts of that
furniture. Extraction reads all of it from here; a site that is not in the registry gets the
generic entry of `generic_site`, whose only knowledge is what every news page shares.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from w3lib.url import canonicalize_url, url_query_cleaner

from .exceptions import BadSiteEntry, UnknownSite

# Query parameters that say where a reader came from, never which page it is.
TRACKING_PARAMETERS = (
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id", "from",
    "fbclid", "gclid", "yclid", "ysclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid",
    "_ga", "_gl", "ref", "ref_src", "spm", "share", "smid", "cmpid", "ito",
)  # fmt: skip


@dataclass(frozen=True)
class Containers:
    """Elements with one of these tags, classes, ids, id prefixes or ARIA roles are furniture."""

    name: str
    tags: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()
    ids: frozenset[str] = frozenset()
    id_prefixes: tuple[str, ...] = ()
    roles: frozenset[str] = frozenset()


def containers(name: str, **kinds: str) -> Containers:
    """A rule from space-separated names: `containers("ads", classes="banner_wide banner")`."""
    names = {kind: value.split() for kind, value in kinds.items()}
    return Containers(
        name,
        tags=frozenset(names.get("tags", ())),
        classes=frozenset(names.get("classes", ())),
        ids=frozenset(names.get("ids", ())),
        id_prefixes=tuple(sorted(names.get("id_prefixes", ()))),
        roles=frozenset(names.get("roles", ())),
    )


@dataclass(frozen=True)
class Furniture:
    """A block whose whole text is made of these phrases is page furniture, whatever its markup.

    Phrases are plain text, compared word by word (case, punctuation and `ё` ignored); a phrase
    ending in `…` stands for its words and the rest of their sentence.
    """

    name: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    """One of a site's layouts, as known from a date on: where its article's parts are."""

    name: str
    known_from: str  # ISO date of the first page seen in this layout
    title_classes: tuple[str, ...] = ()  # the headline is the h1 with one of these classes
    body_classes: tuple[str, ...] = ()  # the body is the first div with one of these classes
    body_itemprops: tuple[str, ...] = ()  # ... else the first element with this itemprop
    rating_box_class: str | None = None  # the rating is a span.rating inside a div of this class


@dataclass(frozen=True)
class Links:
    """What a link's target says of its role on this site (a part of the href to look for)."""

    author: str | None = None  # e.g. "/account/": the author's page; the login follows it
    category: str | None = None
    tag: str | None = None
    comments: str | None = None  # e.g. "#comments": the anchor of the comment section


@dataclass(frozen=True)
class Site:
    """A news site: where it lives, how its articles are found and read."""

    name: str
    title: str
    base_url: str
    domains: tuple[str, ...]
    language: str | None = None  # ISO 639-1
    time_zone: str | None = None  # IANA name; dates without an offset are read in it
    discovery: tuple[str, ...] = ()  # "listing", "sitemap", "feed", "links"
    # The identity rule: a regex over the URL's path whose first group is the article's id;
    # None for sites whose articles are known by their normalised URL.
    article_path: str | None = None
    listing_path: str | None = None  # with `{page}`, for sites walked by numbered listings
    # Where discovery starts, as paths on the site (or addresses): its sitemaps (indexes, news
    # sitemaps, gzipped ones) and feeds (RSS, Atom). Unknown sites are asked at the usual
    # locations, and what robots.txt and the home page name.
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    links: Links = field(default_factory=Links)
    chrome: tuple[Containers, ...] = ()  # the site's own furniture containers
    furniture: tuple[Furniture, ...] = ()
    layouts: tuple[Layout, ...] = ()
    required: tuple[str, ...] = ("title", "body")  # fields without which a page is no article

    @cached_property
    def _article_path(self) -> re.Pattern[str] | None:
        return re.compile(self.article_path) if self.article_path else None

    def owns(self, host: str | None) -> bool:
        """Whether a host is one of the site's."""
        return host is not None and host.lower() in self.domains

    def article_key(self, url: str) -> str | None:
        """The article's stable key by the site's rule (any query ignored), or None for a URL
        that is no article of this site (a site known by its URLs takes any)."""
        parts = urlsplit(url)
        if self._article_path is None:
            # Known by its URL: the normalised one's path and query (the site's hosts and
            # schemes are one site), or, for a page read from elsewhere (a file, standard
            # input, no address at all), the address as given.
            if parts.scheme not in ("http", "https"):
                return url
            normal = urlsplit(normalised_url(url))
            return normal.path + (f"?{normal.query}" if normal.query else "")
        match = self._article_path.fullmatch(parts.path)
        return match.group(1) if match else None

    def canonical_url(self, url: str) -> str:
        """The article's URL in the form the archive keeps: the site's rule rebuilt on the
        fetched scheme and host, or the normalised URL (tracking parameters dropped)."""
        if self._article_path is None:
            return normalised_url(url) if urlsplit(url).scheme in ("http", "https") else url
        parts = urlsplit(url)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def normalised_url(url: str) -> str:
    """The URL without tracking parameters or fragment, its query sorted (w3lib)."""
    cleaned = url_query_cleaner(url, TRACKING_PARAMETERS, remove=True, keep_fragments=False)
    return canonicalize_url(cleaned, keep_fragments=False)


REGISTRY = Path(__file__).resolve().parent / "registry"
_LISTS = ("domains", "discovery", "required", "sitemaps", "feeds")
_SCALARS = ("name", "title", "base_url", "language", "time_zone", "article_path", "listing_path")
_PART_KEYS = {
    "links": {field.name for field in fields(Links)},
    "chrome": {field.name for field in fields(Containers)},
    "furniture": {"name", "phrases"},
    "layouts": {field.name for field in fields(Layout)},
}
_KNOWN = {*_LISTS, *_SCALARS, *_PART_KEYS}


def site_from_toml(path: Path) -> Site:
    """The registry entry a TOML file describes, checked as it is read: a bad entry is one
    BadSiteEntry line naming the file and what is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise BadSiteEntry(f"{path}: cannot read it ({error})") from None
    try:
        return _site(data)
    except (KeyError, TypeError, ValueError, re.error) as error:
        message = error.args[0] if error.args else error
        raise BadSiteEntry(f"{path}: {message}") from None


def _site(data: dict[str, Any]) -> Site:
    unknown = sorted(set(data) - _KNOWN)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r}; known keys: {', '.join(sorted(_KNOWN))}")
    for key in ("name", "title", "base_url", "domains"):
        if key not in data:
            raise ValueError(f"{key!r} is missing")
    values: dict[str, Any] = {key: _text(data, key) for key in _SCALARS if key in data}
    values.update({key: tuple(_texts(data, key)) for key in _LISTS if key in data})
    if "time_zone" in values:
        _check_time_zone(values["time_zone"])
    if "article_path" in values:
        re.compile(values["article_path"])
    if "links" in data:
        values["links"] = Links(**_part(data["links"], "links"))
    values["chrome"] = tuple(
        containers(part.pop("name"), **{key: " ".join(names) for key, names in part.items()})
        for part in (_part(entry, "chrome") for entry in data.get("chrome", []))
    )
    values["furniture"] = tuple(
        Furniture(part["name"], tuple(part["phrases"]))
        for part in (_part(entry, "furniture") for entry in data.get("furniture", []))
    )
    values["layouts"] = tuple(_layout(_part(entry, "layouts")) for entry in data.get("layouts", []))
    return Site(**values)


def _check_time_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        message = f"{name!r} is no time zone; give an IANA name such as Europe/Moscow"
        raise ValueError(message) from None


def _text(data: dict[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key!r} must be a text")
    return value


def _texts(data: dict[str, Any], key: str) -> list[str]:
    value = data[key]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{key!r} must be a list of texts")
    return value


def _part(entry: Any, kind: str) -> dict[str, Any]:
    """One table of a part (a link set, a container rule …), its keys checked."""
    if not isinstance(entry, dict):
        raise ValueError(f"{kind!r} must hold tables")
    unknown = sorted(set(entry) - _PART_KEYS[kind])
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} in {kind}")
    if kind != "links" and "name" not in entry:
        raise ValueError(f"an entry of {kind} has no 'name'")
    return {
        key: (_texts(entry, key) if isinstance(value, list) else _text(entry, key))
        for key, value in entry.items()
    }


def _layout(part: dict[str, Any]) -> Layout:
    values: dict[str, Any] = {
        key: tuple(value) if isinstance(value, list) else value for key, value in part.items()
    }
    return Layout(**values)


def load_registry(folder: Path = REGISTRY) -> dict[str, Site]:
    """The registry: every `*.toml` entry of the folder, by name."""
    found: dict[str, Site] = {}
    for path in sorted(folder.glob("*.toml")):
        site = site_from_toml(path)
        if site.name in found:
            raise BadSiteEntry(f"{path}: the site {site.name!r} is described twice")
        found[site.name] = site
    return found


SITES = load_registry()
SDELANOUNAS = SITES["sdelanounas"]


def get_site(name: str) -> Site:
    """The site of that name, or UnknownSite listing the names there are."""
    try:
        return SITES[name]
    except KeyError:
        known = ", ".join(sorted(SITES))
        raise UnknownSite(
            f"unknown site {name!r}; known sites: {known}, or any site by its address (https://…)"
        ) from None


def site_of(name: str, url: str) -> Site:
    """The registry's site of that name, else the generic entry for the URL's host (an
    archived article of a site read by its address)."""
    return SITES[name] if name in SITES else site_for_url(url)


def site_for_url(url: str) -> Site:
    """The registry's site that owns the URL's host, else the generic entry for that host."""
    host = (urlsplit(url).hostname or "").lower()
    for site in SITES.values():
        if site.owns(host):
            return site
    return generic_site(url)


def generic_site(url: str) -> Site:
    """A site the registry does not know: named after its address's host (and port, when it
    is not the scheme's own: two sites on one host are two sites), known by its URLs."""
    parts = urlsplit(url if "//" in url else f"https://{url}")
    host = (parts.hostname or "").lower()
    name = host.removeprefix("www.") or "unknown"
    if parts.port is not None and parts.port != {"http": 80, "https": 443}.get(parts.scheme):
        name = f"{name}:{parts.port}"
    scheme = parts.scheme if parts.scheme in ("http", "https") else "https"
    bare = host.removeprefix("www.")
    domains = {host, bare} | ({f"www.{bare}"} if bare and not bare[-1:].isdigit() else set())
    return Site(
        name=name,
        title=name,
        base_url=f"{scheme}://{parts.netloc.lower()}",
        domains=tuple(sorted(domain for domain in domains if domain)),
        discovery=("sitemap", "feed", "links"),
    )


def site_to_crawl(site_or_url: str) -> Site:
    """The site a crawl is asked for: a registry name, or an http(s) address (the registry's
    site that owns its host, else a generic one)."""
    if site_or_url.startswith(("http://", "https://")):
        return site_for_url(site_or_url)
    return get_site(site_or_url)
