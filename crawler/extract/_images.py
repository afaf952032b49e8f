"""Images of an article body, taken out as data: URLs, credit, caption, in order."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree

from ..items import Image
from ._text import clean_inline
from ._tree import Element, drop, is_inside, join_url, text_of

_CREDIT_NODES = etree.XPath(".//*[contains(@class, 'img-source')]")
_CAPTIONS = etree.XPath(".//figcaption")
_CREDIT = re.compile(r"^(?:©|\(c\)|фото\s*:|источник фото\s*:)\s*", re.IGNORECASE)


def take_images(body: Element, page_url: str) -> list[Image]:
    """Images of the body as data; their blocks (with credits and captions) leave the body."""
    images = []
    for img in list(body.iter("img")):
        url = web_url(page_url, img.get("src") or img.get("data-src"))
        if not url or not is_inside(img, body):
            continue
        link = next((a for a in img.iterancestors("a") if a.get("href")), None)
        block = next(img.iterancestors("ul", "figure"), None)
        credit, caption = _credit_and_caption(block) if block is not None else (None, None)
        if not caption and link is not None:
            caption = clean_inline(link.get("title")) or None
        images.append(
            Image(
                url=url,
                full_url=web_url(page_url, link.get("href")) if link is not None else None,
                credit=credit,
                caption=caption or clean_inline(img.get("alt")) or None,
            )
        )
        doomed = block if block is not None else (link if link is not None else img)
        drop(doomed)
    return images


def web_url(page_url: str, href: str | None) -> str | None:
    """An absolute http(s) URL, or None for anything else (`javascript:`, `data:` …)."""
    url = join_url(page_url, href)
    return url if url and urlsplit(url).scheme in ("http", "https") else None


def _credit_and_caption(block: Element) -> tuple[str | None, str | None]:
    credit = caption = None
    credit_nodes = _CREDIT_NODES(block)
    if credit_nodes:
        credit = _strip_credit_mark(text_of(credit_nodes[0]))
    captions = _CAPTIONS(block)
    if captions:
        text = clean_inline(text_of(captions[0]))
        if _CREDIT.match(text) and credit is None:
            credit = _strip_credit_mark(text)
        else:
            caption = text or None
    return credit, caption


def _strip_credit_mark(text: str) -> str | None:
    return _CREDIT.sub("", clean_inline(text)).strip() or None
