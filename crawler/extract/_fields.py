"""The chains of the metadata fields: title, dates, author, category, tags, language, rating.

Each chain asks structured data first (JSON-LD, `<meta>`, microdata), then the site's profile,
then generic rules that need no class names; the first answer wins (see `_page`).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from lxml import etree

from . import _roles
from ._content import text_outside
from ._dates import find_date_in_text, parse_iso
from ._links import link_texts, links_to, rel_links
from ._page import Found, Page
from ._structured import names_of
from ._text import clean_inline, unique_texts
from ._tree import Element, elements, is_inside, text_of

PUBLISHED_METAS = (
    "article:published_time", "og:article:published_time", "datepublished", "date",
    "pubdate", "publishdate", "publish-date", "dc.date.issued", "dc.date", "dcterms.created",
    "parsely-pub-date", "sailthru.date", "article.published", "og:published_time",
)  # fmt: skip
MODIFIED_METAS = (
    "article:modified_time", "og:article:modified_time", "datemodified", "og:updated_time",
    "dc.date.modified", "dcterms.modified", "article.updated",
)  # fmt: skip
AUTHOR_METAS = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator")
SECTION_METAS = ("article:section", "og:article:section", "parsely-section")
TAG_METAS = ("article:tag", "og:article:tag")
_TITLE_SEPARATORS = re.compile(r"\s+[|–—:-]{1,2}\s+|\s+::\s+")
_WORDS = re.compile(r"\w+")
# An h1 is the headline when it shares this much of its words with what the page calls its
# title (og:title, JSON-LD headline, `<title>`); an h2 must share more.
HEADLINE_MATCH = {"h1": 0.5, "h2": 0.8}
_CHROME_TAGS = ("header", "nav", "footer", "aside")
_LONGEST_NAME = 80
# A byline line is short, and the name in it a few words.
_LONGEST_BYLINE = 160
_NAME_WORDS = 5
# A byline's date stands near the top of the article's part: only its start is read for one.
_DATE_TEXT = 4000
_LONGEST_TAG = 60
_BYLINE_END = re.compile(r"\s[|•·]\s|\s[—–]\s|,\s|\n")
_RDFA_PEOPLE = etree.XPath(
    ".//*[contains(@typeof, 'Person')]//*[@property='schema:name' or @property='name']"
    " | .//*[contains(@typeof, 'Person')][@property='schema:name' or @property='name']"
)
_LANGUAGE = re.compile(r"^([a-zA-Z]{2,3})(?:[-_]|$)")


# -- title ------------------------------------------------------------------------------


def title_element(page: Page) -> Found[Element] | None:
    """The headline's element: the profile's h1, else the heading that matches what the page
    calls its title, else the first h1 outside the page's chrome."""
    for layout in page.site.layouts:
        headings = [h1 for h1 in page.root.iter("h1") if text_of(h1).strip()]
        for name in layout.title_classes:
            for h1 in headings:
                if name in (h1.get("class") or "").split():
                    return Found(h1, "profile")
    return _generic_headline(page)


def _generic_headline(page: Page) -> Found[Element] | None:
    references = [_words(text) for text in _title_references(page)]
    references = [words for words in references if words]
    headings = [h for h in page.root.iter("h1", "h2") if text_of(h).strip()]
    best, best_share = None, 0.0
    for heading in headings:
        share = max((_overlap(_words(text_of(heading)), ref) for ref in references), default=0)
        if share >= HEADLINE_MATCH[heading.tag] and share > best_share:
            best, best_share = heading, share
    if best is not None:
        return Found(best, "h1" if best.tag == "h1" else "h2")
    h1s = [h for h in headings if h.tag == "h1"]
    outside = [h1 for h1 in h1s if not _in_chrome(h1)]
    chosen = outside[0] if outside else (h1s[0] if h1s else None)
    return Found(chosen, "h1") if chosen is not None else None


def _in_chrome(element: Element) -> bool:
    chrome = next(element.iterancestors(*_CHROME_TAGS), None)
    return chrome is not None and next(chrome.iterancestors("article", "main"), None) is None


def _title_references(page: Page) -> list[str]:
    data = page.data
    found = [str(data.json_ld.get("headline") or ""), data.meta("og:title", "twitter:title") or ""]
    if text := _title_tag(page):
        found.append(text)
        found.extend(_TITLE_SEPARATORS.split(text))
    return [text for text in found if text]


def _words(text: str) -> set[str]:
    return set(_WORDS.findall(clean_inline(text).lower()))


def _overlap(first: set[str], second: set[str]) -> float:
    if not first or not second:
        return 0.0
    return len(first & second) / max(len(first), len(second))


def title_text(page: Page, element: Found[Element] | None) -> Found[str] | None:
    """The headline as shown, else as the page states it for machines."""
    if element is not None and (text := clean_inline(text_of(element.value))):
        return Found(text, element.source)
    if headline := clean_inline(str(page.data.json_ld.get("headline") or "")):
        return Found(headline, "json-ld")
    if og_title := page.data.meta("og:title", "twitter:title"):
        return Found(og_title, "meta")
    if title := _title_tag(page):
        return Found(max(_TITLE_SEPARATORS.split(title), key=len), "title")
    return None


def _title_tag(page: Page) -> str | None:
    """The `<title>`'s text, unless it swallowed markup (an unclosed `<title>` holds the rest
    of the page: BeautifulSoup's repair reads such a page)."""
    title = page.root.find(".//title")
    text = clean_inline(text_of(title)) if title is not None else ""
    return text if text and "</" not in text and len(text) < 500 else None


# -- dates ------------------------------------------------------------------------------


def published(page: Page) -> Found[str] | None:
    """When the article was published: structured data, `time` markup, then the text."""
    data = page.data
    return (
        _date(page, data.json_ld.get("datePublished"), "json-ld")
        or _date(page, data.meta(*PUBLISHED_METAS), "meta")
        or _date(page, data.itemprop("datePublished"), "microdata")
        or _time_element(page)
        or _date_in_text(page)
    )


def modified(page: Page) -> Found[str] | None:
    """When the article was last changed, where the page says so."""
    data = page.data
    return (
        _date(page, data.json_ld.get("dateModified"), "json-ld")
        or _date(page, data.meta(*MODIFIED_METAS), "meta")
        or _date(page, data.itemprop("dateModified"), "microdata")
        or _modification_time(page)
    )


def listed_date(page: Page, value: str, source: str) -> Found[str] | None:
    """The publication date a sitemap or feed gives for a page that shows none."""
    return _date(page, value, source)


def _date(page: Page, value: Any, source: str) -> Found[str] | None:
    if isinstance(value, list):
        value = value[0] if value else None
    parsed = parse_iso(value, page.tz) if isinstance(value, str) else None
    return Found(parsed, source) if parsed else None


def _time_element(page: Page) -> Found[str] | None:
    """The first `time[datetime]` of the article that is not a modification time, nor inside
    the body (where a time is something the article tells of)."""
    for time in page.region().iter("time"):
        value = time.get("datetime")
        if value is None or _is_modification(time):
            continue
        if page.live_body is not None and is_inside(time, page.live_body):
            continue
        if parsed := parse_iso(value, page.tz):
            return Found(parsed, "time")
    return None


def _modification_time(page: Page) -> Found[str] | None:
    for time in page.root.iter("time"):
        value = time.get("datetime")
        if value is not None and _is_modification(time) and (parsed := parse_iso(value, page.tz)):
            return Found(parsed, "time")
    return None


def _is_modification(time: Element) -> bool:
    return time.get("itemprop") == "dateModified" or any(
        word in (time.get("class") or "") for word in ("modified", "updated")
    )


def _date_in_text(page: Page) -> Found[str] | None:
    """A date written in the article's text around the body (a byline, a date line)."""
    region = page.region()
    live = page.live_body
    text = text_outside(region, live) if live is not None and live is not region else ""
    if live is None:
        text = text_of(region)
    found = find_date_in_text(text[:_DATE_TEXT], page.tz)
    return Found(found, "text") if found else None


# -- author, category, tags -------------------------------------------------------------


def author(page: Page) -> tuple[Found[str] | None, str | None]:
    """(The author's name, the author's login on the site, where its links give one)."""
    login_link = _profile_author(page)
    login = login_link.value[0] if login_link else None
    names = names_of(page.data.json_ld.get("author"))
    if names:
        return Found(", ".join(unique_texts(names)), "json-ld"), login
    meta = page.data.meta(*AUTHOR_METAS)
    if meta and not meta.startswith(("http://", "https://")):
        return Found(meta, "meta"), login
    if login_link is not None:
        return Found(login_link.value[1], "profile"), login
    return _generic_author(page), None


def _profile_author(page: Page) -> Found[tuple[str, str]] | None:
    target = page.site.links.author
    if target is None:
        return None
    for link in links_to(page.region(), target):
        name = clean_inline(text_of(link))
        login = unquote(link.get("href", "").split(target, 1)[1].strip("/"))
        if name or login:
            return Found((login or name, name or login), "profile")
    return None


def _generic_author(page: Page) -> Found[str] | None:
    """The author by generic markup: `rel=author`, microdata or RDFa, a link to an author
    page, an element marked as the author or byline."""
    region = page.region()
    for link in rel_links(region, "author"):
        if name := _person(text_of(link)):
            return Found(name, "link")
    if (name := page.data.itemprop("author")) and (person := _person(name)):
        return Found(person, "microdata")
    for element in elements(_RDFA_PEOPLE, region):
        if person := _person(text_of(element)):
            return Found(person, "rdfa")
    for link in _roles.path_links(region, "author"):
        if name := _person(text_of(link)):
            return Found(name, "link")
    for element in _roles.marked(region, "author"):
        if name := _roles.short_text(element, "author", _LONGEST_NAME):
            return Found(_person(name) or name, "byline")
    return _byline_line(region)


def _byline_line(region: Element) -> Found[str] | None:
    """The author of a short line that starts with a byline's label ("By …", «Автор: …»),
    up to its first separator: «By Jane Doe · 30 November 2026»."""
    for element in region.iter("p", "span", "div", "small", "address"):
        text = text_of(element)
        if len(text) > _LONGEST_BYLINE or not _roles.LABELS["author"].match(text.strip()):
            continue
        if (name := _person(text)) and len(name.split()) <= _NAME_WORDS:
            return Found(name, "byline")
    return None


def _person(text: str) -> str | None:
    """A name from a byline: its label («Автор:», "By") and anything after a separator gone."""
    name = _roles.LABELS["author"].sub("", clean_inline(text))
    name = clean_inline(_BYLINE_END.split(name, maxsplit=1)[0])
    return name if 0 < len(name) <= _LONGEST_NAME and not name[0].isdigit() else None


def category(page: Page) -> Found[str] | None:
    """The article's section or rubric."""
    data, region = page.data, page.region()
    if sections := names_of(data.json_ld.get("articleSection")):
        return Found(sections[0], "json-ld")
    if meta := data.meta(*SECTION_METAS):
        return Found(meta, "meta")
    target = page.site.links.category
    if target is not None and (found := link_texts(region, target)):
        return Found(found[0], "profile")
    if found := unique_texts(text_of(link) for link in rel_links(region, "category")):
        return Found(found[0], "link")
    if item := data.itemprop("articleSection") or data.itemprop("genre"):
        return Found(clean_inline(item), "microdata")
    for element in _roles.marked(region, "category"):
        if text := _roles.short_text(element, "category"):
            return Found(text, "marked")
    for links, source in (
        (_roles.path_links(region, "category"), "link"),
        (_roles.labelled_links(region, "category"), "label"),
    ):
        if found := _roles.texts_of_links(links):
            return Found(found[0], source)
    if section := _roles.breadcrumb_section(page.root, page.url):
        return Found(section, "breadcrumb")
    return None


def tags(page: Page) -> Found[list[str]] | None:
    """The article's own tags, in page order."""
    keywords = page.data.json_ld.get("keywords")
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    if isinstance(keywords, list) and (found := unique_texts(map(str, keywords))):
        return Found(found, "json-ld")
    if found := unique_texts(page.data.meta_all("article:tag") + page.data.meta_all(TAG_METAS[1])):
        return Found(found, "meta")
    if (news := page.data.meta("news_keywords")) and (found := unique_texts(news.split(","))):
        return Found(found, "meta")
    if page.site.links.tag is not None and (
        found := link_texts(page.region(), page.site.links.tag)
    ):
        return Found(found, "profile")
    return _generic_tags(page)


def _generic_tags(page: Page) -> Found[list[str]] | None:
    """Tags by generic markup: `rel=tag`, microdata keywords, links to tag pages or in a line
    labelled «Теги:» (not those above the headline: that is the rubric)."""
    region = page.region()
    only_tags = [
        link
        for link in rel_links(region, "tag")
        if "category" not in (link.get("rel") or "").lower().split()
    ]
    if found := _roles.texts_of_links(only_tags):
        return Found(found, "link")
    keywords = page.data.itemprops.get("keywords", [])
    if len(keywords) > 1 and (found := unique_texts(text_of(item) for item in keywords)):
        return Found(found, "microdata")
    for links, source in (
        (_roles.path_links(region, "tags"), "link"),
        (_roles.labelled_links(region, "tags"), "label"),
    ):
        links = [link for link in links if not _above_title(page, link)]
        found = [text for text in _roles.texts_of_links(links) if len(text) <= _LONGEST_TAG]
        if found:
            return Found(found, source)
    return None


def _above_title(page: Page, element: Element) -> bool:
    title = page.title
    return title is not None and _roles.precedes(page.region(), element, title)


# -- language, rating -------------------------------------------------------------------


def language(page: Page) -> Found[str] | None:
    """The article's language as an ISO 639-1 code."""
    data = page.data
    candidates = (
        (data.json_ld.get("inLanguage"), "json-ld"),
        (data.language, "html-lang"),
        (data.meta("og:locale", "content-language", "language", "dc.language"), "meta"),
        (page.site.language, "registry"),
    )
    for value, source in candidates:
        if isinstance(value, str) and (match := _LANGUAGE.match(value.strip())):
            return Found(match.group(1).lower(), source)
    return None


def rating(page: Page) -> Found[int] | None:
    """The article's rating counter, where a layout profile knows its box (read before the box
    is removed as furniture)."""
    for layout in page.site.layouts:
        if layout.rating_box_class is None:
            continue
        for span in page.root.iter("span"):
            if "rating" not in (span.get("class") or ""):
                continue
            boxes = span.iterancestors("div")
            if any(layout.rating_box_class in (div.get("class") or "") for div in boxes):
                text = clean_inline(text_of(span)).replace("−", "-")
                if re.fullmatch(r"[+-]?\d+", text):
                    return Found(int(text), "profile")
                return None
    return None
