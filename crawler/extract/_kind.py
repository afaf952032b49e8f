"""Whether a page of a site read by its address is an article at all.

A known site's URL rule says which pages are articles; for other sites the crawl finds
candidates in sitemaps, feeds and links, and every candidate page is judged here from its
address, what it says of itself (`og:type`, JSON-LD types) and the shape of what was read from
it. A page a sitemap or feed lists as a post needs only a body of real sentences; a page found
by a link needs a sign that it is an article: an article type, or a date beside such a body.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from ._page import Page
from ._tree import host_of, join_url, text_of

# First path segments of the pages that list others: never articles, whatever they show.
LISTING_SEGMENTS = frozenset({
    "tag", "tags", "author", "authors", "category", "categories", "rubric", "rubrics", "topic",
    "topics", "label", "labels", "search", "user", "users", "profile", "profiles", "feed", "rss",
    "tema", "temy", "avtor", "avtory", "rubrika", "teg", "tegi", "poisk",
})  # fmt: skip
# Query parameters of searches and paginated listings.
LISTING_PARAMETERS = frozenset({"page", "paged", "s", "q", "query", "search", "tag", "p_page"})
_PAGINATED = re.compile(r"/page/\d+/?$")
# What a page may say it is, in `og:type` or as a JSON-LD type, that is no article; many
# sites say "website" of every page, so that one counts only where the page shows no date.
OTHER_TYPES = frozenset(
    "profile book music.song video.other CollectionPage ProfilePage SearchResultsPage "
    "AboutPage ContactPage ItemList FAQPage QAPage".lower().split()
)
WEAK_OTHER_TYPES = frozenset({"website"})
ARTICLE_TYPES = frozenset({"article", "newsarticle", "blogposting", "reportagenewsarticle"})
# A real sentence: some words, then the punctuation that ends one (in scripts that put no
# space after it, too).
_SENTENCE = re.compile(r"\w[^.!?…。！？।؟]{24,}?(?:[.!?…](?=\s|$|[»\"”’)])|[。！？।؟])")
MIN_SENTENCES = 2
MIN_BODY_CHARACTERS = 200
# A page with this many headings that link to other pages, each dated, is a list.
LISTING_LINKS = 4
_HEADLINE_WORDS = 3


def listing_by_address(url: str) -> str | None:
    """Why the URL is a listing page (the home page, a tag, author, search page …), or None."""
    parts = urlsplit(url)
    segments = [segment.lower() for segment in parts.path.split("/") if segment]
    if not segments:
        return "the home page"
    if segments[0] in LISTING_SEGMENTS:
        return f"a {segments[0]} page, by its address"
    if _PAGINATED.search(parts.path):
        return "a paginated listing, by its address"
    keys = {key.lower() for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    if keys & LISTING_PARAMETERS:
        return "a search or paginated listing, by its address"
    return None


def claims(page: Page) -> tuple[str | None, str | None]:
    """(The article type the page claims, the other type it claims), from `og:type` and the
    types of its JSON-LD objects."""
    kinds = {kind.lower() for kind in page.data.json_ld_types}
    og_type = (page.data.meta("og:type") or "").strip().lower()
    if og_type:
        kinds.add(og_type)
    article = next((kind for kind in sorted(kinds) if kind in ARTICLE_TYPES), None)
    other = next((kind for kind in sorted(kinds) if kind in OTHER_TYPES), None)
    return article, other or (og_type if og_type in WEAK_OTHER_TYPES else None)


def sentences(blocks: list[str]) -> int:
    """How many real sentences the body's blocks hold."""
    return sum(len(_SENTENCE.findall(block)) for block in blocks)


def teasers(page: Page) -> tuple[int, int]:
    """(How many headings of the page link to another of the site's pages with a headline's
    words, how many dates it shows in `<time>`): a listing shows many of both. Read before
    the body is cut out, which drops both."""
    count = 0
    for heading in page.root.iter("h2", "h3", "h4"):
        for link in heading.iter("a"):
            target = join_url(page.url, link.get("href") or "")
            if not target or host_of(target) not in page.own_hosts:
                continue
            if len(text_of(link).split()) >= _HEADLINE_WORDS:
                count += 1
                break
    return count, sum(1 for _ in page.root.iter("time"))


def is_list(shape: tuple[int, int], says_other: bool) -> bool:
    """Whether a page whose `teasers` are `shape` is a list: many headline links, each with
    its date, or on a page that says it is no article."""
    headlines, dates = shape
    return headlines >= LISTING_LINKS and (says_other or dates >= LISTING_LINKS)


def not_article(
    page: Page, blocks: list[str], shape: tuple[int, int], dated: bool, by_link: bool
) -> str | None:
    """Why the page is no article, or None for an article.

    `dated`: the page, or the sitemap or feed that lists it, gives its publication date;
    `by_link`: it was found by a link only. A listed page whose body was read thin is kept
    (a layout the reader does not know must lose nothing: the crawl's field watch tells);
    a page found by a link must show a body of real sentences.
    """
    if page.site.article_path is None and (role := listing_by_address(page.url)):
        return role
    article, other = claims(page)
    if other and not article and (other not in WEAK_OTHER_TYPES or not dated):
        return f"the page says it is a {other}"
    text = "\n".join(blocks)
    real = len(text) >= MIN_BODY_CHARACTERS and sentences(blocks) >= MIN_SENTENCES
    if by_link and not real:
        return "no body of real sentences"
    if not article and is_list(shape, other is not None):
        return "a list of links to other pages"
    if by_link and not article and not dated:
        return "found by a link, with no sign of an article (no article type, no date)"
    return None
