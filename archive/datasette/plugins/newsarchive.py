"""Newsarchive's Datasette plugin: stemmed search everywhere, a ranked search page, dumps.

- `escape_fts` is replaced on every connection (registered last, so it wins over Datasette's
  own) by one that stems the words, so Datasette's search box and `?_search=` on `articles`
  find «заводы» for «завод».
- `/-/search` (HTML) and `/-/search.json`: results ranked by bm25 with the title weighted, and
  a snippet of the matching passage in readable words.
- `/-/dumps` lists the dumps beside the archive; `/-/dumps/latest.db` streams the newest.
- `/-/charts`: bar charts, drawn as SVG on the server, of articles per month, of a term's
  mentions per month and of articles archived per crawl run.
- The row page of an article reads like an article (title, date, author, tags, body, images
  as links with credits, original, source, revisions), its HTML sanitised again for display.
"""

from __future__ import annotations

import json
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import AsgiFileDownload, Response
from markupsafe import Markup

from archive.charts import (
    archived_per_run,
    articles_per_month,
    bar_chart,
    mentions_per_month,
)
from archive.dump import default_dumps_dir, dumps_of, latest_dump
from archive.search import BadQuery, count, escape_stemmed, search, stem_query
from archive.view import article_view, sanitise

PAGE_SIZE = 20


# Read the archive through memory-mapped pages: searches that touch many rows skip a
# system call per page (addresses only; the file is not loaded into memory).
MMAP_BYTES = 1 << 34


@hookimpl(trylast=True)
def prepare_connection(conn):
    conn.create_function("escape_fts", 1, escape_stemmed)
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")


def _database(datasette):
    return next(db for name, db in datasette.databases.items() if name != "_internal")


async def search_page(datasette, request):
    query = request.args.get("q", "").strip()
    page_arg = request.args.get("page", "1")
    page = int(page_arg) if page_arg.isdigit() and int(page_arg) > 0 else 1
    db = _database(datasette)
    hits, total, error = [], 0, None
    if query:
        offset = (page - 1) * PAGE_SIZE
        try:
            hits = await db.execute_fn(lambda conn: search(conn, query, PAGE_SIZE, offset))
            total = await db.execute_fn(lambda conn: count(conn, query))
        except BadQuery as bad:
            error = str(bad)
    rows = [
        {**hit.__dict__, "article_path": datasette.urls.row(db.name, "articles", str(hit.pk))}
        for hit in hits
    ]
    context = {"query": query, "total": total, "page": page, "rows": rows, "error": error}
    status = 400 if error else 200
    if request.url_vars.get("format") == "json" or request.args.get("_format") == "json":
        return Response.json({**context, "stemmed": stem_query(query)}, status=status)
    html = await datasette.render_template(
        "newsarchive_search.html",
        {**context, "page_size": PAGE_SIZE, "database": db.name},
        request=request,
    )
    return Response.html(html, status=status)


def _dumps_dir(datasette) -> Path:
    return default_dumps_dir(Path(_database(datasette).path))


async def dumps_page(datasette, request):
    directory = _dumps_dir(datasette)
    listing = [
        {"name": dump.name, "size": dump.stat().st_size, "manifest": _manifest(dump)}
        for dump in dumps_of(directory)
    ]
    if request.url_vars.get("format") == "json":
        return Response.json(
            {"dumps": listing, "latest": "/-/dumps/latest.db" if listing else None}
        )
    html = await datasette.render_template(
        "newsarchive_dumps.html", {"dumps": listing}, request=request
    )
    return Response.html(html)


def _manifest(dump: Path) -> dict:
    manifest = dump.with_suffix(".manifest.json")
    return json.loads(manifest.read_text(encoding="utf-8")) if manifest.exists() else {}


async def latest_dump_file(datasette, request):
    dump = latest_dump(_dumps_dir(datasette))
    if dump is None:
        return Response.text("No dump yet: run `newsarchive dump`.", status=404)
    return AsgiFileDownload(dump, filename=dump.name, content_type="application/vnd.sqlite3")


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["sanitised"] = lambda html: Markup(sanitise(html or ""))


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if view_name != "row" or table != "articles":
        return {}

    async def article():
        pk = request.url_vars.get("pks", "")
        db = datasette.get_database(database)
        return {"article": await db.execute_fn(lambda conn: article_view(conn, pk))}

    return article


CHARTS = {
    "months": ("Статей по месяцам / Articles per month", articles_per_month),
    "runs": ("Архивировано за обход / Articles archived per crawl run", archived_per_run),
}


async def chart_svg(datasette, request):
    kind = request.url_vars["kind"]
    db = _database(datasette)
    if kind == "term":
        term = request.args.get("term", "")
        title = f"«{term}» по месяцам / mentions per month"
        bars = await db.execute_fn(lambda conn: mentions_per_month(conn, term))
    else:
        title, count_bars = CHARTS[kind]
        bars = await db.execute_fn(count_bars)
    return Response(bar_chart(title, bars), content_type="image/svg+xml; charset=utf-8")


async def charts_page(datasette, request):
    html = await datasette.render_template(
        "newsarchive_charts.html", {"term": request.args.get("term", "")}, request=request
    )
    return Response.html(html)


@hookimpl
def register_routes():
    return [
        (r"^/-/charts/(?P<kind>months|runs|term)\.svg$", chart_svg),
        (r"^/-/charts$", charts_page),
        (r"^/-/search(\.(?P<format>json))?$", search_page),
        (r"^/-/dumps/latest\.db$", latest_dump_file),
        (r"^/-/dumps(\.(?P<format>json))?$", dumps_page),
    ]
