"""What generic markup says of a part of a page: its role, by the words every CMS uses.

No site's class names: the words of class names and ids that themes in every language share
(`author`, `byline`, `rubric`, `kicker`, `tags`), the path segments of links to author,
section and tag pages (`/author/`, `/rubric/`, `/tag/`), and the labels readers see
(«Автор:», «Рубрика:», «Теги:», "Tagged"). The field readers ask these after structured data
and the site's profile.
"""

from __future__ import annotations

import re

from lxml import etree

from ._text import clean_inline, unique_texts
from ._tree import Element, elements, is_inside, text_of

ROLE_WORDS = {
    "author": re.compile(r"author|autor|byline|avtor|writer|verfasser|creator|redakt", re.I),
    "category": re.compile(
        r"categor|kategor|rubri|kicker|ressort|seccion|sezione|primary-tag|eyebrow|overline"
        r"|article-section|section-name|post-section|dzial",
        re.I,
    ),
    "tags": re.compile(
        r"^tags?$|tag-?list|tags-|-tags|_tags|tags_|^tagi|keywords|etiquet|schlagw|stichw|"
        r"topics|metki|tegi",
        re.I,
    ),
}
PATHS = {
    "author": re.compile(
        r"/(?:author|authors|autor|autoren|avtor|avtory|auteur|auteurs|autore|autori|"
        r"redakteur|redaktion/autor|journalist|journalists)/",
        re.I,
    ),
    "category": re.compile(
        r"/(?:category|categories|categorie|categoria|categorias|kategorie|kategoria|rubric|"
        r"rubrics|rubrika|rubriki|rubrique|rubriques|rubrik|rubriken|section|sections|seccion|"
        r"secciones|sezione|ressort|dzial)/|[?&](?:rub|rubric|category|cat|section)=",
        re.I,
    ),
    "tags": re.compile(
        r"/(?:tag|tags|tagged|topic|topics|themen|schlagwort|schlagworte|stichwort|"
        r"stichworte|etiqueta|etiquetas|tagi|teg|tegi|metki|mots-cles|keyword|keywords)/"
        r"|[?&](?:tag|tags|keyword|keywords)=|component/tags/",
        re.I,
    ),
}
LABELS = {
    "author": re.compile(
        r"^(?:автор(?:ы)?|текст|by|von|par|por|di|autor(?:in)?|author|door|av|"
        r"scritto da|escrito por|écrit par|napisał(?:a)?|geschrieben von)\s*:?\s+",
        re.I,
    ),
    "category": re.compile(
        r"(?:рубрика|раздел|category|categoria|categoría|kategorie|kategoria|rubrique|"
        r"section|sección|sezione|ressort|dział)\s*:\s*$",
        re.I,
    ),
    "tags": re.compile(
        r"(?:теги|метки|ключевые слова|tags|tagged|topics|schlagworte|stichworte|etiquetas|"
        r"tagi|mots-clés|parole chiave|temas|tag)\s*:?\s*$",
        re.I,
    ),
}
# A role's words with their anchors dropped: a token that matches a role's words is part of
# the marks, so marks this misses have no such token (one search per element, not per token).
_ANY_WORDS = {
    role: re.compile(words.pattern.replace("^", "").replace("$", ""), re.I)
    for role, words in ROLE_WORDS.items()
}
# A label matches at the end of its line: in a clean line, within these last characters
# (the longest label word, a space, a colon and a space).
_LABEL_END = 20
_TOKENS = re.compile(r"[^\w-]+|__")
_WITH_MARKS = etree.XPath(".//*[@class or @id]")
_BREADCRUMB = re.compile(r"breadcrumb|crumbs|pathway", re.I)
_IN_COMMENTS = re.compile(r"comment|коммент|kommentar|komentar|discuss", re.I)
# A name, a section or a tag is short; longer text is a sentence, not one of them.
LONGEST_NAME = 80
LONGEST_LABEL = 60


def marked(scope: Element, role: str) -> list[Element]:
    """Elements inside scope whose class or id has a word of the role, in document order,
    outside comment sections."""
    words, any_words = ROLE_WORDS[role], _ANY_WORDS[role]
    found = []
    for element in elements(_WITH_MARKS, scope):
        marks = f"{element.get('class') or ''} {element.get('id') or ''}"
        if not any_words.search(marks):
            continue
        tokens = [token for token in _TOKENS.split(marks) if token]
        if any(words.search(token) for token in tokens) and not in_comments(element, scope):
            found.append(element)
    return found


def in_comments(element: Element, scope: Element) -> bool:
    """Whether the element lies in a comment section (a commenter is no author)."""
    for ancestor in element.iterancestors():
        marks = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"
        if _IN_COMMENTS.search(marks):
            return True
        if ancestor is scope:
            break
    return False


def path_links(scope: Element, role: str) -> list[Element]:
    """Links inside scope to the role's kind of page (`/author/…`, `/rubric/…`, `/tag/…`)."""
    pattern = PATHS[role]
    return [
        link
        for link in scope.iter("a")
        if pattern.search(link.get("href") or "") and not in_comments(link, scope)
    ]


def labelled_links(scope: Element, role: str) -> list[Element]:
    """Links that follow the role's label in their line, and the links after them in that
    line: «Рубрика: <a>Город</a>», «<span>Теги:</span> <a>a</a>, <a>b</a>»."""
    label = LABELS[role]
    found: list[Element] = []
    parents = {parent for link in scope.iter("a") if (parent := link.getparent()) is not None}
    for parent in parents:
        labelled, text_before = False, parent.text or ""
        for child in parent:
            if child.tag == "a":
                labelled = labelled or _ends_with_label(label, text_before)
                if labelled:
                    found.append(child)
            elif isinstance(child.tag, str):
                labelled = _ends_with_label(label, text_before + text_of(child))
            text_before = child.tail or ""
    chosen = set(found)
    return [link for link in scope.iter("a") if link in chosen]


def _ends_with_label(label: re.Pattern[str], text: str) -> bool:
    """Whether the line ends with the label; only its end is searched, since a search over a
    long line tries every label word at every character."""
    return label.search(clean_inline(text)[-_LABEL_END:]) is not None


def short_text(element: Element, role: str, limit: int = LONGEST_LABEL) -> str | None:
    """The element's text without its label («Категория: X» → X), if short enough."""
    text = clean_inline(text_of(element))
    if ":" in text and len(text.split(":", 1)[0]) <= 24:
        text = clean_inline(text.split(":", 1)[1])
    text = LABELS["author"].sub("", text) if role == "author" else text
    return text if 0 < len(text) <= limit else None


def texts_of_links(links: list[Element]) -> list[str]:
    return unique_texts(text_of(link) for link in links)


def breadcrumb_section(root: Element, page_url: str) -> str | None:
    """The last section a breadcrumb trail names before the article itself."""
    for element in elements(_WITH_MARKS, root):
        marks = f"{element.get('class') or ''} {element.get('id') or ''}"
        if not _BREADCRUMB.search(marks):
            continue
        links = [link for link in element.iter("a") if link.get("href")]
        links = [link for link in links if not page_url.endswith(link.get("href", "#"))]
        if len(links) >= 2:
            return clean_inline(text_of(links[-1])) or None
    return None


def precedes(scope: Element, first: Element, second: Element) -> bool:
    """Whether `first` comes before `second` in document order inside scope."""
    for node in scope.iter():
        if node is first:
            return not is_inside(second, first)
        if node is second:
            return False
    return False
