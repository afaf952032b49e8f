"""Extraction: pure functions from (url, html) to an Article, read by the site registry.

Nothing here touches the network or the database, so the same code runs on a live response,
a saved page or a stored raw capture.
"""

from ._encoding import decode_html
from ._engine import extract_page
from ._integrity import is_error_page, is_truncated
from ._outlinks import feed_links, page_links
from .sdelanounas import parse_listing

# Bumped whenever a change to extraction changes what it returns for the same page.
EXTRACTOR_VERSION = "2"

__all__ = [
    "EXTRACTOR_VERSION",
    "decode_html",
    "extract_page",
    "feed_links",
    "is_error_page",
    "is_truncated",
    "page_links",
    "parse_listing",
]
