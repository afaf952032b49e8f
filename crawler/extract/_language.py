"""A light language detector, for pages that say nothing of their language.

The commonest short words of each language are counted in the body's first words; the
language with most of them wins where they are common enough to tell. Pages that name their
language (`<html lang>`, `og:locale`, JSON-LD) or sites whose registry entry does never come
here: this is the last link of the language's chain.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")
_SAMPLE_WORDS = 400
_LEAST_HITS = 5
_LEAST_SHARE = 0.08
COMMON_WORDS = {
    "en": "the and of to in is that for it with as was on are by this be from at have an",
    "de": "der die und das ist nicht den mit sich des auf für ein eine dem im zu von auch",
    "fr": "le la les et des est une un du dans que qui pour pas sur au avec il elle ce",
    "es": "el la los las y que del en un una es por con para se no al lo como su",
    "it": "il di che la è e per un una non sono del della con si le gli nel al da",
    "pt": "o a os as e que do da em um uma é com não para se dos das no na por",
    "nl": "de het een en van is dat op te in zijn niet met voor er maar ook die",
    "pl": "i w na z że się nie do to jest jak o od po za przez dla co ale",
    "ru": "и в не на что с по это как из к у за от о но для же так мы он",
    "uk": "і в не на що з по це як із до у за від та але для ж так ми він",
}
_WORDS = {language: frozenset(words.split()) for language, words in COMMON_WORDS.items()}


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the language the text is most likely in, or None."""
    words = _WORD.findall(text.lower())[:_SAMPLE_WORDS]
    if not words:
        return None
    hits = {language: sum(word in common for word in words) for language, common in _WORDS.items()}
    language, best = max(hits.items(), key=lambda item: item[1])
    if best < _LEAST_HITS or best < _LEAST_SHARE * len(words):
        return None
    return language
