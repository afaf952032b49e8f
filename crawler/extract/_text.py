"""Text normalisation shared by every extractor: what Russian pages need to compare and search."""

import re
import unicodedata

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"[^\S\n]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")


def normalise_fragment(text: str) -> str:
    """NFC, invisible marks dropped and no-break spaces made plain, spacing otherwise kept."""
    return unicodedata.normalize("NFC", text).translate(_INVISIBLE).replace("\u00a0", " ")


def clean_inline(text: str | None) -> str:
    """One line: NFC, no soft hyphens or zero-width marks, `&nbsp;` and runs of spaces as one."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


def clean_block(text: str) -> str:
    """Multi-line text: each line cleaned, at most one blank line between blocks."""
    lines = [clean_inline(line) for line in text.split("\n")]
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()
