"""Regressions of the extraction engine, each a page that once came out wrong, and the
`newsarchive extract` command."""

from __future__ import annotations

import json
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
