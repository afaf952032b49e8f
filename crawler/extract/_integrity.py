"""Whether a page that answered 200 is the page asked for: cut short, or an error page.

A server under load may cut a page short yet send what it has as a whole response (its
Content-Length right), or answer a failure with status 200 and an error text. Taken as they
are, the first would archive half an article, or half a listing, and the second an "article"
titled «Ошибка». The crawler retries both instead and, if they persist, records the failure.
"""

from __future__ import annotations

import re

from lxml import etree

from ._text import clean_inline
from ._tree import elements, parse, text_of

# A page's end tag sits near its end; a page cut short has none. Looked for in the bytes as
# received (the tag is ASCII in every encoding a Russian page comes in), before any decoding.
END_TAG = re.compile(rb"</html\s*>", re.IGNORECASE)
END_WINDOW = 8192
ERROR_WORDS = re.compile(
    r"ошибк|error|недоступ|unavailable|не найден|not found|техническ\w* работ|maintenance"
    r"|перегруж|overload|попробуйте (?:позже|обновить)|try again|bad gateway|time-?out"
    r"|^\s*[45]\d\d\b",  # a heading that starts with a status code: «503», «404 Not Found»
    re.IGNORECASE,
)
_HEADINGS = etree.XPath("//title | //h1")


def is_truncated(body: bytes) -> bool:
    """Whether the page's body ends before its `</html>`."""
    return END_TAG.search(body[-END_WINDOW:]) is None


def is_error_page(html: str) -> bool:
    """Whether the page's title or main heading says it is an error, not content.

    Ask only about a page that yielded no article or no listing: a real article may well
    have «ошибка» in its title.
    """
    root = parse(html)
    headings = elements(_HEADINGS, root)
    return any(ERROR_WORDS.search(clean_inline(text_of(heading))) for heading in headings)
