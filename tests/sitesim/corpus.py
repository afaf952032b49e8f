"""The simulated site's articles: the real seed article plus deterministic synthetic ones.

Synthetic articles are written from templates in plain Russian, with word forms in several cases
(«завод», «заводы», «заводе», «заводов») so that search can be tested on them. Every field a
page shows is decided here; the page renderers only lay it out.
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

MOSCOW = ZoneInfo("Europe/Moscow")
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sdelanounas"
FIRST_ID = 100_000
FIRST_DATE = datetime(2010, 1, 15, 9, 30, tzinfo=MOSCOW)
LAST_DATE = datetime(2026, 6, 1, 18, 0, tzinfo=MOSCOW)
# Layouts of the known site; the invented "redesign" serves the seed article, or every article
# when the simulator is told to (a redesign the extractor was not written for).
KNOWN_LAYOUTS = ("classic", "modern")


@dataclass
class SimImage:
    url: str
    full_url: str
    credit: str | None = None
    caption: str | None = None


@dataclass
class SimArticle:
    """One article of the simulated site; `blocks` are (kind, payload) pairs in order."""

    id: int
    title: str
    published: datetime
    author: str
    author_login: str
    category: tuple[int, str]
    tags: list[str]
    blocks: list[tuple[str, object]]
    layout: str
    comments: int = 0
    rating: int = 0
    source_url: str | None = None
    images: list[SimImage] = field(default_factory=list)
    synthetic: bool = True
    modified: datetime | None = None


CATEGORIES = [
    (87, "Авиация"), (64, "Производство"), (74, "Экспорт"), (69, "Армия и Флот"),
    (120, "Агропром и пищевая промышленность"), (71, "Энергетика"), (90, "Транспорт и логистика"),
]  # fmt: skip
AUTHORS = [
    ("Гвардеец", "Гвардеец"), ("Великоросс", "Великоросс"), ("Akimich", "Akimich"),
    ("Седое Лихо", "Седое Лихо"), ("A_SEVER", "A_SEVER"), ("Сергей Котенко", "kotenko"),
]  # fmt: skip
CITIES = ["Казани", "Перми", "Челябинске", "Иркутске", "Калуге", "Ульяновске", "Тюмени", "Омске"]
PRODUCTS = ["подшипников", "турбин", "локомотивов", "микросхем", "удобрений", "тракторов", "труб"]
COMPANIES = ["Ростех", "Росатом", "КАМАЗ", "Иркут", "Уралвагонзавод", "Северсталь", "ОДК"]
TAGS = ["импортозамещение", "станкостроение", "Росатом", "КАМАЗ", "экспорт", "модернизация",
        "Иркут", "энергетика", "судостроение", "электроника"]  # fmt: skip

SENTENCES = [
    "В {city} открылся новый завод по выпуску {product}.",
    "Мощность завода позволит выпускать до {n} тысяч единиц продукции в год.",
    "Инвестиции в проект составили {n} млрд рублей, на заводе создано {m} рабочих мест.",
    "На заводах холдинга «{company}» внедряют цифровые технологии.",
    "Специалисты предприятия освоили производство {product} нового поколения.",
    "Продукция заводов уже поставляется заказчикам в {city} и за рубеж.",
    "Запуск линии стал частью программы модернизации производства.",
    "Руководство компании «{company}» рассказало о планах расширения заводов.",
    "Доля отечественных комплектующих в изделии превышает {n} процентов.",
    "Строительство цеха велось с использованием российского оборудования.",
]


def _sentence(rng: random.Random) -> str:
    return rng.choice(SENTENCES).format(
        city=rng.choice(CITIES),
        product=rng.choice(PRODUCTS),
        company=rng.choice(COMPANIES),
        n=rng.randint(2, 95),
        m=rng.randint(50, 900),
    )


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))


def image_for(article_id: int, n: int) -> SimImage:
    """An image URL pair in the site's `/i/<c1>/<c2>/<c3>/<B64>` scheme."""
    original = f"example-industry.ru/upload/{article_id}/{n}.jpg?__id={article_id}"
    b64 = base64.urlsafe_b64encode(original.encode()).decode()
    prefix = "/".join(b64[:3].lower())
    return SimImage(
        url=f"/i/{prefix}/{b64}.jpg",
        full_url=f"/i/{prefix}/f_{b64}.jpeg",
    )


def synthetic_article(article_id: int, published: datetime) -> SimArticle:
    """A deterministic synthetic article: the same id always gives the same page."""
    rng = random.Random(article_id)
    city, product = rng.choice(CITIES), rng.choice(PRODUCTS)
    blocks: list[tuple[str, object]] = [("lead", _paragraph(rng))]
    blocks += [("p", _paragraph(rng)) for _ in range(rng.randint(1, 4))]
    extra = article_id % 5
    if extra == 1:
        blocks.append(("ul", [_sentence(rng) for _ in range(3)]))
    elif extra == 2:
        rows = [["Показатель", "Значение"], ["Выпуск, тыс. шт.", str(rng.randint(10, 90))]]
        blocks.append(("table", rows))
    elif extra == 3:
        blocks.append(("quote", "«" + _sentence(rng).rstrip(".") + "», — отметил директор."))
    if article_id % 7 == 0:
        blocks.append(("p", "Подробности компания публикует в своём Телеграм-канале."))
    blocks.append(("p", _paragraph(rng)))
    category = rng.choice(CATEGORIES)
    author_name, author_login = rng.choice(AUTHORS)
    images = []
    if article_id % 3 == 0:
        image = image_for(article_id, 1)
        image.credit = rng.choice(["irkut.com", "Фото из открытых источников", None])
        images.append(image)
    return SimArticle(
        id=article_id,
        title=f"В {city} наладили выпуск {product}",
        published=published,
        author=author_name,
        author_login=author_login,
        category=category,
        tags=sorted(rng.sample(TAGS, rng.randint(1, 3))),
        blocks=blocks,
        layout=KNOWN_LAYOUTS[article_id % len(KNOWN_LAYOUTS)],
        comments=rng.randint(0, 40),
        rating=rng.randint(-3, 60),
        source_url=f"https://example-industry.ru/news/{article_id}" if article_id % 2 else None,
        images=images,
        modified=published + timedelta(days=1, hours=2) if article_id % 4 == 1 else None,
    )


def seed_article(article_id: int) -> SimArticle:
    """The real article of the seed text, in the redesigned layout; id and author are made up."""
    lines = (FIXTURES / "seeds" / "article-page-text.txt").read_text(encoding="utf-8")
    paragraphs = [line.strip() for line in lines.split("\n\n") if line.strip()]
    title_index = next(i for i, p in enumerate(paragraphs) if p.startswith("Инновационные"))
    end_index = next(i for i, p in enumerate(paragraphs) if p.endswith("территории кластера."))
    body = paragraphs[title_index + 1 : end_index + 1]
    return SimArticle(
        id=article_id,
        title=paragraphs[title_index],
        published=datetime(2017, 11, 23, 14, 5, tzinfo=MOSCOW),
        author="GS Group",
        author_login="gsgroup",
        category=(64, "Производство"),
        tags=["Иннополис", "Технополис GS", "GS Group"],
        blocks=[("lead", body[0])] + [("p", text) for text in body[1:]],
        layout="redesign",
        comments=4,
        rating=3,
        source_url="https://www.gs-group.com/press-center/news/",
        synthetic=False,
    )


class Corpus:
    """N articles with sequential ids, dates rising with the id; the seed article among them.

    `layout` serves every article in that layout instead of its own; `mixed` serves every
    other pair of articles (half of them, odd and even ids alike) in that layout; and
    `redesign_from(id, layout)` serves the articles from that id on in it, as a site does once
    it is redesigned. `first_date` and `step`
    fix the dates (by default they span 2010 to 2026); with them fixed, publishing more
    articles (`count += n`) leaves the old ones as they were. `edit()` and `remove()` change
    the site between two crawls, as its editors do.
    """

    def __init__(
        self,
        count: int,
        layout: str | None = None,
        first_date: datetime = FIRST_DATE,
        step: timedelta | None = None,
        mixed: str | None = None,
    ) -> None:
        self.count = count
        self.layout = layout
        self.mixed = mixed
        self.redesigned: tuple[int, str] | None = None
        self.first_id = FIRST_ID
        self.first_date = first_date
        self._step = step or (LAST_DATE - FIRST_DATE) / max(count - 1, 1)
        seed_date = datetime(2017, 11, 23, 14, 5, tzinfo=MOSCOW)
        offset = round((seed_date - first_date) / self._step) if count > 1 else 0
        self.seed_id = FIRST_ID + min(max(offset, 0), count - 1)
        self.edits: dict[int, dict[str, object]] = {}
        self.removed: set[int] = set()

    @property
    def ids(self) -> range:
        return range(self.first_id, self.first_id + self.count)

    def edit(self, article_id: int, **changes: object) -> None:
        """Change an article: `title=`, `paragraph=` (one more at the end), `comments=`,
        `raw=` (markup added to the body as it is, hostile or not)."""
        self.edits.setdefault(article_id, {}).update(changes)

    def redesign_from(self, article_id: int, layout: str) -> None:
        """Serve the articles from this id on in a new layout."""
        self.redesigned = (article_id, layout)

    def remove(self, article_id: int) -> None:
        """Take an article down: it answers 404 and leaves the listings."""
        self.removed.add(article_id)

    def get(self, article_id: int) -> SimArticle | None:
        if article_id not in self.ids:
            return None
        if article_id == self.seed_id:
            article = seed_article(article_id)
        else:
            published = self.first_date + self._step * (article_id - self.first_id)
            article = synthetic_article(article_id, published.replace(second=0, microsecond=0))
        if self.layout:
            article.layout = self.layout
        if self.mixed and (article_id // 2) % 2 == 0:
            article.layout = self.mixed
        if self.redesigned and article_id >= self.redesigned[0]:
            article.layout = self.redesigned[1]
        changes = self.edits.get(article_id, {})
        if "title" in changes:
            article.title = str(changes["title"])
        if "paragraph" in changes:
            article.blocks.append(("p", str(changes["paragraph"])))
        if "comments" in changes:
            article.comments = int(changes["comments"])  # type: ignore[call-overload]
        if "raw" in changes:
            article.blocks.append(("raw", str(changes["raw"])))
        return article

    def newest_first(self, page: int, per_page: int) -> list[SimArticle]:
        """One listing page: the articles not taken down, newest first."""
        shown = [i for i in reversed(self.ids) if i not in self.removed]
        return [
            article
            for i in shown[page * per_page : (page + 1) * per_page]
            if (article := self.get(i)) is not None
        ]
