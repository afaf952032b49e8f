"""Faults the simulator serves, switchable per run, each decided by article id and request count.

Every article fault is given to one article: the k-th fault in `ARTICLE_FAULTS` order (of
those switched on) to the article with id `first id + 1 + 2k`, so faulty articles alternate
with clean ones and the seed article stays clean. Listing faults hit listing pages 1, 2, 3.
"Then the page" means that the next request for the same URL gets the real page; the count is
per URL, so a fault never depends on timing or on randomness.

Article faults (the URL `/blogs/<id>/`):

- `burst`: 500, then 502, then 503, then the page.
- `down`: 503 with `Retry-After: 1`, every time (fails for good).
- `throttled`: 429 with `Retry-After: 1` (seconds), then the page.
- `throttled_date`: 429 with `Retry-After` as an HTTP date 2 s ahead, then the page.
- `throttled_long`: 429 with `Retry-After: 3600`, then the page (a crawler caps its wait).
- `slow`: the first answer starts after `slow_seconds` (past a short download timeout), then
  the page at once.
- `stalled`: every answer starts after `slow_seconds` (fails for good).
- `cut`: the first body stops half-way, its declared length larger than what was sent, then
  the page.
- `cut_always`: every body stops half-way (fails for good).
- `cp1251_header`: the page in windows-1251, declared in the Content-Type header.
- `cp1251_meta`: the page in windows-1251, declared only by its `<meta>`.
- `cp1251_bare`: the page in windows-1251, declared nowhere.
- `malformed`: optional end tags left out, stray end tags, upper-case tags, unquoted
  attribute values: markup every browser reads, so the article must come out whole.
- `truncated_html`: the first page is cut short at two thirds, sent whole with a right
  Content-Length and status 200, then the page.
- `error_200`: an error page with status 200 («Ошибка 503»), then the page.
- `error_200_always`: that error page every time (fails for good).
- `redirect_loop`: 302 to the same article with `?loop=N`, which redirects again, forever
  (fails for good).
- `offsite_redirect`: 301 to the same path on the `elsewhere` host (fails for good; that host
  must get nothing).
- `scheme_redirect`: 302 to `file:///etc/passwd` (fails for good).
- `huge`: a 24 MB page with its length declared (fails for good past a 16 MB cap).
- `huge_undeclared`: a 24 MB page streamed with no declared length (fails for good).
- `large`: a 6 MB page, below the cap but above the warn size: archived.
- `gzip_bomb`: 64 kB of gzip that inflate to 64 MB (fails for good).
- `vanishing`: 503, then 404: the article was taken down while the crawler retried.
- `tracking_redirect`: 301 to the same article with a tracking query (`?utm_source=…&from=…`),
  where the page is served: the same article, archived under its own URL.
- `hostile`: the page links to `file:///etc/passwd`, to the `elsewhere` host, to
  `javascript:`, frames and images from there, and has a `<meta refresh>` to there: archived,
  and nothing of it followed.

Listing faults (`/blogs/?page=N`):

- `listing_empty`: page 1 first shows no posts at all, then its posts.
- `listing_error_200`: page 2 first is an error page with status 200, then the listing.
- `listing_down`: page 3 first answers 503, then 502, then the listing.
- `listing_hostile`: every listing page also links to `file://`, `javascript:` and the
  `elsewhere` host, and has a `<meta refresh>` to there.
"""

from __future__ import annotations

import re
import threading
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import cache

from .corpus import Corpus, SimArticle
from .pages import article_page, listing_page

ARTICLE_FAULTS = (
    "burst", "down", "throttled", "throttled_date", "throttled_long", "slow", "stalled", "cut",
    "cut_always", "cp1251_header", "cp1251_meta", "cp1251_bare", "malformed", "truncated_html",
    "error_200", "error_200_always", "redirect_loop", "offsite_redirect", "scheme_redirect",
    "huge", "huge_undeclared", "large", "gzip_bomb", "vanishing", "hostile", "tracking_redirect",
)  # fmt: skip
LISTING_FAULTS = {"listing_empty": 1, "listing_error_200": 2, "listing_down": 3}
EVERY_LISTING = ("listing_hostile",)
ALL_FAULTS = (*ARTICLE_FAULTS, *LISTING_FAULTS, *EVERY_LISTING)
# Article faults that no number of retries gets past, and those that end in a 404.
FOR_GOOD = (
    "down", "stalled", "cut_always", "error_200_always", "redirect_loop", "offsite_redirect",
    "scheme_redirect", "huge", "huge_undeclared", "gzip_bomb",
)  # fmt: skip
GONE = ("vanishing",)

HTML = "text/html; charset=utf-8"
ERROR_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8">'
    "<title>Ошибка 503 — сервис временно недоступен</title></head>"
    "<body><h1>Сервис временно недоступен</h1>"
    "<p>Попробуйте обновить страницу через несколько минут.</p></body></html>"
)
NOT_FOUND = "<html><body><h1>404</h1></body></html>"
MB = 1024 * 1024


@dataclass
class Reply:
    """What the simulator sends for one request."""

    status: int
    body: bytes = b""
    content_type: str | None = HTML
    headers: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0  # seconds before anything is sent
    send_only: int | None = None  # bytes of the body sent before the connection closes
    length_declared: bool = True


def html_reply(text: str, status: int = 200) -> Reply:
    return Reply(status, text.encode("utf-8"))


class FaultPlan:
    """Which fault each article and listing page has, and how many times each URL was asked.

    `faults` names the faults switched on ("all" for every one); `elsewhere` is the base URL
    of another host, for redirects and links that lead off the site.
    """

    def __init__(
        self,
        corpus: Corpus,
        faults: tuple[str, ...] | str = (),
        elsewhere: str = "http://127.0.0.2:9",
        slow_seconds: float = 2.0,
    ) -> None:
        wanted = ALL_FAULTS if faults == "all" else tuple(faults)
        unknown = sorted(set(wanted) - set(ALL_FAULTS))
        if unknown:
            raise ValueError(f"unknown faults {unknown}; known: {', '.join(ALL_FAULTS)}")
        article_faults = [name for name in ARTICLE_FAULTS if name in wanted]
        self.by_article = {
            corpus.first_id + 1 + 2 * k: name for k, name in enumerate(article_faults)
        }
        if corpus.seed_id in self.by_article or (
            self.by_article and max(self.by_article) not in corpus.ids
        ):
            raise ValueError(f"{len(article_faults)} article faults need more articles")
        self.listing = {page: name for name, page in LISTING_FAULTS.items() if name in wanted}
        self.hostile_listings = "listing_hostile" in wanted
        self.corpus = corpus
        self.elsewhere = elsewhere.rstrip("/")
        self.slow_seconds = slow_seconds
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()
        if "gzip_bomb" in article_faults:
            gzip_bomb()  # made before serving, or its first request would be slow

    def ids_with(self, *names: str) -> set[int]:
        """The articles that have one of these faults."""
        return {article_id for article_id, name in self.by_article.items() if name in names}

    def count(self, target: str) -> int:
        """This request's number among the requests for the same URL (1 for the first)."""
        with self._lock:
            self.counts[target] = self.counts.get(target, 0) + 1
            return self.counts[target]

    def listing_reply(self, page: int, target: str) -> Reply | None:
        """The faulty answer for a listing page, or None to serve it as it is."""
        fault = self.listing.get(page)
        if fault is None:
            return None
        n = self.count(target)
        if fault == "listing_empty" and n == 1:
            return html_reply(self.listing_html([]))
        if fault == "listing_error_200" and n == 1:
            return html_reply(ERROR_PAGE)
        if fault == "listing_down" and n <= 2:
            return html_reply("<h1>Service Unavailable</h1>", 503 if n == 1 else 502)
        return None

    def listing_html(self, articles: list[SimArticle]) -> str:
        page = listing_page(articles)
        return self.hostile_page(page) if self.hostile_listings else page

    def article_reply(self, article: SimArticle, target: str) -> Reply | None:
        """The faulty answer for an article, or None to serve it as it is; requests are
        counted per article, whatever their query."""
        fault = self.by_article.get(article.id)
        if fault is None:
            return None
        return REPLIES[fault](self, article, self.count(f"/blogs/{article.id}/"), target)

    def hostile_page(self, page: str) -> str:
        """The page with links, a frame, an image and a refresh that lead off the site."""
        refresh = f'<meta http-equiv="refresh" content="0; url={self.elsewhere}/blogs/1/">'
        links = (
            f'<p>Ссылки: <a href="file:///etc/passwd">файл</a>, '
            f'<a href="{self.elsewhere}/blogs/{self.corpus.first_id}/">зеркало</a>, '
            f"<a href=\"javascript:fetch('{self.elsewhere}/steal')\">скрипт</a>.</p>"
            f'<iframe src="{self.elsewhere}/frame"></iframe>'
            f'<img src="{self.elsewhere}/pixel.gif">'
        )
        page = page.replace("</head>", refresh + "\n</head>", 1)
        return page.replace("</body>", links + "\n</body>", 1)


def _page(article: SimArticle) -> str:
    return article_page(article)


def _then_page(replies: dict[int, Reply]):
    """A fault for the first requests (by number), then the page."""

    def reply(plan: FaultPlan, article: SimArticle, n: int, target: str) -> Reply | None:
        return replies.get(n)

    return reply


def _retry_at_date(plan: FaultPlan, article: SimArticle, n: int, target: str) -> Reply | None:
    if n > 1:
        return None
    when = datetime.now(UTC) + timedelta(seconds=2)
    return Reply(429, b"Too Many Requests", headers=[("Retry-After", format_datetime(when, True))])


def _slow(always: bool):
    def reply(plan: FaultPlan, article: SimArticle, n: int, target: str) -> Reply | None:
        if n > 1 and not always:
            return None
        return Reply(200, _page(article).encode("utf-8"), delay=plan.slow_seconds)

    return reply


def _cut(always: bool):
    def reply(plan: FaultPlan, article: SimArticle, n: int, target: str) -> Reply | None:
        if n > 1 and not always:
            return None
        body = _page(article).encode("utf-8")
        return Reply(200, body, send_only=len(body) // 2)

    return reply


def _encoded(declared_in: str):
    def reply(plan: FaultPlan, article: SimArticle, n: int, target: str) -> Reply:
        page = _page(article)
        if declared_in == "meta":
            page = re.sub(r"charset=\"?utf-8\"?", 'charset="windows-1251"', page, flags=re.I)
        else:
            page = re.sub(r"<meta[^>]*charset[^>]*>", "", page, flags=re.I)
        content_type = "text/html; charset=windows-1251" if declared_in == "header" else "text/html"
        return Reply(200, page.encode("cp1251", "xmlcharrefreplace"), content_type)

    return reply


def malform(page: str) -> str:
    """Markup every browser reads but no validator passes."""
    page = page.replace("</p>", "").replace("</li>", "")
    page = page.replace("<p>", "<p></span></b>")
    page = page.replace("<div ", "<DIV ").replace("</div>", "</DIV>")
    return re.sub(r'class="([\w-]+)"', r"class=\1", page)


def _malformed(plan: FaultPlan, article: SimArticle, n: int, target: str) -> Reply:
    return html_reply(malform(_page(article)))


def _truncated(plan: FaultPlan, article: SimArticle, n: int, target: str) -> Reply | None:
    page = _page(article)
    return html_reply(page[: len(page) * 2 // 3]) if n == 1 else None


def _error_page(always: bool):
    def reply(plan: FaultPlan, article: SimArticle, n: int, target: str) -> Reply | None:
        return html_reply(ERROR_PAGE) if always or n == 1 else None

    return reply


def _loop(plan: FaultPlan, article: SimArticle, n: int, target: str) -> Reply:
    return Reply(302, b"", headers=[("Location", f"/blogs/{article.id}/?loop={n}")])


def _tracked(plan: FaultPlan, article: SimArticle, n: int, target: str) -> Reply | None:
    if "?" in target:
        return None
    location = f"/blogs/{article.id}/?utm_source=telegram&utm_medium=social&from=feed"
    return Reply(301, b"", headers=[("Location", location)])


def _offsite(plan: FaultPlan, article: SimArticle, n: int, target: str) -> Reply:
    return Reply(301, b"", headers=[("Location", f"{plan.elsewhere}/blogs/{article.id}/")])


def _scheme(plan: FaultPlan, article: SimArticle, n: int, target: str) -> Reply:
    return Reply(302, b"", headers=[("Location", "file:///etc/passwd")])


@cache
def padded(page: str, size: int) -> bytes:
    """The page grown to `size` bytes by a comment before `</body>` (made once: big pages
    must not make the simulator itself slow)."""
    head, tail = page.encode("utf-8").split(b"</body>", 1)
    filler = size - len(head) - len(tail) - len(b"<!--  --></body>")
    return head + b"<!-- " + b"x" * filler + b" --></body>" + tail


def _huge(declared: bool):
    def reply(plan: FaultPlan, article: SimArticle, n: int, target: str) -> Reply:
        return Reply(200, padded(_page(article), 24 * MB), length_declared=declared)

    return reply


def _large(plan: FaultPlan, article: SimArticle, n: int, target: str) -> Reply:
    return Reply(200, padded(_page(article), 6 * MB))


@cache
def gzip_bomb() -> bytes:
    """64 MB of zeros, gzipped (about 64 kB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(MB)
    return b"".join(packer.compress(chunk) for _ in range(64)) + packer.flush()


def _bomb(plan: FaultPlan, article: SimArticle, n: int, target: str) -> Reply:
    return Reply(200, gzip_bomb(), headers=[("Content-Encoding", "gzip")])


def _vanishing(plan: FaultPlan, article: SimArticle, n: int, target: str) -> Reply:
    return html_reply("<h1>Service Unavailable</h1>", 503) if n == 1 else html_reply(NOT_FOUND, 404)


def _hostile(plan: FaultPlan, article: SimArticle, n: int, target: str) -> Reply:
    return html_reply(plan.hostile_page(_page(article)))


def _status(status: int, retry_after: str | None = None) -> Reply:
    headers = [("Retry-After", retry_after)] if retry_after else []
    return Reply(status, f"<h1>{status}</h1>".encode(), headers=headers)


def _down(plan: FaultPlan, article: SimArticle, n: int, target: str) -> Reply:
    return _status(503, "1")


REPLIES = {
    "burst": _then_page({1: _status(500), 2: _status(502), 3: _status(503)}),
    "down": _down,
    "throttled": _then_page({1: _status(429, "1")}),
    "throttled_date": _retry_at_date,
    "throttled_long": _then_page({1: _status(429, "3600")}),
    "slow": _slow(always=False),
    "stalled": _slow(always=True),
    "cut": _cut(always=False),
    "cut_always": _cut(always=True),
    "cp1251_header": _encoded("header"),
    "cp1251_meta": _encoded("meta"),
    "cp1251_bare": _encoded("nowhere"),
    "malformed": _malformed,
    "truncated_html": _truncated,
    "error_200": _error_page(always=False),
    "error_200_always": _error_page(always=True),
    "redirect_loop": _loop,
    "offsite_redirect": _offsite,
    "scheme_redirect": _scheme,
    "huge": _huge(declared=True),
    "huge_undeclared": _huge(declared=False),
    "large": _large,
    "gzip_bomb": _bomb,
    "vanishing": _vanishing,
    "hostile": _hostile,
    "tracking_redirect": _tracked,
}
