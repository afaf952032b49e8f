"""Regressions of the extraction engine, each a page that once came out wrong, and the
`newsarchive extract` command."""

from __future__ import annotations

import http.server
import json
import threading
from datetime import datetime
from pathlib import Path

import pytest

from crawler.exceptions import ExtractionFailed
from crawler.extract import decode_html, extract_page
from tests.conftest import newsarchive
from tests.sitesim.corpus import MOSCOW, synthetic_article
from tests.sitesim.pages import article_page

URL = "https://sdelanounas.ru/blogs/123456/"
HANDWRITTEN = Path(__file__).resolve().parent / "golden" / "handwritten"


def classic_page(source_line: str) -> str:
    """A page in the 2018 markup whose body ends with the given source line."""
    article = synthetic_article(100001, datetime(2019, 3, 5, 12, 0, tzinfo=MOSCOW))
    article.layout, article.source_url = "classic", None
    return article_page(article).replace(
        '<div class="text __sun_article_text">',
        f'<div class="text __sun_article_text">{source_line}',
    )


def test_a_noindex_link_alone_in_its_paragraph_is_the_source() -> None:
    line = (
        "<p><!--noindex--><a rel='nofollow' href=\"https://zavod.example/news/42\">"
        "https://zavod.example/news/42</a><!--/noindex--></p>"
    )
    article = extract_page(URL, classic_page(line))
    assert article.source_url == "https://zavod.example/news/42"
    assert "zavod.example" not in article.body_text
    assert article.field_sources["source_url"] == "link"


def test_an_on_site_link_alone_in_its_paragraph_is_no_source() -> None:
    line = "<p><a rel='nofollow' href='/blogs/100/'>https://sdelanounas.ru/blogs/100/</a></p>"
    article = extract_page(URL, classic_page(line))
    assert article.source_url is None


@pytest.mark.parametrize("encoding", ["utf-8", "windows-1251"])
def test_a_page_with_an_xml_declaration_is_read(encoding: str) -> None:
    page = classic_page("")
    declared = f'<?xml version="1.0" encoding="{encoding}"?>\n' + page.replace(
        "charset=UTF-8", f"charset={encoding}"
    )
    raw = declared.encode(encoding, errors="xmlcharrefreplace")
    for html in (decode_html(raw), raw, declared):
        article = extract_page(URL, html)
        assert article.title and "завод" in article.body_text


@pytest.mark.parametrize(
    "html",
    [
        "\ufeff<html><body><h1>Заголовок</h1><p>05.03.2019 12:00</p><div><p>Текст статьи о заводе, "
        "который выпустил тысячу станков.</p></div></body></html>",
        "<html><body><h1>Заголовок</h1>\x00<p>05.03.2019 12:00</p><div><p>Текст статьи о "
        "заводе, который выпустил тысячу станков.</p></div></body></html>",
    ],
    ids=["byte-order-mark", "nul-character"],
)
def test_text_lxml_refuses_as_it_is_is_still_read(html: str) -> None:
    assert extract_page(URL, html).title == "Заголовок"


def test_bytes_invalid_in_their_charset_and_a_late_meta_are_read() -> None:
    head = "<html><head>" + "<meta name='x' content='y'>" * 300 + "<meta charset='windows-1251'>"
    page = head + "</head><body><h1>Завод</h1><p>05.03.2019 12:00</p><div><p>Завод выпустил " \
        "тысячу станков за год работы.</p></div></body></html>"  # fmt: skip
    raw = page.encode("cp1251") + b"\xff\xfe\x98"
    article = extract_page(URL, raw)
    assert article.title == "Завод" and "тысячу станков" in article.body_text


@pytest.mark.parametrize("html", ["", "<html>", "<?xml version='1.0'?>", "\x00\x00", "<<<>>>"])
def test_anything_unreadable_is_a_typed_failure(html: str) -> None:
    with pytest.raises(ExtractionFailed):
        extract_page(URL, html)


def test_a_tracking_query_is_the_same_article() -> None:
    page = classic_page("")
    article = extract_page(f"{URL}?utm_source=telegram&from=feed", page)
    assert (article.native_id, article.url) == ("123456", URL)


def test_the_extract_command_prints_what_extract_page_gives(tmp_path: Path) -> None:
    name = "bitrix_pipe_workshop"
    url = json.loads((HANDWRITTEN / f"{name}.json").read_text(encoding="utf-8"))["url"]
    page = HANDWRITTEN / f"{name}.html"
    printed = newsarchive("extract", str(page), "--url", url)
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout) == extract_page(url, page.read_bytes()).to_dict()
    text = newsarchive("extract", str(page), "--url", url, "--format", "text")
    assert text.stdout.rstrip("\n") == extract_page(url, page.read_bytes()).body_text
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body></body></html>", encoding="utf-8")
    refused = newsarchive("extract", str(empty), "--url", url)
    assert refused.returncode == 3
    assert refused.stderr.strip().splitlines() == [
        f"Error: the page holds no article (no title: {url})"
    ]
    missing = newsarchive("extract", str(tmp_path / "none.html"))
    assert missing.returncode == 1 and missing.stderr.startswith("Error: no such file")


# A site whose robots.txt forbids /private/, with a redirect into it and a Cyrillic page.
POLITE_SITE = {
    "/robots.txt": (200, "text/plain", "User-agent: *\nDisallow: /private/\n"),
    "/private/a.html": (200, "text/html", "<h1>Закрыто</h1><p>Текст, который нельзя.</p>"),
    "/%D0%B7%D0%B0%D0%B2%D0%BE%D0%B4.html": (
        200, "text/html; charset=utf-8",
        "<html><body><h1>Завод</h1><p>Завод выпустил тысячу станков за этот год.</p>"
        "<p>Второй абзац о заводе и о его новых станках.</p></body></html>",
    ),
}  # fmt: skip


class _Site(http.server.BaseHTTPRequestHandler):
    """Serves POLITE_SITE, and /redirect into its forbidden part."""

    def do_GET(self) -> None:
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/private/a.html")
            self.end_headers()
            return
        status, kind, text = POLITE_SITE.get(self.path, (404, "text/plain", "no"))
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


def test_a_url_is_fetched_politely_and_bad_ones_are_one_line() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        cyrillic = newsarchive("extract", f"{base}/завод.html", "--format", "text")
        assert cyrillic.returncode == 0, cyrillic.stderr
        assert cyrillic.stdout.startswith("Завод выпустил тысячу станков")
        for address, message in (
            (f"{base}/private/a.html", f"robots.txt of {base} forbids {base}/private/a.html"),
            (f"{base}/redirect", f"robots.txt of {base} forbids {base}/private/a.html"),
            ("http://[::1", "http://[::1 is no URL (Invalid IPv6 URL)"),
        ):
            refused = newsarchive("extract", address)
            assert refused.returncode == 1
            assert refused.stderr.splitlines() == [f"Error: {message}"]
    finally:
        server.shutdown()
        server.server_close()
