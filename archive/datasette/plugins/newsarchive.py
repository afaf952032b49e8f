"""Newsarchive's Datasette plugin: stemmed search everywhere, pages a reader can use.

- `escape_fts` is replaced on every connection (registered last, so it wins over Datasette's
  own) by one that stems the words in every language the archive holds, so Datasette's search
  box and `?_search=` on `articles` find «заводы» for «завод» and "factory" for "factories".
- Routes (archive/datasette/routes.py): `/-/search` (HTML and JSON, ranked by bm25, with
  snippets and filters) and `/-/search.atom`, its feed; `/-/dumps` with every dump, manifest
  and checksum downloadable; `/-/charts` with SVG charts and their numbers as CSV and JSON.
- Cells: titles link to the article, dates in words, bodies as a short excerpt, tags as links.
- A malformed `?_search=` on `articles` is said in the user's words: on the table page above
  the results, and as a 400 on `articles.json`.
- The row page of an article reads like an article; the home and database pages lead to
  search, charts, dumps and the crawl log before the internal tables.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

from datasette import hookimpl
from markupsafe import Markup

from archive.datasette.cells import any_cell, article_cell, by_year
from archive.datasette.dates import date_words, month_short, month_words, time_element
from archive.datasette.routes import PAGE_SIZE, ROUTES, Route, tag_choices
from archive.exceptions import BadQuery
from archive.search import check_query, count, escape_stemmed, held_algorithms
from archive.view import article_view, sanitise

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = ["PAGE_SIZE"]

# Read the archive through memory-mapped pages: searches that touch many rows skip a
# system call per page (addresses only; the file is not loaded into memory).
MMAP_BYTES = 1 << 34

# Template variables that Datasette awaits as it renders the page.
LateVars = Callable[[], Awaitable[dict[str, Any]]]
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


@hookimpl(trylast=True)
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.create_function(
        "escape_fts", 1, lambda query: escape_stemmed(query, held_algorithms(conn))
    )
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")


@hookimpl
def register_routes() -> list[Route]:
    return ROUTES


@hookimpl
def prepare_jinja2_environment(env: Environment) -> None:
    env.filters["sanitised"] = lambda html: Markup(sanitise(html or ""))
    env.filters["date_words"] = date_words
    env.filters["month_words"] = month_words
    env.filters["month_short"] = month_short
    env.filters["by_year"] = by_year
    env.filters["time"] = time_element


@hookimpl
def render_cell(
    row: sqlite3.Row, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Any:
    if table != "articles":
        return any_cell(column, value)
    keys = row.keys()
    row_path = datasette.urls.row(database, "articles", str(row["pk"])) if "pk" in keys else None
    return article_cell(
        column, value, row_path, f"{datasette.urls.database(database)}/articles_with_tag"
    )


@hookimpl
def extra_template_vars(
    template: str,
    database: str | None,
    table: str | None,
    view_name: str,
    request: Any,
    datasette: Any,
) -> dict[str, Any] | LateVars:
    if view_name == "row" and table == "articles" and request:
        return _article(datasette, database, request)
    if view_name == "table" and table == "articles" and request:
        return _table_search(datasette, database, request)
    if request and "tag" in _parameters(datasette, database, request):
        return _tag_picker(datasette)
    if view_name in ("index", "database"):
        return {"start_links": _start_links(datasette)}
    return {}


def _article(datasette: Any, database: str | None, request: Any) -> LateVars:
    async def article() -> dict[str, Any]:
        pk = request.url_vars.get("pks", "")
        db = datasette.get_database(database)
        return {"article": await db.execute_fn(lambda conn: article_view(conn, pk))}

    return article


def _table_search(datasette: Any, database: str | None, request: Any) -> dict[str, Any] | LateVars:
    """What is wrong with the table page's `_search`, and how many articles it finds."""
    query = request.args.get("_search", "").strip()
    if not query:
        return {}
    problem = check_query(query)

    async def search_context() -> dict[str, Any]:
        found = None
        if not problem:
            db = datasette.get_database(database)
            found = await db.execute_fn(lambda conn: count(conn, query))
        return {
            "search_problem": problem and problem.message,
            "search_suggestion": problem and problem.suggestion,
            "search_found": found,
        }

    return search_context


def _parameters(datasette: Any, database: str | None, request: Any) -> set[str]:
    """Named parameters of the canned query this database page shows, if it is one."""
    if not database or not request.url_vars:
        return set()
    name = request.url_vars.get("table")
    query = (datasette.metadata("queries", database=database) or {}).get(name or "")
    sql = query.get("sql", "") if isinstance(query, dict) else ""
    return {word[1:] for word in sql.replace("(", " ").replace(")", " ").split() if word[:1] == ":"}


def _tag_picker(datasette: Any) -> LateVars:
    async def tags() -> dict[str, Any]:
        return {"tag_choices": await tag_choices(datasette)}

    return tags


START = (  # (path or table, title, what it is for)
    ("/-/search", "Поиск / Search", "ranked, word forms matched, with feeds"),
    ("articles", "Статьи / Articles", "browse by site, category, author, month"),
    ("/-/charts", "Графики / Charts", "articles per month, a term over time"),
    ("/-/dumps", "Выгрузки / Dumps", "the whole archive, or one site, as one SQLite file"),
    ("crawl_runs", "Журнал обходов / Crawl log", "every crawl: when, how it ended, what it got"),
    ("tags", "Теги / Tags", "the commonest subjects first"),
)


def _start_links(datasette: Any) -> list[dict]:
    """Where a reader starts, before the internal tables."""
    name = next(name for name in datasette.databases if name != "_internal")
    return [
        {
            "href": place if place.startswith("/") else datasette.urls.table(name, place),
            "title": title,
            "about": about,
        }
        for place, title, about in START
    ]


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[App], App]:
    """`articles.json?_search=` with a malformed query answers 400 with the reason, in words;
    the articles table page's `?_search=` is the ranked search page's query: Datasette's own
    table search counts every match, which takes seconds for a common word at full size."""

    def wrap(app: App) -> App:
        async def checked(scope: Scope, receive: Receive, send: Send) -> None:
            if (ranked := _ranked_search_url(datasette, scope)) is not None:
                headers = [(b"location", ranked.encode("latin-1"))]
                await send({"type": "http.response.start", "status": 302, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return None
            problem = _json_search_problem(datasette, scope)
            if problem is None:
                return await app(scope, receive, send)
            body = json.dumps(
                {"ok": False, "status": 400, "error": problem.message,
                 "suggestion": problem.suggestion}, ensure_ascii=False,
            ).encode()  # fmt: skip
            headers = [(b"content-type", b"application/json; charset=utf-8")]
            await send({"type": "http.response.start", "status": 400, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        return checked

    return wrap


def _ranked_search_url(datasette: Any, scope: Scope) -> str | None:
    """Where the articles table page's HTML search goes: the ranked page, with the query."""
    path = scope.get("path", "") if scope.get("type") == "http" else ""
    parts = path.strip("/").split("/")
    if len(parts) != 2 or parts[1] != "articles" or parts[0] not in datasette.databases:
        return None
    args = parse_qs(scope.get("query_string", b"").decode("utf-8", "replace"))
    query = (args.get("_search") or [""])[0].strip()
    return f"/-/search?{urlencode({'q': query})}" if query else None


def _json_search_problem(datasette: Any, scope: Scope) -> BadQuery | None:
    if scope.get("type") != "http" or not scope.get("path", "").endswith("/articles.json"):
        return None
    if scope["path"].split("/")[1] not in datasette.databases:
        return None
    args = parse_qs(scope.get("query_string", b"").decode("utf-8", "replace"))
    query = (args.get("_search") or [""])[0].strip()
    return check_query(query) if query else None
