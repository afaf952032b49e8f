"""The registry of sites: one entry per site, as data (Fundus's publisher specs are the model).

An entry says where a site lives (domains, language, time zone), how its articles are found,
which URL is which article (the identity rule), and what is known of its layouts: the selectors
of each dated profile, the containers that hold its page furniture, and the texts of that
furniture. Extraction reads all of it from here; a site that is not in the registry gets the
generic entry of `generic_site`, whose only knowledge is what every news page shares.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

from .exceptions import UnknownSite

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
            # Known by its URL: the normalised one, or, for a page read from elsewhere (a
            # file, standard input, no address at all), the address as given.
            return normalised_url(url) if parts.scheme in ("http", "https") else url
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


SDELANOUNAS = Site(
    name="sdelanounas",
    title="Сделано у нас",
    base_url="https://sdelanounas.ru",
    domains=("sdelanounas.ru", "www.sdelanounas.ru"),
    language="ru",
    time_zone="Europe/Moscow",
    discovery=("listing",),
    article_path=r"/blogs/(\d+)/?",
    listing_path="/blogs/?page={page}",
    links=Links(
        author="/account/", category="/blogs/?id=", tag="/blogs/?search=", comments="#comments"
    ),
    chrome=(
        containers("navigation", classes="main-menu"),
        containers("sidebar", ids="sidebar"),
        containers("comments", ids="comments comment-list"),
        containers(
            "ads", classes="banner_wide banner_hor banner-post", id_prefixes="yandex_rtb_ yandex_ad"
        ),
        containers("map", classes="big_map"),
        containers("rating", classes="rate-block"),
        containers("share-toolbar", classes="ya-share2 share social_links_16"),
    ),
    furniture=(
        Furniture("slogan", ("стань автором. присоединяйся к сообществу!",)),
        Furniture("logo-text", ("Лого Сделано у нас",)),
        Furniture(
            "telegram-prompt",
            (
                "Хочешь всегда знать и никогда не пропускать…",
                "У проекта «Сделано у нас» есть Телеграм-канал…",
                "У проекта «Сделано у нас» есть Telegram-канал…",
                "Подпишись, и у тебя всегда будет повод для гордости за Россию.",
            ),
        ),
        Furniture(
            "comment-form",
            (
                "Написать комментарий",
                "Отмена",
                "Для комментирования вам необходимо зарегистрироваться и войти на сайт",
                "зарегистрироваться",
                "войти",
            ),
        ),
    ),
    layouts=(
        Layout(
            "envos-blogs",
            known_from="2010-01-15",
            title_classes=("h1_openblog", "unique"),
            body_classes=("__sun_article_text",),
            body_itemprops=("articleBody",),
            rating_box_class="rate-block",
        ),
    ),
    required=("title", "body", "published_at"),
)

SITES = {site.name: site for site in (SDELANOUNAS,)}


def get_site(name: str) -> Site:
    """The site of that name, or UnknownSite listing the names there are."""
    try:
        return SITES[name]
    except KeyError:
        known = ", ".join(sorted(SITES))
        raise UnknownSite(f"unknown site {name!r}; known sites: {known}") from None


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
    return generic_site(host)


def generic_site(host: str) -> Site:
    """A site the registry does not know: named after its host, known by its URLs."""
    name = host.removeprefix("www.") or "unknown"
    return Site(
        name=name,
        title=name,
        base_url=f"https://{host}",
        domains=tuple(sorted({host, name})),
        discovery=("sitemap", "feed", "links"),
    )
