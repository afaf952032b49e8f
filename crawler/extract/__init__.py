"""Extraction: pure functions from (url, html) to an Article, one profile per site.

Nothing here touches the network or the database, so the same code runs on a live response,
a saved fixture or a stored raw page.
"""

from ._encoding import decode_html
from ._integrity import is_error_page, is_truncated
from .sdelanounas import extract_article, parse_listing

# Bumped whenever a change to extraction changes what it returns for the same page.
EXTRACTOR_VERSION = "1"

__all__ = [
    "EXTRACTOR_VERSION",
    "decode_html",
    "extract_article",
    "is_error_page",
    "is_truncated",
    "parse_listing",
]
