"""The golden pages: how each is made, which extractor reads it, what truth it was made from.

Pages are saved as the bytes a server would send (`<name>.html`) beside the JSON the extractor
must give for them (`<name>.json`); a page the extractor must refuse expects `{"failure": ...}`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.exceptions import ExtractionFailed
from crawler.extract import decode_html, extract_page, parse_listing
from tests.sitesim.corpus import (
    FIXTURES,
    MOSCOW,
    SimArticle,
    image_for,
    seed_article,
    synthetic_article,
)
from tests.sitesim.pages import article_page

GOLDEN = Path(__file__).resolve().parent / "simulator"
BASE = "https://sdelanounas.ru"


@dataclass(frozen=True)
class Case:
    """One saved page: its file stem, URL, and the extractor that reads it."""

    name: str
    url: str
    kind: str  # "article" or "listing"

    @property
    def html_path(self) -> Path:
        return GOLDEN / f"{self.name}.html"

    @property
    def json_path(self) -> Path:
        return GOLDEN / f"{self.name}.json"

    def html(self) -> str:
        """The page as the crawler would decode it from the saved bytes."""
        if self.kind == "listing":
            return real_listing_html()
        return decode_html(self.html_path.read_bytes())

    def extract(self) -> Any:
        if self.kind == "listing":
            return [entry.to_dict() for entry in parse_listing(self.url, self.html())]
        try:
            return extract_page(self.url, self.html()).to_dict()
        except ExtractionFailed as failure:
            return {"failure": failure.reason}


def _synthetic(article_id: int, layout: str, when: datetime) -> SimArticle:
    article = synthetic_article(article_id, when)
    article.layout = layout
    return article


def _adversarial(article_id: int, blocks: list[tuple[str, object]], **fields: Any) -> SimArticle:
    article = _synthetic(article_id, "classic", datetime(2021, 4, 12, 9, 15, tzinfo=MOSCOW))
    article.blocks = blocks
    for name, value in fields.items():
        setattr(article, name, value)
    return article


XSS_BLOCKS: list[tuple[str, object]] = [
    ("lead", "Завод отчитался о выпуске продукции за квартал."),
    ("raw", "<p>Текст<script>alert('script')</script> после скрипта.</p>"),
    ("raw", "<p><img src=x onerror=\"alert('img')\">Подпись к картинке.</p>"),
    ("raw", "<p><a href=\"javascript:alert('link')\">Опасная ссылка</a> в тексте.</p>"),
    ("raw", '<p onclick="alert(\'click\')" style="color:red">Абзац с обработчиком.</p>'),
    ("raw", "<iframe src='https://evil.example/'></iframe><svg onload=\"alert('svg')\"></svg>"),
    ("raw", "<p><a href='data:text/html;base64,PHNjcmlwdD4='>Ссылка data</a> конец.</p>"),
    ("raw", '<p><a href="javascript:alert(\'image\')"><img src="/i/a/b/c/abc.jpg"></a></p>'),
    ("raw", "<p><img src=\"javascript:alert('src')\">Картинка без адреса.</p>"),
]
NBSP_BLOCKS: list[tuple[str, object]] = [
    ("lead", "Первый абзац\u00a0с\u00a0неразрывными пробелами."),
    ("raw", "<p>&nbsp;</p><p>\u00a0\u00a0</p><p><br></p><p>\u200b</p><p> </p>"),
    ("raw", "<p>Пере\u00adнос и\u200b нулевая ширина, и\ufeff метка порядка.</p>"),
    ("raw", "<p>Составной символ: е\u0308 становится ё.</p>"),
]
STRUCTURE_BLOCKS: list[tuple[str, object]] = [
    ("lead", "Холдинг подвёл итоги года."),
    ("raw", "<h2>Итоги по заводам</h2>"),
    ("raw", "<ol><li>Казанский завод</li><li>Пермский завод</li></ol>"),
    ("raw", "<ul><li>Тракторы<ul><li>гусеничные</li></ul></li><li>Турбины</li></ul>"),
    (
        "raw",
        "<table><thead><tr><th>Завод</th><th>Выпуск</th></tr></thead>"
        "<tbody><tr><td>Казань</td><td>1 200</td></tr><tr><td>Пермь</td><td>950</td></tr>"
        "</tbody></table>",
    ),
    ("raw", "<blockquote><p>«Мы выполнили план», — сказал директор.</p></blockquote>"),
    ("raw", "<h3>Планы</h3><p>В следующем году откроются два цеха.</p>"),
    (
        "raw",
        "<p>Читайте также: <a href='/blogs/100100/'>Завод в Казани</a>, "
        "<a href='https://sdelanounas.ru/blogs/100101/'>Цех в Перми</a>.</p>",
    ),
]
TELEGRAM_BLOCKS: list[tuple[str, object]] = [
    ("lead", "Завод запустил новую линию."),
    (
        "p",
        "О запуске первым сообщил Телеграм-канал @sdelanounas_ru со ссылкой на пресс-службу "
        "завода; подписчики канала увидели и видео из цеха.",
    ),
    ("p", "Хочешь всегда знать, как работает завод? Приходи на день открытых дверей."),
]


def _photo_report() -> SimArticle:
    images = [image_for(100310, n) for n in (1, 2, 3)]
    for n, image in enumerate(images, 1):
        image.caption = f"Цех номер {n}"
        image.credit = "Пресс-служба завода" if n != 2 else None
    return _adversarial(100310, [("images", None)], images=images, source_url=None)


def _long_article() -> SimArticle:
    article = synthetic_article(100311, datetime(2024, 12, 31, 23, 59, tzinfo=MOSCOW))
    paragraphs = [text for kind, text in article.blocks if kind in ("lead", "p")]
    article.blocks = [("lead", paragraphs[0])] + [
        ("p", f"{n}. {paragraphs[n % len(paragraphs)]}") for n in range(1, 150)
    ]
    article.layout = "classic"
    return article


# Synthetic article pages (labelled so in the page). Dates: Moscow was UTC+3 in winter and UTC+4
# in summer until 2011, UTC+4 all year 2011-2014, then UTC+3.
SYNTHETIC: dict[str, Callable[[], SimArticle]] = {
    "synthetic_classic_2010-01-15": lambda: _synthetic(
        100301, "classic", datetime(2010, 1, 15, 10, 0, tzinfo=MOSCOW)
    ),
    "synthetic_modern_2010-07-15": lambda: _synthetic(
        100302, "modern", datetime(2010, 7, 15, 23, 30, tzinfo=MOSCOW)
    ),
    "synthetic_classic_2012-06-01": lambda: _synthetic(
        100303, "classic", datetime(2012, 6, 1, 8, 15, tzinfo=MOSCOW)
    ),
    "synthetic_modern_2016-03-01_modified": lambda: _synthetic(
        100317, "modern", datetime(2016, 3, 1, 12, 0, tzinfo=MOSCOW)
    ),
    "synthetic_redesign_2020-02-29": lambda: _synthetic(
        100304, "redesign", datetime(2020, 2, 29, 0, 45, tzinfo=MOSCOW)
    ),
    "synthetic_seed_redesign_2017-11-23": lambda: seed_article(100873),
    "adversarial_xss": lambda: _adversarial(100305, XSS_BLOCKS),
    "adversarial_nbsp_and_invisible": lambda: _adversarial(100306, NBSP_BLOCKS),
    "adversarial_structure_and_related_links": lambda: _adversarial(100307, STRUCTURE_BLOCKS),
    "adversarial_telegram_in_real_text": lambda: _adversarial(100309, TELEGRAM_BLOCKS),
    "adversarial_photo_report_captions_only": _photo_report,
    "adversarial_long_article": _long_article,
}


# Pages whose bytes are not the simulator's UTF-8 page: (source article, how to re-encode).
def _for_1251(article_id: int) -> SimArticle:
    return _synthetic(article_id, "classic", datetime(2019, 5, 6, 7, 8, tzinfo=MOSCOW))


ENCODED: dict[str, tuple[Callable[[], SimArticle], str]] = {
    "adversarial_windows-1251_declared": (lambda: _for_1251(100312), "declared"),
    "adversarial_windows-1251_undeclared": (lambda: _for_1251(100313), "undeclared"),
}
UNRECOGNISABLE = {
    "adversarial_unknown_layout_app_shell": (
        "<!DOCTYPE html><html><head><title>Сделано у нас</title></head><body>"
        "<div id='root'>Загрузка…</div><noscript>Включите JavaScript</noscript></body></html>"
    ),
    "adversarial_unknown_layout_no_date": (
        "<html><body><div class='q1'><h1 class='q2'>Заголовок без даты</h1>"
        "<div class='q3'><p>Текст статьи без какой-либо даты публикации на странице.</p></div>"
        "</div></body></html>"
    ),
}


def windows_1251(page: str, how: str) -> bytes:
    """The page in windows-1251, with its charset declared as such or not declared at all."""
    for declaration in (
        '<meta name="Content-Type" content="text/html; charset=UTF-8" />',
        '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />',
    ):
        replacement = declaration.replace("UTF-8", "windows-1251") if how == "declared" else ""
        page = page.replace(declaration, replacement)
    return page.encode("cp1251", errors="xmlcharrefreplace")


def page_bytes(name: str) -> bytes:
    """The bytes saved for a golden article page."""
    if name in SYNTHETIC:
        return article_page(SYNTHETIC[name]()).encode("utf-8")
    if name in ENCODED:
        make, how = ENCODED[name]
        return windows_1251(article_page(make()), how)
    return UNRECOGNISABLE[name].encode("utf-8")


def sim_article(name: str) -> SimArticle:
    """The simulator's own record of a synthetic golden page: the truth it was made from."""
    if name in ENCODED:
        return ENCODED[name][0]()
    return SYNTHETIC[name]()


def truths() -> list[str]:
    """Golden pages made from a simulator article, whose truth is known."""
    return [*SYNTHETIC, *ENCODED]


def cases() -> list[Case]:
    """Every golden page: the real listing, then the article pages."""
    found = [Case("real_listing_2018-03-20", f"{BASE}/blogs/", "listing")]
    for name in truths():
        found.append(Case(name, f"{BASE}/blogs/{sim_article(name).id}/", "article"))
    for number, name in enumerate(UNRECOGNISABLE, start=100900):
        found.append(Case(name, f"{BASE}/blogs/{number}/", "article"))
    return found


def case(name: str) -> Case:
    """The golden case of that name."""
    return next(found for found in cases() if found.name == name)


def real_listing_html() -> str:
    """The saved home page, its three parts joined again."""
    parts = sorted((FIXTURES / "real").glob("homepage_2018-03-20_part*.html"))
    return "".join(part.read_text(encoding="utf-8") for part in parts)
