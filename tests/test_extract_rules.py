"""Extraction rules on small hand-made pages: dates, text, signatures, encodings."""

from __future__ import annotations

import pytest

from crawler.exceptions import ExtractionFailed
from crawler.extract import decode_html, extract_page
from crawler.extract._content import common_ancestor, text_outside
from crawler.extract._dates import find_russian_numeric, parse_iso
from crawler.extract._tree import parse

URL = "https://sdelanounas.ru/blogs/123456/"


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("15.01.2010 10:00", "2010-01-15T10:00:00+03:00"),  # winter 2010: MSK
        ("15.07.2010 10:00", "2010-07-15T10:00:00+04:00"),  # summer 2010: MSD
        ("01.12.2012 10:00", "2012-12-01T10:00:00+04:00"),  # 2011-2014: UTC+4 all year
        ("23.11.2017<span></span>14:05", "2017-11-23T14:05:00+03:00"),  # since October 2014
    ],
)
def test_moscow_wall_clock_gets_the_offset_of_its_day(shown: str, expected: str) -> None:
    assert find_russian_numeric(shown.replace("<span></span>", "")) == expected


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        ("2010-01-15T07:00:00Z", "2010-01-15T10:00:00+03:00"),
        ("2010-07-15T06:00:00Z", "2010-07-15T10:00:00+04:00"),
        ("2012-12-01T06:00:00Z", "2012-12-01T10:00:00+04:00"),
        ("2017-11-23T11:05:00Z", "2017-11-23T14:05:00+03:00"),
    ],
)
def test_utc_datetime_attribute_is_shown_in_moscow_time(utc: str, expected: str) -> None:
    assert parse_iso(utc) == expected


def page(body: str, extra: str = "") -> str:
    return f"""<html><body>
    <div class="wrap"><div class="post">
      <h1>Заголовок статьи</h1>
      <div class="meta"><a href="/account/%D0%98%D0%B2%D0%B0%D0%BD/">Иван</a>
        <span>05.03.2019 12:00</span></div>
      <div class="content">{body}</div>{extra}
    </div></div></body></html>"""


def test_real_text_mentioning_telegram_stays() -> None:
    mention = (
        "Компания рассказала о запуске в своём Телеграм-канале @zavod_news, "
        "где публикует отчёты о производстве."
    )
    article = extract_page(URL, page(f"<p>Первый абзац о заводе.</p><p>{mention}</p>"))
    assert mention in article.body_text
    assert "telegram-prompt" not in [removal.rule for removal in article.removals]


def test_signature_removes_furniture_in_unknown_markup() -> None:
    body = (
        "<p>Текст статьи о новом заводе.</p>"
        "<section class='x9'><b>Хочешь всегда знать и никогда не пропускать лучшие новости "
        "о развитии России?</b> У проекта «Сделано у нас» есть Телеграм-канал @sdelanounas_ru. "
        "Подпишись, и у тебя всегда будет повод для гордости за Россию.</section>"
    )
    article = extract_page(URL, page(body))
    assert article.body_text == "Текст статьи о новом заводе."
    signatures = [removal for removal in article.removals if removal.kind == "signature"]
    assert [removal.rule for removal in signatures] == ["telegram-prompt"]
    assert signatures[0].sample.startswith("Хочешь всегда знать")


def test_text_is_normalised_and_structure_kept() -> None:
    body = (
        "<p>Пер\u00adвый&nbsp;абзац\u200b с пробелами.</p><p>&nbsp;</p>"
        "<h2>Подзаголовок</h2><ul><li>один</li><li>два</li></ul>"
        "<table><tr><th>Год</th><th>Выпуск</th></tr><tr><td>2019</td><td>12</td></tr></table>"
        "<p>Е\u0308лка у проходной завода<script>alert(1)</script> стоит с 2019 года, вот "
        "<a href='javascript:alert(2)' onclick='x()'>ссылка</a></p>"
    )
    article = extract_page(URL, page(body))
    assert article.body_text == (
        "Первый абзац с пробелами.\n\nПодзаголовок\n\n- один\n- два\n\n"
        "Год | Выпуск\n2019 | 12\n\nЁлка у проходной завода стоит с 2019 года, вот ссылка"
    )
    assert "<h2>Подзаголовок</h2>" in article.body_html
    assert "<li>один</li>" in article.body_html
    for dangerous in ("script", "javascript:", "onclick", "<p></p>"):
        assert dangerous not in article.body_html
    assert article.published_at == "2019-03-05T12:00:00+03:00"
    assert (article.author, article.author_login) == ("Иван", "Иван")


def test_page_without_title_is_a_typed_failure() -> None:
    with pytest.raises(ExtractionFailed) as failure:
        extract_page(URL, "<html><body><p>Только текст.</p></body></html>")
    assert failure.value.reason == "no title"


def test_page_without_date_is_a_typed_failure() -> None:
    html = "<html><body><h1>Заголовок</h1><div><p>Текст без даты.</p></div></body></html>"
    with pytest.raises(ExtractionFailed) as failure:
        extract_page(URL, html)
    assert failure.value.reason == "no date"


@pytest.mark.parametrize("declared", [None, "text/html; charset=windows-1251"])
def test_windows_1251_pages_decode_to_russian(declared: str | None) -> None:
    raw = page("<p>Завод выпустил тысячу тракторов.</p>").encode("cp1251")
    article = extract_page(URL, decode_html(raw, declared))
    assert article.body_text == "Завод выпустил тысячу тракторов."
    assert article.title == "Заголовок статьи"


@pytest.mark.parametrize(
    "broken",
    [
        "<html><head><title>Заголовок статьи</head><body>{body}</body></html>",
        "<html><body><h1>Заголовок статьи</h1></html>{body}",
    ],
    ids=["unclosed-title", "content-after-html"],
)
def test_markup_lxml_loses_is_repaired_by_beautifulsoup(broken: str) -> None:
    body = (
        "<h1>Заголовок статьи</h1><div><span>05.03.2019 12:00</span></div>"
        "<div><p>Текст о заводе.</p></div>"
    )
    if "<h1>" in broken:
        body = body.replace("<h1>Заголовок статьи</h1>", "")
    article = extract_page(URL, broken.format(body=body))
    assert article.title == "Заголовок статьи"
    assert article.body_text == "Текст о заводе."
    assert article.published_at == "2019-03-05T12:00:00+03:00"


def test_thin_profile_body_is_rescued_by_the_fallback_and_marked() -> None:
    long_text = " ".join(["Завод нарастил выпуск продукции и открыл новый цех."] * 12)
    html = f"""<html><body><h1 class="h1_openblog">Заголовок</h1>
      <div class="info"><span>05.03.2019 12:00</span></div>
      <div class="text __sun_article_text"><p>Коротко.</p></div>
      <div class="x-new-body"><p>{long_text}</p><p>{long_text}</p></div></body></html>"""
    article = extract_page(URL, html)
    assert article.extraction_method == "fallback"
    assert article.body_text == f"{long_text}\n\n{long_text}"


def test_profile_body_of_a_short_news_item_is_kept() -> None:
    html = """<html><body><h1 class="h1_openblog">Заголовок</h1>
      <div class="info"><span>05.03.2019 12:00</span></div>
      <div class="text __sun_article_text"><p>Завод открыт.</p></div>
      <div class="related"><p>Короткая подпись.</p></div></body></html>"""
    article = extract_page(URL, html)
    assert (article.extraction_method, article.body_text) == ("profile", "Завод открыт.")


def test_common_ancestor_is_the_lowest_element_holding_both() -> None:
    nested = "".join(f'<div class="level{depth}">' for depth in range(30))
    closed = "</div>" * 30
    root = parse(
        f'<html><body><div class="page">{nested}<h1>Заголовок</h1>{closed}'
        f'<div class="side">{nested}<p>Текст</p>{closed}</div></div></body></html>'
    )
    title, body = next(root.iter("h1")), next(root.iter("p"))
    for _ in range(50):  # freed element objects must never pass for other elements
        assert common_ancestor(title, body).get("class") == "page"
        assert text_outside(root, body).split() == ["Заголовок"]
