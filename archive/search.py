"""Russian-aware full-text search: a pre-stemmed FTS5 index, stemmed queries, readable snippets.

SQLite's FTS5 knows no Russian word forms, so the index `articles_search` holds each article's
title, lead and body as Snowball stems (PyStemmer): «заводы», «заводе», «заводов» are all
«завод» there. Queries are stemmed the same way. The index is a plain FTS5 table with the
stock unicode61 tokenizer, so an archive (or a dump) opens and searches in any SQLite with no
extension of ours; only the stemming of the query is ours. Snippets are cut from the original
text, with the words whose stems matched highlighted.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from html import escape

import Stemmer

_WORD = re.compile(r"\w+")
_QUERY_TOKEN = re.compile(r'"[^"]*"?|\(|\)|[^\s()"]+')
_OPERATORS = {"AND", "OR", "NOT"}
# bm25 weights of title, lead and body: a term in the title counts most.
BM25_WEIGHTS = (10.0, 3.0, 1.0)
SNIPPET_WORDS = 30


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("russian")


def normalise_word(word: str) -> str:
    return word.lower().replace("ё", "е")


def stems(text: str | None) -> list[str]:
    """The stems of a text's words, in order (lower case, ё as е)."""
    words = _WORD.findall(normalise_word(text or ""))
    return _stemmer().stemWords(words) if words else []


def stem_text(text: str | None) -> str:
    """A text as the index holds it: its stems, separated by spaces."""
    return " ".join(stems(text))


def _phrase(words: str) -> str:
    return '"' + " ".join(stems(words)) + '"'


def _term(token: str) -> str | None:
    """A query word, quoted phrase or `prefix*` as the index holds it, or None if no word."""
    if token.startswith('"'):
        inside = token.strip('"')
        return _phrase(inside) if stems(inside) else None
    if token.endswith("*") and stems(token):
        return stems(token)[0] + "*"
    return _phrase(token) if stems(token) else None


def stem_query(query: str) -> str:
    """An FTS5 query with every word stemmed: phrases, `prefix*`, AND/OR/NOT and () kept.

    A prefix is matched against stems, so it is stemmed too: `заводы*` looks for `завод*`.
    """
    parts = []
    for token in _QUERY_TOKEN.findall(query):
        if token in _OPERATORS or token in "()":
            parts.append(token)
        elif term := _term(token):
            parts.append(term)
    return " ".join(parts)


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


def escape_stemmed(query: str) -> str:
    """Datasette's `escape_fts`, stemming: each word and each quoted phrase becomes a phrase."""
    if query.count('"') % 2:
        query += '"'
    bits = [bit for bit in re.split(r'\s+|(".*?")', query) if bit and bit != '""']
    phrases = " ".join(phrase for bit in bits if (phrase := _phrase(bit.strip('"'))) != '""')
    return phrases or '""'  # an empty phrase matches nothing; an empty MATCH is an error


Indexed = tuple[str, str | None, str]  # title, lead, body as the archive holds them


def index_row(conn: sqlite3.Connection, pk: int, new: Indexed, old: Indexed | None = None) -> None:
    """Put an article's stems into the index; `old` is what was indexed before, if anything.

    The index is contentless, so taking a version out needs that version's text.
    """
    if old is not None:
        unindex_row(conn, pk, old)
    conn.execute(
        "INSERT INTO articles_search (rowid, title, lead, body) VALUES (?, ?, ?, ?)",
        [pk, *map(stem_text, new)],
    )


def unindex_row(conn: sqlite3.Connection, pk: int, old: Indexed) -> None:
    """Take an article's stems (of the version given) out of the index."""
    conn.execute(
        "INSERT INTO articles_search (articles_search, rowid, title, lead, body)"
        " VALUES ('delete', ?, ?, ?, ?)",
        [pk, *map(stem_text, old)],
    )


class BadQuery(ValueError):
    """A query that cannot be searched, said in the user's words, with a query that can."""

    def __init__(self, message: str, suggestion: str = "") -> None:
        super().__init__(message)
        self.message, self.suggestion = message, suggestion


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
    if not any(_term(token) for token in tokens if token not in _OPERATORS):
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


def _checked(query: str) -> str:
    """The query as the index holds it, or BadQuery saying what to change."""
    if problem := check_query(query):
        raise problem
    return stem_query(query)


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
    fts_query = _checked(query)
    tokens = _wanted_tokens(query)
    groups = _title_first(fts_query, [term for token in tokens if (term := _term(token))])
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
    fts_query = _checked(query)
    conditions, params = _conditions(filters)
    rows = _matching(
        conn,
        "SELECT a.pk, a.title, a.published_at, a.author, a.category, a.url, a.lead, a.body_text,"
        " 0 FROM articles a WHERE a.pk IN (SELECT rowid FROM articles_search"
        " WHERE articles_search MATCH ?)"
        + "".join(f" AND {condition}" for condition in conditions)
        + " ORDER BY a.published_at DESC LIMIT ?",
        [fts_query, *params, limit],
    )
    return _hits(rows, _wanted_tokens(query))


def _hits(rows: list[tuple], tokens: list[str]) -> list[Hit]:
    """Rows as hits, each with a snippet of its body (the title is on the page already)."""
    wanted = {stem for token in tokens for stem in stems(token)}
    prefixes = [stems(token)[0] for token in tokens if token.endswith("*") and stems(token)]
    hits = []
    for pk, title, published_at, author, category, url, lead, body, rank in rows:
        passage = snippet(body or lead or title, wanted, prefixes)
        hits.append(Hit(pk, title, published_at, author, category, url, rank, passage))
    return hits


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
        "SELECT a.pk, a.title, a.published_at, a.author, a.category, a.url, a.lead, a.body_text,"
        f" best.rank FROM (SELECT rowid, bm25(articles_search, {weights}) AS rank"
        f" FROM articles_search WHERE articles_search MATCH ?{restriction}"
        " ORDER BY rank LIMIT ? OFFSET ?) best"
        " JOIN articles a ON a.pk = best.rowid ORDER BY best.rank",
        [fts_query, *params, limit, offset],
    )


def count(conn: sqlite3.Connection, query: str, filters: Filters | None = None) -> int:
    """How many articles match (0 for a query with no word)."""
    fts_query = stem_query(query)
    return _group_size(conn, fts_query, filters) if fts_query else 0


def snippet(text: str, wanted: set[str], prefixes: list[str], width: int = SNIPPET_WORDS) -> str:
    """The passage of `width` words with the most matching words, matches in <mark>."""
    words = list(_WORD.finditer(text))
    if not words:
        return ""
    # A Russian stem is the start of its word, so only words starting with a wanted stem or
    # prefix can match, and only those are stemmed.
    starts = (*wanted, *prefixes)
    normal = [normalise_word(match.group()) for match in words]
    maybe = [i for i, word in enumerate(normal) if word.startswith(starts)]
    found = _stemmer().stemWords([normal[i] for i in maybe])
    hits = [
        i for i, stem in zip(maybe, found, strict=True)
        if stem in wanted or normal[i].startswith(tuple(prefixes))
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
