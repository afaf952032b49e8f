"""Full-text search in each article's own language: a pre-stemmed FTS5 index, stemmed queries.

SQLite's FTS5 knows no word forms, so the index `articles_search` holds each article's title,
lead and body as the Snowball stems (PyStemmer) of the article's `language` (ISO 639-1):
«заводы», «заводе», «заводов» are all «завод» there, "factories" and "factory" both
"factori". Words are lower-cased and ё is е, in every language.

- A language with no Snowball stemmer (Ukrainian, Chinese, …) keeps its words unstemmed: they
  are found as written or by `prefix*`. A stemmer of another language would merge words that
  differ and split forms that belong together, which is worse than no stemming at all.
- An article of unknown language (NULL) is stemmed as Russian when its letters are mostly
  Cyrillic, since the first site's articles were archived without a language; otherwise its
  words are kept unstemmed, as no stemmer is known to fit.

A query is stemmed in every language the archive holds: each word becomes an OR of its
distinct stems, `plants` → `("plant" OR "plants")` in an archive of English articles and
articles of unknown language, so one query finds articles of every language. Phrases,
`prefix*`, AND/OR/NOT and brackets keep their meaning. The index is a plain FTS5 table with the
stock unicode61 tokenizer, so an archive (or a dump) opens and searches in any SQLite with no
extension of ours; only the stemming of the query is ours. Snippets are cut from the original
text, with the words whose stems matched (in the article's own language) highlighted.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from html import escape

import Stemmer

from .exceptions import BadQuery

_WORD = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_QUERY_TOKEN = re.compile(r'"[^"]*"?|\(|\)|[^\s()"]+')
_OPERATORS = {"AND", "OR", "NOT"}
# bm25 weights of title, lead and body: a term in the title counts most.
BM25_WEIGHTS = (10.0, 3.0, 1.0)
SNIPPET_WORDS = 30
# How much of an article of unknown language is read to tell its script.
SCRIPT_SAMPLE = 2000

# ISO 639-1 codes and the Snowball stemmers PyStemmer has for them.
_SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german",
    "el": "greek", "en": "english", "eo": "esperanto", "es": "spanish", "et": "estonian",
    "eu": "basque", "fa": "persian", "fi": "finnish", "fr": "french", "ga": "irish",
    "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian",
    "lt": "lithuanian", "nb": "norwegian", "ne": "nepali", "nl": "dutch", "nn": "norwegian",
    "no": "norwegian", "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian",
    "sr": "serbian", "st": "sesotho", "sv": "swedish", "ta": "tamil", "tr": "turkish",
    "yi": "yiddish",
}  # fmt: skip
STEMMERS = {code: name for code, name in _SNOWBALL.items() if name in Stemmer.algorithms()}

Algorithm = str | None  # a Snowball stemmer's name; None: the words are kept unstemmed
# What a query is stemmed for when the archive's languages are not known: every stemming.
ALL_ALGORITHMS: tuple[Algorithm, ...] = (*sorted(set(STEMMERS.values())), None)

# Title, lead, body as the archive holds them, and the article's language where known.
Indexed = tuple[str, str | None, str] | tuple[str, str | None, str, str | None]

# The distinct languages of the archive's articles, one index seek per language.
_LANGUAGES_HELD = """
WITH RECURSIVE held(language) AS (
    SELECT min(language) FROM articles
    UNION ALL
    SELECT (SELECT min(language) FROM articles WHERE language > held.language)
    FROM held WHERE held.language IS NOT NULL
)
SELECT language FROM held WHERE language IS NOT NULL
"""


@cache
def _stemmer(algorithm: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(algorithm)


def normalise_word(word: str) -> str:
    return word.lower().replace("ё", "е")


def language_algorithm(language: str) -> Algorithm:
    """The stemmer of a language code (`en`, `pt-BR`, `RU` alike); None if it has none."""
    return STEMMERS.get(re.split(r"[-_]", language.strip().lower())[0])


def article_algorithm(text: Indexed) -> Algorithm:
    """The stemmer an article is indexed with: its language's, or by its script if unknown."""
    title, lead, body, *language = text
    if language and language[0]:
        return language_algorithm(language[0])
    sample = f"{title} {lead or ''} {body}"[:SCRIPT_SAMPLE]
    return "russian" if 2 * len(_CYRILLIC.findall(sample)) > len(_LETTER.findall(sample)) else None


def held_algorithms(conn: sqlite3.Connection) -> tuple[Algorithm, ...]:
    """The stemmers the archive's articles are indexed with, so that a query is stemmed for
    each; an article of unknown language may be Russian or unstemmed, so it counts for both.

    Asked on every query rather than cached: it costs a few seeks in the language index, and
    no cache can then miss the first article of a new language a running crawl commits.
    """
    languages: list[str | None] = [row[0] for row in conn.execute(_LANGUAGES_HELD)]
    if conn.execute("SELECT EXISTS (SELECT 1 FROM articles WHERE language IS NULL)").fetchone()[0]:
        languages.append(None)
    found: set[Algorithm] = set()
    for language in languages:
        found |= {language_algorithm(language)} if language else {"russian", None}
    return _ordered(found) or (None,)


def _ordered(algorithms: Iterable[Algorithm]) -> tuple[Algorithm, ...]:
    return tuple(sorted(algorithms, key=lambda name: (name is None, name or "")))


def _stem_words(words: list[str], algorithm: Algorithm) -> list[str]:
    return _stemmer(algorithm).stemWords(words) if algorithm and words else words


def stems(text: str | None, algorithm: Algorithm) -> list[str]:
    """The stems of a text's words, in order (lower case, ё as е); unstemmed for None."""
    return _stem_words(_WORD.findall(normalise_word(text or "")), algorithm)


def stem_text(text: str | None, algorithm: Algorithm) -> str:
    """A text as the index holds it: its stems, separated by spaces."""
    return " ".join(stems(text, algorithm))


def _is_prefix(token: str) -> bool:
    return not token.startswith('"') and token.endswith("*")


def _term(token: str, algorithms: Sequence[Algorithm]) -> str | None:
    """A query word, quoted phrase or `prefix*` as the index may hold it: a phrase per distinct
    stemming, OR-ed; None if it has no word. A prefix is stemmed too: `заводы*` is `завод*`."""
    star = "*" if _is_prefix(token) else ""
    phrases: list[str] = []
    for algorithm in algorithms:
        if found := stems(token.strip('"'), algorithm):
            phrase = '"' + " ".join(found) + '"' + star
            phrases += [phrase] if phrase not in phrases else []
    if len(phrases) > 1:
        return "(" + " OR ".join(phrases) + ")"
    return phrases[0] if phrases else None


def _has_word(token: str) -> bool:
    return bool(_WORD.search(token))


def _joined(parts: list[str]) -> str:
    """Query parts with AND between neighbouring terms: FTS5 leaves it implicit only between
    plain phrases, and a word with several stems is a bracketed OR."""
    joined: list[str] = []
    for part in parts:
        if joined and joined[-1] not in (*_OPERATORS, "(") and part not in (*_OPERATORS, ")"):
            joined.append("AND")
        joined.append(part)
    return " ".join(joined)


def stem_query(query: str, algorithms: Sequence[Algorithm] = ALL_ALGORITHMS) -> str:
    """An FTS5 query with every word stemmed: phrases, `prefix*`, AND/OR/NOT and () kept.

    Pass `held_algorithms(conn)`: by default a word is stemmed in every language there is.
    """
    parts = []
    for token in _QUERY_TOKEN.findall(query):
        if token in _OPERATORS or token in ("(", ")"):
            parts.append(token)
        elif term := _term(token, algorithms):
            parts.append(term)
    return _joined(parts)


def _wanted_tokens(query: str) -> list[str]:
    """The query's words, phrases and prefixes, except those under a NOT."""
    tokens: list[str] = []
    depth, negated_from, after_not = 0, None, False
    for token in _QUERY_TOKEN.findall(query):
        if token == "(":
            depth += 1
            if after_not and negated_from is None:
                negated_from = depth
        elif token == ")":
            if negated_from == depth:
                negated_from = None
            depth -= 1
        elif token not in _OPERATORS and not after_not and negated_from is None:
            tokens.append(token)
        after_not = token == "NOT"
    return tokens


def escape_stemmed(query: str, algorithms: Sequence[Algorithm] = ALL_ALGORITHMS) -> str:
    """Datasette's `escape_fts`, stemming: each word and each quoted phrase becomes a phrase."""
    if query.count('"') % 2:
        query += '"'
    bits = [bit for bit in re.split(r'\s+|(".*?")', query) if bit and bit != '""']
    terms = [term for bit in bits if (term := _term('"' + bit.strip('"') + '"', algorithms))]
    return _joined(terms) or '""'  # an empty phrase matches nothing; an empty MATCH is an error


def _stemmed(text: Indexed) -> list[str]:
    """Title, lead and body as the index holds them, stemmed in the article's language."""
    algorithm = article_algorithm(text)
    return [stem_text(part, algorithm) for part in text[:3]]


def index_row(conn: sqlite3.Connection, pk: int, new: Indexed, old: Indexed | None = None) -> None:
    """Put an article's stems into the index; `old` is what was indexed before, if anything.

    The index is contentless, so taking a version out needs that version's text and language:
    a change of an article's language must come here too, with the language it had.
    """
    if old is not None:
        unindex_row(conn, pk, old)
    conn.execute(
        "INSERT INTO articles_search (rowid, title, lead, body) VALUES (?, ?, ?, ?)",
        [pk, *_stemmed(new)],
    )


def unindex_row(conn: sqlite3.Connection, pk: int, old: Indexed) -> None:
    """Take an article's stems (of the version given) out of the index."""
    conn.execute(
        "INSERT INTO articles_search (articles_search, rowid, title, lead, body)"
        " VALUES ('delete', ?, ?, ?, ?)",
        [pk, *_stemmed(old)],
    )


def check_query(query: str) -> BadQuery | None:
    """What is wrong with a query as a person typed it (None: nothing), before FTS5 sees it.

    FTS5's own messages name tokens the user never typed («syntax error near ")"»), so the
    usual slips are caught here: an unclosed quote, a bracket left open or extra, an operator
    with nothing on one side, no word at all.
    """
    if query.count('"') % 2:
        return BadQuery("Кавычка не закрыта / A quote is not closed", _fixed(query + '"'))
    tokens = _QUERY_TOKEN.findall(query)
    depth = 0
    for token in tokens:
        depth += {"(": 1, ")": -1}.get(token, 0)
        if depth < 0:
            return BadQuery("Лишняя скобка «)» / A «)» with no «(»", _fixed(query))
    if depth:
        return BadQuery("Скобка «(» не закрыта / A «(» is not closed", _fixed(query))
    if not any(_has_word(token) for token in tokens if token not in _OPERATORS):
        return BadQuery(
            "В запросе нет ни одного слова; AND, OR и NOT ставят между словами / There is no"
            " word to search for; AND, OR and NOT go between words",
            "завод NOT турбина",
        )
    for before, token, after in zip(["(", *tokens[:-1]], tokens, [*tokens[1:], ")"], strict=True):
        if token in _OPERATORS and (before in _OPERATORS or before == "(" or after in (")",)):
            side = "before" if before in _OPERATORS or before == "(" else "after"
            where = "перед ним" if side == "before" else "после него"
            return BadQuery(
                f"{token} нужно слово {where} / {token} needs a word {side} it"
                " (e.g. завод NOT турбина)",
                _fixed(query),
            )
    return None


def _fixed(query: str) -> str:
    """The query with quotes closed, brackets balanced and dangling operators dropped."""
    if query.count('"') % 2:
        query += '"'
    kept: list[str] = []
    depth = 0
    for token in _QUERY_TOKEN.findall(query):
        if token == ")" and depth == 0:
            continue
        depth += {"(": 1, ")": -1}.get(token, 0)
        kept.append(token)
    kept += [")"] * depth
    changed = True
    while changed:
        changed = False
        for i, token in enumerate(kept):
            before = kept[i - 1] if i else "("
            after = kept[i + 1] if i + 1 < len(kept) else ")"
            dangling = before in _OPERATORS or before == "(" or after in (*_OPERATORS, ")")
            if token in _OPERATORS and dangling:
                del kept[i]
                changed = True
                break
    return re.sub(r"\( | \)", lambda m: m.group().strip(), " ".join(kept))


def _matching(conn: sqlite3.Connection, sql: str, params: list[object]) -> list[tuple]:
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:
        raise BadQuery(
            "Не получается искать так / Cannot search for that:"
            " check quotes, brackets and AND/OR/NOT"
        ) from None


@dataclass(frozen=True)
class Hit:
    """One search result."""

    pk: int
    title: str
    published_at: str | None
    author: str | None
    category: str | None
    url: str
    site: str
    language: str | None
    rank: float
    snippet: str  # HTML: escaped text with <mark> around the matching words


@dataclass(frozen=True)
class Filters:
    """What the search page narrows results to; an empty field does not narrow."""

    site: str = ""
    since: str = ""  # YYYY-MM-DD, inclusive
    until: str = ""  # YYYY-MM-DD, inclusive
    category: str = ""
    tag: str = ""


def _conditions(filters: Filters | None) -> tuple[list[str], list[object]]:
    """SQL conditions on `articles a` for the filters, and their parameters."""
    if filters is None:
        return [], []
    wanted = (
        (filters.site, "a.site = ?"),
        (filters.since, "substr(a.published_at, 1, 10) >= ?"),
        (filters.until, "substr(a.published_at, 1, 10) <= ?"),
        (filters.category, "a.category = ?"),
        (
            filters.tag,
            "a.pk IN (SELECT at.article_pk FROM article_tags at JOIN tags t"
            " ON t.id = at.tag_id WHERE t.name = ?)",
        ),
    )
    chosen = [(value, sql) for value, sql in wanted if value]
    return [sql for _, sql in chosen], [value for value, _ in chosen]


def _restriction(filters: Filters | None) -> tuple[str, list[object]]:
    """An ` AND rowid IN (…)` for a query on the index, or nothing without filters."""
    conditions, params = _conditions(filters)
    if not conditions:
        return "", []
    return f" AND rowid IN (SELECT a.pk FROM articles a WHERE {' AND '.join(conditions)})", params


def _checked(query: str, algorithms: Sequence[Algorithm]) -> str:
    """The query as the index holds it, or BadQuery saying what to change."""
    if problem := check_query(query):
        raise problem
    return stem_query(query, algorithms)


# The columns of `articles a` a hit is made of, before its rank.
_HIT_COLUMNS = (
    "a.pk, a.title, a.published_at, a.author, a.category, a.url, a.site, a.language, a.lead,"
    " a.body_text"
)


def search(
    conn: sqlite3.Connection,
    query: str,
    limit: int = 20,
    offset: int = 0,
    filters: Filters | None = None,
) -> list[Hit]:
    """Articles matching a query, best first, with snippets.

    Articles with a searched word in the title come first, then the others, each group ranked
    by bm25 (title, lead and body weighted as in BM25_WEIGHTS). Ranking costs a bm25 per
    match, so the first page of a common word ranks its title matches only, not a third of the
    archive; and the index alone ranks: only the page's rows are read from `articles`.
    """
    algorithms = held_algorithms(conn)
    fts_query = _checked(query, algorithms)
    tokens = _wanted_tokens(query)
    terms = [term for token in tokens if (term := _term(token, algorithms))]
    groups = _title_first(fts_query, terms)
    rows: list[tuple] = []
    for position, group in enumerate(groups):
        if len(rows) == limit:
            break
        if offset and position < len(groups) - 1:  # on the first page nothing is skipped
            size = _group_size(conn, group, filters)
            if offset >= size:
                offset -= size
                continue
        rows += _ranked(conn, group, limit - len(rows), offset, filters)
        offset = 0
    return _hits(rows, tokens)


def newest(
    conn: sqlite3.Connection, query: str, limit: int = 20, filters: Filters | None = None
) -> list[Hit]:
    """The newest articles matching a query (word forms matched), for a feed: newest first."""
    fts_query = _checked(query, held_algorithms(conn))
    conditions, params = _conditions(filters)
    rows = _matching(
        conn,
        f"SELECT {_HIT_COLUMNS}, 0 FROM articles a WHERE a.pk IN (SELECT rowid FROM articles_search"
        " WHERE articles_search MATCH ?)"
        + "".join(f" AND {condition}" for condition in conditions)
        + " ORDER BY a.published_at DESC LIMIT ?",
        [fts_query, *params, limit],
    )
    return _hits(rows, _wanted_tokens(query))


def _hits(rows: list[tuple], tokens: list[str]) -> list[Hit]:
    """Rows as hits, each with a snippet of its body (the title is on the page already)."""
    hits = []
    for pk, title, published_at, author, category, url, site, language, lead, body, rank in rows:
        algorithm = article_algorithm((title, lead, body, language))
        passage = snippet(body or lead or title, *_marks(tokens, algorithm), algorithm)
        hits.append(
            Hit(pk, title, published_at, author, category, url, site, language, rank, passage)
        )
    return hits


def _marks(tokens: list[str], algorithm: Algorithm) -> tuple[set[str], tuple[str, ...]]:
    """The stems a snippet marks in an article of this stemming, and the stemmed prefixes."""
    wanted: set[str] = set()
    prefixes: list[str] = []
    for token in tokens:
        found = stems(token.strip('"'), algorithm)
        if found and _is_prefix(token):
            prefixes.append(found.pop())
        wanted.update(found)
    return wanted, tuple(prefixes)


def _title_first(fts_query: str, terms: list[str]) -> list[str]:
    """The query split in two: matches with a wanted term in the title, and the others."""
    if not terms:
        return [fts_query]
    in_title = f"title : ({' OR '.join(terms)})"
    return [f"({fts_query}) AND {in_title}", f"({fts_query}) NOT {in_title}"]


def _group_size(conn: sqlite3.Connection, fts_query: str, filters: Filters | None = None) -> int:
    restriction, params = _restriction(filters)
    sql = f"SELECT count(*) FROM articles_search WHERE articles_search MATCH ?{restriction}"
    return int(_matching(conn, sql, [fts_query, *params])[0][0])


def _ranked(
    conn: sqlite3.Connection, fts_query: str, limit: int, offset: int, filters: Filters | None
) -> list[tuple]:
    weights = ", ".join(map(str, BM25_WEIGHTS))
    restriction, params = _restriction(filters)
    return _matching(
        conn,
        f"SELECT {_HIT_COLUMNS}, best.rank FROM (SELECT rowid,"
        f" bm25(articles_search, {weights}) AS rank"
        f" FROM articles_search WHERE articles_search MATCH ?{restriction}"
        " ORDER BY rank LIMIT ? OFFSET ?) best"
        " JOIN articles a ON a.pk = best.rowid ORDER BY best.rank",
        [fts_query, *params, limit, offset],
    )


def count(conn: sqlite3.Connection, query: str, filters: Filters | None = None) -> int:
    """How many articles match (0 for a query with no word)."""
    fts_query = stem_query(query, held_algorithms(conn))
    return _group_size(conn, fts_query, filters) if fts_query else 0


def snippet(
    text: str,
    wanted: set[str],
    prefixes: tuple[str, ...],
    algorithm: Algorithm,
    width: int = SNIPPET_WORDS,
) -> str:
    """The passage of `width` words with the most matching words, matches in <mark>.

    A word matches as the index matched it: its stem (in the article's stemming) is wanted or
    starts with a wanted prefix. Each distinct word is stemmed once.
    """
    words = list(_WORD.finditer(text))
    if not words:
        return ""
    normal = [normalise_word(match.group()) for match in words]
    distinct = sorted(set(normal))
    stem_of = dict(zip(distinct, _stem_words(distinct, algorithm), strict=True))
    hits = [
        i for i, word in enumerate(normal)
        if stem_of[word] in wanted or stem_of[word].startswith(prefixes)
    ]  # fmt: skip
    start = 0
    if hits:
        best = max(hits, key=lambda i: sum(1 for j in hits if i <= j < i + width))
        start = max(0, best - width // 4)
    end = min(len(words), start + width)
    marked = set(hits)
    pieces = []
    cursor = words[start].start()
    for i in range(start, end):
        match = words[i]
        pieces.append(escape(text[cursor : match.start()]))
        word = escape(match.group())
        pieces.append(f"<mark>{word}</mark>" if i in marked else word)
        cursor = match.end()
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(words) else ""
    return prefix + "".join(pieces) + suffix
