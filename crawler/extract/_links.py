"""What links say of an article: its source, its comment count, its metadata toolbars.

A link's role comes from the site's URL patterns (the registry's `Links`) or from generic
evidence: `rel` values, an anchor to the comment section, a line that names the source.
Links are found by tag in C; an XPath would test (and copy the attributes of) every node.
"""

from __future__ import annotations

import re

from ._boilerplate import Removals
from ._page import Found, Page
from ._text import clean_inline, unique_texts
from ._tree import Element, drop, host_of, is_inside, join_url, text_of

# «Источник: …», "Source: …" and their kin start a source line.
SOURCE_LABEL = re.compile(
    r"^\s*(?:источник(?:и)?\s*[:—–-]?|(?:source|sources|quelle|quellen|fuente|fuentes|źródło|"
    r"fonte|bron|kilde|lähde)\s*[:—–-])\s*",
    re.IGNORECASE,
)
_LINE_TAGS = ("p", "div", "li", "span", "section", "footer", "small", "dd")
# A source line names its source; a longer block that starts so is text.
_LONGEST_SOURCE_LINE = 300
_DIGITS = re.compile(r"\d{1,7}")
_COMMENT_ANCHOR = re.compile(
    r"comment|коммент|discuss|disqus|respond|reactions|kommentar|komentar|commentaire|comentario",
    re.I,
)
# A link to the comments shows their number first or after a short label: «12», "3 Comments",
# «Комментарии: 12», "Komentarze (4)".
_COUNT_TEXT = re.compile(r"^\D{0,24}?(\d{1,7})(?!\d)")
# A counter outside any link: «Комментарии: 5», "Comments (3)", "12 comments".
_COUNTER = re.compile(
    r"^(?:(?:комментари\w*|comments?|kommentare?|komentarz\w*|commentaires?|comentarios?|"
    r"commenti|reacties)\s*[:(]?\s*(\d{1,7})\)?|(\d{1,7})\s+(?:комментари\w*|comments?|"
    r"kommentare?|komentarz\w*|commentaires?|comentarios?|commenti))$",
    re.IGNORECASE,
)
_COUNTER_TAGS = ("span", "div", "li", "a", "p", "small", "strong", "b")
_URL_LIKE = re.compile(r"^(?:https?://)?[\w.-]+\.[a-zа-я]{2,}(?:[/?#]\S*)?$", re.IGNORECASE)
_METADATA_RELS = frozenset(("tag", "category", "author"))
_TOOLBAR_BLOCKS = ("ul", "ol", "div", "p", "li")


def links_to(scope: Element, *targets: str) -> list[Element]:
    """Links inside scope whose href contains one of the targets, in document order."""
    found = []
    for link in scope.iter("a"):
        href = link.get("href")
        if href is not None and any(target in href for target in targets):
            found.append(link)
    return found


def link_texts(scope: Element, target: str) -> list[str]:
    """Texts of the links to target in order, without empty ones or repeats (ignoring case)."""
    return unique_texts(text_of(link) for link in links_to(scope, target))


def rel_links(scope: Element, rel: str) -> list[Element]:
    """Links inside scope whose `rel` names this relation (`rel="category tag"` names two)."""
    return [link for link in scope.iter("a") if rel in (link.get("rel") or "").lower().split()]


# -- comment count ----------------------------------------------------------------------


def comment_count(page: Page) -> Found[int] | None:
    """How many comments the page says the article has."""
    value = page.data.json_ld.get("commentCount")
    if isinstance(value, int | str) and str(value).strip().isdigit():
        return Found(int(value), "json-ld")
    target = page.site.links.comments
    for scope in (page.region(), page.root):
        if target is not None:
            for link in links_to(scope, target):
                if (count := count_of(link, loose=True)) is not None:
                    return Found(count, "profile")
        for link in scope.iter("a"):
            if (
                _is_comments_anchor(link.get("href") or "", page)
                and (count := count_of(link, loose=False)) is not None
            ):
                return Found(count, "link")
    if (item := page.data.itemprop("commentCount")) and item.isdigit():
        return Found(int(item), "microdata")
    return _counter(page.region())


def _counter(scope: Element) -> Found[int] | None:
    """A comment counter written out in the article's part of the page."""
    for element in scope.iter(*_COUNTER_TAGS):
        text = element.text
        if not text or len(element) or len(text) > 40:
            continue
        if match := _COUNTER.match(clean_inline(text)):
            return Found(int(match.group(1) or match.group(2)), "text")
    return None


def _is_comments_anchor(href: str, page: Page) -> bool:
    """A link to this page's comment section: `#comments`, `/same/path/#comments`."""
    if "#" not in href:
        return False
    path, fragment = href.split("#", 1)
    if not fragment:
        return False
    if not _COMMENT_ANCHOR.search(fragment) and fragment not in page.data.comment_anchors:
        return False
    if not path:
        return True
    target = join_url(page.url, path)
    return target is not None and _without_query(target) == _without_query(page.url)


def _without_query(url: str) -> str:
    return url.split("#", 1)[0].split("?", 1)[0].rstrip("/")


def count_of(link: Element, loose: bool) -> int | None:
    """The number a comments link shows: its text («12», «Комментарии: 12», "5 Comments"),
    else its title when `loose`."""
    for text in (clean_inline(text_of(link)), clean_inline(link.get("title")) if loose else ""):
        if not text:
            continue
        match = _DIGITS.search(text) if loose else _COUNT_TEXT.match(text)
        if match:
            return int(match.group(1) if match.lastindex else match.group())
    return None


# -- source line ------------------------------------------------------------------------


def source_url(page: Page) -> Found[str] | None:
    """The off-site link a source line names: «Источник: <a>…</a>», or a `rel=nofollow` link
    to another site alone in its paragraph. The line itself leaves the page and the body."""
    places = [page.body] if page.body is not None else []
    if page.live_body is None or page.region() is not page.live_body:
        places.append(page.region())
    for place in places:
        if place is None:
            continue
        for line, link in _source_lines(place, page):
            href = join_url(page.url, link.get("href"))
            if href and len(clean_inline(text_of(line))) < _LONGEST_SOURCE_LINE:
                drop(line)
                return Found(href, "label" if SOURCE_LABEL.match(text_of(line)) else "link")
    return None


def _source_lines(place: Element, page: Page) -> list[tuple[Element, Element]]:
    """(line, link) pairs of the source lines in a part of the page, in document order: lines
    whose text starts with a source label, and `rel=nofollow` links alone in their line. Only
    those links are resolved."""
    found: list[tuple[Element, Element]] = []
    for element in place.iter():
        text = element.text
        if text and isinstance(element.tag, str) and SOURCE_LABEL.match(text):
            line = element if element.tag in _LINE_TAGS else _line_of(element)
            if line is not None and is_inside(line, place):
                found += [(line, link) for link in line.iter("a") if _off_site(link, page)][:1]
        elif element.tag == "a" and "nofollow" in (element.get("rel") or "").lower():
            line = _line_of(element)
            if (
                line is not None
                and is_inside(line, place)
                and _off_site(element, page)
                and _is_bare_link_line(line, element, clean_inline(text_of(line)))
            ):
                found.append((line, element))
    return found


def _line_of(element: Element) -> Element | None:
    return next(element.iterancestors(*_LINE_TAGS), None)


def _off_site(link: Element, page: Page) -> bool:
    href = join_url(page.url, link.get("href"))
    return bool(href and href.startswith("http") and host_of(href) not in page.own_hosts)


def _is_bare_link_line(line: Element, link: Element, text: str) -> bool:
    """A paragraph holding one nofollow link to another site whose text is its address."""
    if "nofollow" not in (link.get("rel") or "").lower().split():
        return False
    own = clean_inline(text_of(link))
    return text == own and len(line.findall(".//a")) == 1 and bool(_URL_LIKE.match(own))


# -- metadata toolbars ------------------------------------------------------------------


def remove_metadata_toolbars(page: Page, body: Element, removals: Removals) -> None:
    """Remove from the body the blocks made of author, tag, category and comment links."""
    targets = [target for target in _site_targets(page) if target]
    for link in body.iter("a"):
        if not _is_metadata_link(link, targets):
            continue
        block = next(link.iterancestors(*_TOOLBAR_BLOCKS), None)
        if block is None or block is body or not is_inside(block, body):
            continue
        while (parent := block.getparent()) is not None and parent is not body:
            if not _is_toolbar(parent, targets):
                break
            block = parent
        if _is_toolbar(block, targets):
            removals.remove(block, "metadata-toolbar", "container")


def _site_targets(page: Page) -> list[str | None]:
    links = page.site.links
    return [links.author, links.category, links.tag, links.comments]


def _is_metadata_link(link: Element, targets: list[str]) -> bool:
    href = link.get("href") or ""
    if any(target in href for target in targets):
        return True
    rels = set((link.get("rel") or "").lower().split())
    return bool(rels & _METADATA_RELS) or href.endswith(("#comments", "#cut"))


def _is_toolbar(block: Element | None, targets: list[str]) -> bool:
    if block is None:
        return False
    links = [a for a in block.iter("a") if a.get("href") is not None]
    if not links or not all(_is_metadata_link(a, targets) for a in links):
        return False
    text = clean_inline(text_of(block))
    link_text = sum(len(clean_inline(text_of(a))) for a in links)
    return len(text) - link_text <= max(40, len(text) // 2)
