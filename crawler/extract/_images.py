"""Images of an article, taken out as data: URLs, credit, caption, in page order.

An image's block (its `figure`, the list that holds it, or a small box holding it and a line
of text) carries its caption and credit; a credit is recognised by its mark («©», «Фото:»,
"Photo:", "Fot.") or by a class that says so, whatever the layout. A caption line right after
the block belongs to it too. Besides the body's own pictures, the article's part of the page
may show a lead picture above the text; logos, avatars, ads and the thumbnails of links to
other pages are not the article's.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..items import Image
from ._text import clean_inline
from ._tree import Element, drop, is_inside, join_url, text_of

IMAGE_TAGS = ("img", "amp-img")
_MARK = (
    r"(?:©|\(c\)|copyright\b|фото\s*:|фото\s+—|источник фото\s*:|photos?\s*:|photos?\s+by\b|"
    r"fotos?\s*:|fot\.|bild\s*:|credit\s*:|image\s*:|picture\s*:|crédit\s*:|zdjęcie\s*:)"
)
_CREDIT = re.compile(rf"^{_MARK}\s*", re.IGNORECASE)
# A credit at the end of a caption: «Цех номер 1. Фото: Пресс-служба».
_INLINE_CREDIT = re.compile(rf"\s[|/–—-]?\s*{_MARK}\s*(.+)$", re.IGNORECASE)
_CREDIT_CLASS = re.compile(r"credit|copyright|photographer|\bsource|author|\bby\b", re.I)
_CAPTION_CLASS = re.compile(
    r"caption|legend|legende|podpis|beschriftung|didascalia|leyenda|подпись|image-text", re.I
)
_NOT_PICTURES = re.compile(
    r"(?<![a-z])(?:logo|logos|avatar|avatars|gravatar|icon|icons|sprite|emoji|badge|spinner|"
    r"placeholder|pixel|tracking|banner|banners|reklam\w*|sponsor\w*|counter|ads?|advert\w*)"
    r"(?![a-z])",
    re.I,
)
_PICTURE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|bmp|tiff?)(?:$|\?)", re.I)
_SOURCE_ATTRIBUTES = ("src", "data-src", "data-lazy-src", "data-original")
# Where a picture stands with its caption; a paragraph holds text that an image illustrates.
_BOX_TAGS = ("div", "span", "a", "li", "picture", "center")
# A box holding an image and at most this much text is the image's block.
_BOX_TEXT = 300
# A line after an image that is at most this long and starts with a credit mark is its credit.
_CREDIT_LINE = 120
# A box this close around a picture says what it is (a logo, an ad); the classes of the page
# or the article around it (`body.has-logo`) do not.
_MARKED_DEPTH = 3
_WHOLE_PARTS = frozenset(("body", "html", "article", "main"))
_SMALLEST = 100  # pixels: a narrower picture is an icon, not the article's


def take_images(body: Element, page_url: str) -> list[Image]:
    """Images of the body as data; their blocks (with credits and captions) leave the body."""
    images = []
    for img in list(body.iter(*IMAGE_TAGS)):
        url = web_url(page_url, _source(img))
        if not url or not is_inside(img, body) or not is_picture(img, page_url):
            continue
        image, block = read_image(img, url, page_url)
        images.append(image)
        drop(block)
    return images


def pictures_around(scope: Element, page_url: str, known: list[Image]) -> list[Image]:
    """The article's pictures in page order: those of the body (`known`) where the page shows
    them, with the pictures of the article's part of the page outside the body (a lead
    picture above the text) among them."""
    by_url = {image.url: image for image in known}
    found: list[Image] = []
    seen: set[str] = set()
    for img in scope.iter(*IMAGE_TAGS):
        url = web_url(page_url, _source(img))
        if not url or url in seen:
            continue
        if url in by_url:
            found.append(by_url[url])
        elif is_picture(img, page_url):
            found.append(read_image(img, url, page_url)[0])
        else:
            continue
        seen.add(url)
    return found + [image for image in known if image.url not in seen]


def read_image(img: Element, url: str, page_url: str) -> tuple[Image, Element]:
    """The image's data, and the block that holds it (to drop from the body)."""
    link = next((a for a in img.iterancestors("a") if a.get("href")), None)
    block = _block(img)
    credit, caption = _credit_and_caption(block) if block is not img else (None, None)
    if caption is None and credit is None and (line := _caption_after(block)) is not None:
        credit, caption = _credit_and_caption(line)
        drop(line)
    if credit is None and (line := _credit_line_after(block)) is not None:
        credit = _strip_credit_mark(text_of(line))
        drop(line)
    if not caption and link is not None:
        caption = clean_inline(link.get("title")) or None
    image = Image(
        url=url,
        full_url=_full_size(page_url, link),
        credit=credit,
        caption=caption or clean_inline(img.get("alt")) or clean_inline(img.get("title")) or None,
    )
    doomed = block if block is not img else (link if link is not None else img)
    return image, doomed


def web_url(page_url: str, href: str | None) -> str | None:
    """An absolute http(s) URL, or None for anything else (`javascript:`, `data:` …)."""
    url = join_url(page_url, href)
    return url if url and urlsplit(url).scheme in ("http", "https") else None


def is_picture(img: Element, page_url: str) -> bool:
    """Whether an image is a picture of the article: not a pixel, icon, logo, avatar or ad,
    nor the thumbnail of a link to another page."""
    if img.get("width") in ("0", "1") or img.get("height") in ("0", "1"):
        return False
    width = img.get("width") or ""
    if width.isdigit() and int(width) < _SMALLEST:
        return False
    marks = " ".join(img.get(name) or "" for name in ("class", "id", "src", "alt"))
    if _NOT_PICTURES.search(marks):
        return False
    for depth, ancestor in enumerate(img.iterancestors()):
        if ancestor.tag in _WHOLE_PARTS:
            break
        marks = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"
        if depth < _MARKED_DEPTH and _NOT_PICTURES.search(marks):
            return False
        if ancestor.tag == "a" and _links_elsewhere(ancestor, page_url):
            return False
    return True


def _links_elsewhere(link: Element, page_url: str) -> bool:
    """A link to another page (not to the picture itself, nor to this page)."""
    href = web_url(page_url, link.get("href"))
    if href is None or _PICTURE_FILE.search(urlsplit(href).path + "?"):
        return False
    return href.split("#")[0].rstrip("/") != page_url.split("#")[0].split("?")[0].rstrip("/")


def _full_size(page_url: str, link: Element | None) -> str | None:
    if link is None:
        return None
    href = web_url(page_url, link.get("href"))
    return href if href and not _links_elsewhere(link, page_url) else None


def _source(img: Element) -> str | None:
    for name in _SOURCE_ATTRIBUTES:
        value = img.get(name)
        if value and not value.startswith("data:"):
            return value
    srcset = img.get("srcset") or img.get("data-srcset")
    return srcset.split(",")[0].split()[0] if srcset and srcset.strip() else img.get("src")


def _block(img: Element) -> Element:
    """The element that holds the image with its caption: a `figure`, a list of media, or the
    outermost small box around it with a line of text at most; the image (or its link) itself
    when it stands in a paragraph of text."""
    box = None
    for ancestor in img.iterancestors():
        if ancestor.tag in ("figure", "ul"):
            return ancestor
        if ancestor.tag not in _BOX_TAGS or not _is_box(ancestor):
            break
        box = ancestor
    if box is not None:
        return box
    return next(img.iterancestors("a"), img)


def _is_box(element: Element) -> bool:
    """A box of one picture: a link, list item or block holding it and a short line at most."""
    pictures = sum(1 for _ in element.iter(*IMAGE_TAGS))
    return pictures == 1 and len(clean_inline(text_of(element))) <= _BOX_TEXT


def _credit_and_caption(block: Element) -> tuple[str | None, str | None]:
    """(credit, caption) of an image block: the credit found by its class or its mark, the
    caption what the block's caption (or its own text) says besides."""
    credit_nodes = [
        node
        for node in block.iter()
        if isinstance(node.tag, str)
        and node is not block
        and node.tag not in (*IMAGE_TAGS, "a")
        and (
            _CREDIT_CLASS.search(node.get("class") or "")
            or _CREDIT.match(clean_inline(node.text or ""))
        )
    ]
    credit = _strip_credit_mark(text_of(credit_nodes[0])) if credit_nodes else None
    caption_node = next(block.iter("figcaption"), block)
    text = _text_without(caption_node, credit_nodes)
    if credit is None and _CREDIT.match(text):
        return _strip_credit_mark(text), None
    if credit is None and (match := _INLINE_CREDIT.search(text)) is not None:
        credit = clean_inline(match.group(1)) or None
        text = text[: match.start()].rstrip(" |/–—-")
    return credit, text or None


def _text_without(element: Element, parts: list[Element]) -> str:
    """The element's text, its parts' texts left out (each part's words kept apart)."""
    pieces = [element.text or ""]
    for node in element.iterdescendants():
        if any(is_inside(node, part) for part in parts) or not isinstance(node.tag, str):
            inside_part = any(is_inside(node, part) and node is not part for part in parts)
            pieces.append("" if inside_part else " " + (node.tail or ""))
            continue
        pieces.append(" " + (node.text or ""))
        pieces.append(" " + (node.tail or "") if node.tail else "")
    return clean_inline("".join(pieces))


def _caption_after(block: Element) -> Element | None:
    """A caption line right after the image's block, marked as one by its class."""
    following = block.getnext()
    if following is None or (block.tail or "").strip():
        return None
    marks = f"{following.get('class') or ''} {following.get('id') or ''}"
    text = clean_inline(text_of(following))
    if _CAPTION_CLASS.search(marks) and 0 < len(text) <= _BOX_TEXT:
        return following
    return None


def _credit_line_after(element: Element) -> Element | None:
    following = element.getnext()
    if following is None or (element.tail or "").strip():
        return None
    text = clean_inline(text_of(following))
    has_picture = next(following.iter(*IMAGE_TAGS), None) is not None
    if len(text) <= _CREDIT_LINE and _CREDIT.match(text) and not has_picture:
        return following
    return None


def _strip_credit_mark(text: str) -> str | None:
    return _CREDIT.sub("", clean_inline(text)).strip() or None
