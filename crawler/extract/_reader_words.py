"""The words of furniture for the generic reader: class-name words, how furniture lines start,
the phrases only furniture says. Kept apart from the reader's weighing so that each stays short.
"""

from __future__ import annotations

import re

from ._tree import Element

# A label is at most this many words and ends with no sentence mark.
LABEL_WORDS = 6
_SENTENCE_ENDS = (".", "!", "?", "…", '"')

_FURNITURE_WORDS = {
    "comments": r"comment\w*|kommentar\w*|komentarz\w*|disqus\w*|respond|replies",
    "share-line": r"share\w*|sharing|social\w*|shariff|addthis|sharer|teilen",
    "related-links": r"related\w*|similar|recommend\w*|readmore|read-more|more-\w+|also\w*|"
    r"weitere\w*|outbrain|taboola|plista",
    "newsletter": r"newsletter\w*|subscri\w*|signup|sign-up|optin|abo|paywall\w*",
    "call-to-action": r"cta|donat\w*|spende\w*|appstores?",
    "author-box": r"author-?(?:bio|box|info|description|profile)\w*|about-?(?:the-)?author\w*|"
    r"biography",
    "ad-slot": r"ads?|adv|advert\w*|adslot\w*|ad-\w+|banner\w*|sponsor\w*|promo|promos|promobox|"
    r"werbung|anzeige\w*|dfp|commercial|reklam\w*",
    "navigation": r"nav|navi|navbar|navigation|menu\w*|breadcrumb\w*|crumbs?|pagination|pager|"
    r"skip\w*",
    "sidebar": r"sidebar\w*|widget|widgets|widget_\w+|widget-area|rail|aside",
    "page-footer": r"footer\w*",
    "teaser-list": r"popular|trending|most-\w+|mostread|latest|toplist",
    "widget": r"print|toolbar|tools|rating|vote|login|modal|popup|overlay|privacy",
    "consent": r"cookie\w*|consent\w*|gdpr|dsgvo|cmplz\w*",
}
_PRUNE_ONLY_WORDS = {
    "tag-line": r"tags?|tagged|tag-?list|tagcloud|keywords?|schlagw\w*|topics",
    "byline": r"byline\w*|author\w*|autor\w*|meta|metadata|postmeta\w*|dateline|date|time|"
    r"published|posted|timestamp",
    "caption": r"caption\w*|credits?|copyright|bildunterschrift|bilduntertitel|legende?",
    "form": r"forms?",
}
_TAG_FURNITURE = {"nav": "navigation", "aside": "sidebar", "footer": "page-footer"}
_ROLE_FURNITURE = {
    "navigation": "navigation",
    "complementary": "sidebar",
    "contentinfo": "page-footer",
    "banner": "page-header",
    "search": "navigation",
    "dialog": "widget",
}
# Furniture that is never the article, however much of the page's prose it holds.
ALWAYS_FURNITURE = frozenset(("comments", "consent"))
# How a line that points to other articles starts, in the languages of the pages we read.
READ_ALSO_STARTS = (
    "read also", "see also", "also read", "read more", "more on this", "related",
    "lesen sie auch", "auch lesen", "lesen sie mehr", "mehr zum thema", "weitere artikel",
    "das könnte sie auch interessieren", "lire aussi", "à lire aussi", "voir aussi",
    "lire la suite", "lee también", "leer más", "ver también", "czytaj także", "czytaj też",
    "czytaj więcej", "zobacz też", "zobacz także", "читайте также", "читайте еще",
    "читайте ещё", "смотрите также", "по теме",
)  # fmt: skip
# Short lines of furniture by how they start: bylines, tag lines, credits, ad labels …
LINE_STARTS = {
    "byline": (
        "by ", "von ", "von:", "por ", "par ", "autor:", "author:", "veröffentlicht",
        "published", "publié", "publicado", "opublikowano", "erstellt am", "updated",
        "aktualisiert", "stand:", "posted", "geschrieben von", "written by",
    ),
    "tag-line": (
        "tags", "schlagworte", "schlagwörter", "stichworte", "themen:", "mots-clés",
        "etiquetas", "tagi:", "тэги", "теги", "filed under", "kategorie", "categories",
    ),
    "caption": ("foto:", "fotos:", "photo:", "bild:", "quelle:", "source:", "fuente:",
                "crédit", "credits", "copyright", "©"),
    "ad-slot": ("anzeige", "werbung", "advertisement", "publicité", "publicidad", "reklama"),
    "share-line": ("share", "teilen", "partager", "compartir", "udostępnij", "поделиться"),
}  # fmt: skip
# … and by phrases only furniture says: calls to subscribe, donate, follow, accept.
FURNITURE_PHRASES = {
    "newsletter": (
        "newsletter", "subscribe", "abonnieren", "abonnez-vous", "suscríbete", "suscríbase",
        "subskrypc", "prenumerat", "sign up", "anmelden",
    ),
    "call-to-action": (
        "follow us", "folgen sie uns", "folge uns", "suivez-nous", "síguenos", "donate",
        "jede spende", "unterstützen sie", "support our", "cookies", "all rights reserved",
        "alle rechte vorbehalten", "tous droits réservés", "derechos reservados",
        "prawa zastrzeżone", "все права защищены",
    ),
}  # fmt: skip
# Lines this short are tested by how they start, blocks this short by their phrases.
LINE_START_CHARS = 120
PHRASE_CHARS = 200
_LEADING_MARKS = " \t\n\r\xa0»«›>→•–—-:*|"
# A "read also" line is short; longer text that starts so is prose.
READ_ALSO_CHARS = 200


def _word_pattern(words: dict[str, str]) -> re.Pattern[str]:
    """One pattern naming the rule of the first class-name word that matches a rule's words
    (a word negated, as in `non-paywall`, names nothing)."""
    groups = "|".join(f"(?P<{name.replace('-', '_')}>{alts})" for name, alts in words.items())
    return re.compile(rf"(?<![a-z0-9])(?<!no-)(?<!non-)(?:{groups})(?![a-z0-9])")


CHOOSING_WORDS = _word_pattern(_FURNITURE_WORDS)
PRUNING_WORDS = _word_pattern(_FURNITURE_WORDS | _PRUNE_ONLY_WORDS)


def furniture_rule(element: Element, words: re.Pattern[str]) -> str | None:
    """The furniture rule that the element's tag, role, class or id names, if any."""
    rule = _TAG_FURNITURE.get(element.tag)
    if rule:
        return rule
    role = element.get("role")
    if role and role in _ROLE_FURNITURE:
        return _ROLE_FURNITURE[role]
    names = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    found = words.search(names) if names.strip() else None
    return found.lastgroup.replace("_", "-") if found and found.lastgroup else None


def is_label(text: str) -> bool:
    """Whether a short line is a label, not a sentence: no full stop, few words."""
    words = text.split()
    return len(words) <= LABEL_WORDS and not text.rstrip().endswith(_SENTENCE_ENDS)


def line_rule(text: str, chars: int) -> str | None:
    """The furniture rule a short block's words name: read-also lines, bylines, calls to act."""
    start = text[:60].lstrip(_LEADING_MARKS).lower()
    if chars <= READ_ALSO_CHARS and start.startswith(READ_ALSO_STARTS):
        return "read-also"
    if chars <= LINE_START_CHARS:
        for rule, starts in LINE_STARTS.items():
            if start.startswith(starts):
                return rule
    lowered = text.lower()
    for rule, phrases in FURNITURE_PHRASES.items():
        if any(phrase in lowered for phrase in phrases):
            return rule
    return None
