"""Text normalisation shared by every extractor: what Russian pages need to compare and search."""

import re
import unicodedata
from collections.abc import Iterable

_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_MANY_NEWLINES = re.compile(r"\n{3,}")


def _nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _visible(text: str) -> str:
    """The text without the marks of _INVISIBLE; substring tests (fast scans in C) spare most
    texts the regex, which costs far more per character."""
    if (
        "\u00ad" in text
        or "\u200b" in text
        or "\u200c" in text
        or "\u200d" in text
        or "\u2060" in text
        or "\ufeff" in text
    ):
        return _INVISIBLE.sub("", text)
    return text


def normalise_fragment(text: str) -> str:
    """NFC, invisible marks dropped and no-break spaces made plain, spacing otherwise kept."""
    return _visible(_nfc(text)).replace("\u00a0", " ")


def clean_inline(text: str | None) -> str:
    """One line: NFC, no soft hyphens or zero-width marks, `&nbsp;` and runs of spaces as one."""
    if not text or text.isspace():
        return ""
    text = _nfc(text)
    if _is_one_line(text):
        return text
    return " ".join(_visible(text).split())


def _is_one_line(text: str) -> bool:
    """Whether the text is clean already: printable means its only whitespace is the plain
    space and it has no invisible marks, so one scan spares splitting it into words."""
    return (
        text.isprintable()
        and "  " not in text
        and not text.startswith(" ")
        and not text.endswith(" ")
    )


def clean_block(text: str) -> str:
    """Multi-line text: each line cleaned, at most one blank line between blocks."""
    lines = [clean_inline(line) for line in text.split("\n")]
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()


def unique_texts(texts: Iterable[str | None]) -> list[str]:
    """Texts cleaned, empty ones dropped, repeats (ignoring case) removed, order kept."""
    seen: set[str] = set()
    kept = []
    for text in map(clean_inline, texts):
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            kept.append(text)
    return kept
