"""Newsarchive's own pages in Datasette: ranked search and its feed, dumps, charts."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from datasette.utils.asgi import AsgiFileDownload, Response

from archive.charts import (
    archived_per_run,
    articles_per_month,
    as_csv,
    bar_chart,
    mentions_per_month,
)
from archive.dump import default_dumps_dir, dumps_of, latest_dump
from archive.exceptions import BadQuery
from archive.search import (
    Filters,
    Hit,
    count,
    held_algorithms,
    newest,
    search,
    stem_query,
)

from .dates import time_element
from .feed import atom_feed

PAGE_SIZE = 20
FEED_SIZE = 30
FILTER_FIELDS = ("site", "since", "until", "category", "tag")
CHOICES_SECONDS = 300  # sites, categories and tags offered change only with a crawl


def database(datasette: Any) -> Any:
    """The one archive this server serves."""
    return next(db for name, db in datasette.databases.items() if name != "_internal")


def _filters(request: Any) -> Filters:
    return Filters(**{name: request.args.get(name, "").strip() for name in FILTER_FIELDS})


def _page(request: Any) -> int:
    page = request.args.get("page", "1")
    return int(page) if page.isdecimal() and page.isascii() and int(page) > 0 else 1


def _query_string(query: str, filters: Filters, **extra: str) -> str:
    pairs = {"q": query, **{name: getattr(filters, name) for name in FILTER_FIELDS}, **extra}
    return urlencode({key: value for key, value in pairs.items() if value})


async def _choices(datasette: Any) -> dict[str, list]:
    """Sites, categories and the commonest tags for the search form's pickers, cached."""
    cached: tuple[float, dict[str, list]] | None = getattr(datasette, "_newsarchive_choices", None)
    if cached and time.monotonic() - cached[0] < CHOICES_SECONDS:
        return cached[1]
    db = database(datasette)
    choices = {
        "sites": [r[0] for r in await db.execute("SELECT site FROM articles GROUP BY site")],
        "categories": [
            r[0] for r in await db.execute("SELECT category FROM articles GROUP BY category")
            if r[0]
        ],
        "tags": await tag_choices(datasette),
    }  # fmt: skip
    datasette._newsarchive_choices = (time.monotonic(), choices)
    return choices


async def tag_choices(datasette: Any, limit: int = 60) -> list[dict]:
    """The commonest tags with their article counts."""
    rows = await database(datasette).execute(
        "SELECT name, article_count FROM tags ORDER BY article_count DESC LIMIT ?", [limit]
    )
    return [{"name": name, "articles": articles} for name, articles in rows]


def _row(datasette: Any, db_name: str, hit: Hit) -> dict:
    return {
        **hit.__dict__,
        "article_path": datasette.urls.row(db_name, "articles", str(hit.pk)),
        "date": str(time_element(hit.published_at)),
    }


async def search_page(datasette: Any, request: Any) -> Response:
    query, filters, page = request.args.get("q", "").strip(), _filters(request), _page(request)
    db = database(datasette)
    hits: list[Hit] = []
    total, error, suggestion = 0, None, None
    if query:
        offset = (page - 1) * PAGE_SIZE
        try:
            hits = await db.execute_fn(lambda conn: search(conn, query, PAGE_SIZE, offset, filters))
            total = await db.execute_fn(lambda conn: count(conn, query, filters))
        except BadQuery as bad:
            error, suggestion = bad.message, bad.suggestion
    context = {
        "query": query,
        "filters": filters.__dict__,
        "total": total,
        "page": page,
        "pages": -(-total // PAGE_SIZE),
        "rows": [_row(datasette, db.name, hit) for hit in hits],
        "error": error,
        "suggestion": suggestion,
    }
    status = 400 if error else 200
    if request.url_vars.get("format") == "json" or request.args.get("_format") == "json":
        stemmed = await db.execute_fn(lambda conn: stem_query(query, held_algorithms(conn)))
        return Response.json({**context, "stemmed": stemmed}, status=status)
    links = {
        "feed_url": "/-/search.atom?" + _query_string(query, filters),
        "json_url": "/-/search.json?" + _query_string(query, filters, page=str(page)),
        "next_url": "/-/search?" + _query_string(query, filters, page=str(page + 1)),
        "previous_url": "/-/search?" + _query_string(query, filters, page=str(page - 1)),
        "suggestion_url": "/-/search?" + _query_string(suggestion or "", filters),
    }
    html = await datasette.render_template(
        "newsarchive_search.html",
        {
            **context,
            **links,
            "page_size": PAGE_SIZE,
            "database": db.name,
            "choices": await _choices(datasette),
        },
        request=request,
    )
    return Response.html(html, status=status)


async def search_feed(datasette: Any, request: Any) -> Response:
    """`/-/search.atom`: the newest articles matching the query and filters, as Atom 1.0."""
    query, filters = request.args.get("q", "").strip(), _filters(request)
    db = database(datasette)
    try:
        hits = await db.execute_fn(lambda conn: newest(conn, query, FEED_SIZE, filters))
    except BadQuery as bad:
        return Response.text(f"{bad.message}. {bad.suggestion}".strip(), status=400)
    absolute = lambda path: datasette.absolute_url(request, path)  # noqa: E731
    document = atom_feed(
        title=f"Newsarchive: «{query}»" + (f" · {filters.site}" if filters.site else ""),
        feed_url=absolute("/-/search.atom?" + _query_string(query, filters)),
        page_url=absolute("/-/search?" + _query_string(query, filters)),
        hits=hits,
        article_url=lambda hit: absolute(datasette.urls.row(db.name, "articles", str(hit.pk))),
    )
    return Response(document, content_type="application/atom+xml; charset=utf-8")


def _dumps_dir(datasette: Any) -> Path:
    return default_dumps_dir(Path(database(datasette).path))


def human_size(size: int) -> str:
    """1536 -> «1.5 KB»: sizes a reader takes in at a glance."""
    value, unit = float(size), "B"
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            break
        value /= 1024
    return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"


def _listing(directory: Path) -> list[dict]:
    listing = []
    for dump in dumps_of(directory):
        manifest, checksum = dump.with_suffix(".manifest.json"), dump.with_suffix(".db.sha256")
        size = dump.stat().st_size
        listing.append(
            {
                "name": dump.name,
                "url": f"/-/dumps/{dump.name}",
                "size": size,
                "human_size": human_size(size),
                "manifest": json.loads(manifest.read_text("utf-8")) if manifest.exists() else {},
                "manifest_url": f"/-/dumps/{manifest.name}" if manifest.exists() else None,
                "sha256_url": f"/-/dumps/{checksum.name}" if checksum.exists() else None,
            }
        )
    return listing


async def dumps_page(datasette: Any, request: Any) -> Response:
    listing = _listing(_dumps_dir(datasette))
    if request.url_vars.get("format") == "json":
        return Response.json(
            {"dumps": listing, "latest": "/-/dumps/latest.db" if listing else None}
        )
    html = await datasette.render_template(
        "newsarchive_dumps.html", {"dumps": listing}, request=request
    )
    return Response.html(html)


DUMP_TYPES = {
    ".db": "application/vnd.sqlite3",
    ".json": "application/json; charset=utf-8",
    ".sha256": "text/plain; charset=utf-8",
}


async def dump_file(datasette: Any, request: Any) -> Any:
    """A dump, its manifest or its SHA-256 file, streamed; only files the listing names."""
    directory = _dumps_dir(datasette)
    name = request.url_vars["name"]
    if name == "latest.db":
        dump = latest_dump(directory)
    else:
        offered = {Path(item[key]).name for item in _listing(directory) for key in
                   ("url", "manifest_url", "sha256_url") if item[key]}  # fmt: skip
        dump = directory / name if name in offered else None
    if dump is None:
        return Response.text("No such dump: see /-/dumps, or run `newsarchive dump`.", status=404)
    return AsgiFileDownload(dump, filename=dump.name, content_type=DUMP_TYPES[dump.suffix])


CHARTS = {
    "months": ("Статей по месяцам / Articles per month", articles_per_month),
    "runs": ("Архивировано за обход / Articles archived per crawl run", archived_per_run),
}


async def _bars(datasette: Any, request: Any) -> tuple[str, str, list[tuple[str, int]]]:
    kind, db = request.url_vars["kind"], database(datasette)
    if kind == "term":
        term = request.args.get("term", "")
        title = f"Статьи со словом «{term}» по месяцам / Articles mentioning «{term}», per month"
        return title, "articles", await db.execute_fn(lambda conn: mentions_per_month(conn, term))
    title, count_bars = CHARTS[kind]
    return title, "articles_new" if kind == "runs" else "articles", await db.execute_fn(count_bars)


async def chart(datasette: Any, request: Any) -> Response:
    """A chart as SVG, or its numbers as CSV or JSON."""
    title, value, bars = await _bars(datasette, request)
    label = "run" if request.url_vars["kind"] == "runs" else "month"
    fmt = request.url_vars["format"]
    if fmt == "json":
        return Response.json({"title": title, "rows": [{label: k, value: v} for k, v in bars]})
    if fmt == "csv":
        return Response(as_csv(label, value, bars), content_type="text/csv; charset=utf-8")
    return Response(bar_chart(title, bars), content_type="image/svg+xml; charset=utf-8")


async def charts_page(datasette: Any, request: Any) -> Response:
    html = await datasette.render_template(
        "newsarchive_charts.html", {"term": request.args.get("term", "")}, request=request
    )
    return Response.html(html)


# A path pattern and its view, called with the Datasette instance and the request.
Route = tuple[str, Callable[[Any, Any], Awaitable[Any]]]
ROUTES: list[Route] = [
    (r"^/-/charts/(?P<kind>months|runs|term)\.(?P<format>svg|csv|json)$", chart),
    (r"^/-/charts$", charts_page),
    (r"^/-/search\.atom$", search_feed),
    (r"^/-/search(\.(?P<format>json))?$", search_page),
    (r"^/-/dumps/(?P<name>[^/]+)$", dump_file),
    (r"^/-/dumps(\.(?P<format>json))?$", dumps_page),
]
