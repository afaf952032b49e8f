"""The simulated sites' articles, written from templates and decided by (seed, number) alone.

English sentences use one word in several forms on purpose ("factory", "factories", "plant",
"plants", "opened", "opens") and Russian ones likewise ("завод", "заводы", "заводе", "заводов"),
so that stemmed search can be tested on them. Every article carries a distinctive sentence of
its own (a batch code no other article has), so a test can tell that its body was kept.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")
MOSCOW = ZoneInfo("Europe/Moscow")
# The newest article of a site as first built, and how far apart its articles are: a few weeks
# of news ending on the last day of November 2026 (New York dates cross the end of daylight
# saving time on 1 November, so their offsets are -04:00 and -05:00).
LAST_DAY = (2026, 11, 30, 17, 45)
STEP = timedelta(hours=36)


@dataclass(frozen=True)
class Term:
    """A section, tag or person: what a page shows and the slug its URLs use."""

    name: str
    slug: str


@dataclass(frozen=True)
class Picture:
    path: str
    caption: str
    credit: str


@dataclass
class Article:
    """One article: every field a page, feed or sitemap shows is decided here."""

    number: int  # 1 is the oldest
    slug: str
    title: str
    subtitle: str
    author: Term | None
    section: Term
    tags: list[Term]
    paragraphs: list[str]
    sentence: str  # the distinctive one, inside the third paragraph
    published: datetime
    modified: datetime | None = None
    picture: Picture | None = None
    updates: list[str] = field(default_factory=list)  # paragraphs that edits added

    @property
    def updated(self) -> datetime:
        return self.modified or self.published

    @property
    def body(self) -> list[str]:
        return self.paragraphs + self.updates

    @property
    def excerpt(self) -> str:
        """The first two sentences, as listings and feeds show them."""
        return " ".join(_sentences(self.paragraphs[0])[:2])


@dataclass(frozen=True)
class Lexicon:
    """The words an article is written from, in one language."""

    titles: tuple[str, ...]
    sentences: tuple[str, ...]
    distinctive: str
    update: str
    caption: str
    authors: tuple[Term, ...]
    tags: tuple[Term, ...]
    companies: tuple[str, ...]
    cities: tuple[tuple[str, str], ...]  # (name, the form after "in")
    products: tuple[str, ...]
    regions: tuple[str, ...]
    slugs: tuple[str, ...] = ()  # short Latin slugs, for sites whose URLs carry no title


ENGLISH = Lexicon(
    titles=(
        "{company} opens {product} plant in {city}",
        "New {product} factory opened in {city}",
        "{city} factories hire {n} workers as orders rise",
        "Why {company} is building more plants in {region}",
        "{product} output climbs at {region} factories",
        "{company} opened its biggest factory yet near {city}",
        "Plants in {region} run extra shifts for {product}",
    ),
    sentences=(
        "{company} opened a new {product} factory in {city} this week.",
        "The factory employs {n} people and opens a second shift next month.",
        "Two older plants in {region} will close once the new lines are running.",
        "Output at the company's factories rose {p} percent compared with last year.",
        "Local officials said the plant opens the way for more suppliers in {city}.",
        "Several factories nearby already buy parts from the new plant.",
        "The {product} plant cost {n} million dollars and took {m} months to build.",
        "Workers at the plants voted to accept a new contract in the spring.",
        "Analysts expect more plants to open across {region} before the end of the decade.",
        "{company} said its newest factory uses {p} percent less energy than the old plant.",
        "Demand for {product} parts has grown faster than the factories could keep up with.",
        "A spokesperson for {company} declined to say when the next plant opens.",
        "Trucks leave the factory gates every {m} minutes during the day shift.",
        "Training courses for plant operators opened at the community college in {city}.",
        "Suppliers said the factories had paid their invoices on time all year.",
        "The opening of the plant was delayed twice by shortages of steel.",
    ),
    distinctive="Inspectors stamped batch {code} before the first crates left the {city} plant.",
    update="Update: {company} said on {day} that the {city} plant had passed its safety review.",
    caption="The main hall of the {product} plant in {city}.",
    authors=(
        Term("Maria Lopez", "maria-lopez"),
        Term("James Okafor", "james-okafor"),
        Term("Hannah Becker", "hannah-becker"),
        Term("Daniel Reyes", "daniel-reyes"),
        Term("Priya Natarajan", "priya-natarajan"),
    ),
    tags=(
        Term("Manufacturing", "manufacturing"),
        Term("Exports", "exports"),
        Term("Jobs", "jobs"),
        Term("Automation", "automation"),
        Term("Supply chain", "supply-chain"),
        Term("Energy prices", "energy-prices"),
    ),
    companies=("Northwind Steel", "Calloway Motors", "Brightline Foods", "Keystone Glass"),
    cities=(
        ("Dayton", "Dayton"),
        ("Spokane", "Spokane"),
        ("Toledo", "Toledo"),
        ("Fresno", "Fresno"),
        ("Wichita", "Wichita"),
        ("Albany", "Albany"),
    ),
    products=("battery", "turbine", "tractor", "glass", "chip", "bicycle"),
    regions=("the Midwest", "New England", "the Gulf Coast", "the Pacific Northwest"),
)

RUSSIAN = Lexicon(
    titles=(
        "«{company}» открыл завод по выпуску {product} в {city_in}",
        "В {city_in} заработал новый завод {product}",
        "Заводы {region} увеличили выпуск {product}",
        "На заводе в {city_in} запустили вторую линию",
        "«{company}» построит ещё два завода {product}",
    ),
    sentences=(
        "Новый завод по выпуску {product} открылся в {city_in}.",
        "На заводе работают более {n} человек, в следующем месяце откроется вторая смена.",
        "Два старых завода {region} закроют после запуска новых линий.",
        "Выпуск на заводах компании вырос на {p} процентов по сравнению с прошлым годом.",
        "Продукция заводов уже поставляется заказчикам по всей стране и за рубеж.",
        "Инвестиции в строительство завода составили {n} млрд рублей.",
        "Руководство «{company}» рассказало о планах открыть ещё два завода.",
        "Поставщики заводов перешли на отечественные комплектующие.",
        "Запуск завода стал частью программы модернизации отрасли.",
        "О сроках открытия следующего завода в компании пока не сообщают.",
        "На соседних заводах {region} тоже наращивают производство {product}.",
        "Строительство цеха заняло больше года и велось на российском оборудовании.",
    ),
    distinctive="Инспекторы отметили партию {code} до отправки первых ящиков с завода в {city_in}.",
    update="Дополнено: в «{company}» сообщили, что завод в {city_in} прошёл проверку {day}.",
    caption="Цех завода {product} в {city_in}",
    authors=(
        Term("Анна Смирнова", "anna-smirnova"),
        Term("Игорь Петров", "igor-petrov"),
        Term("Ольга Кузнецова", "olga-kuznetsova"),
        Term("Дмитрий Волков", "dmitrij-volkov"),
    ),
    tags=(
        Term("Промышленность", "promyshlennost"),
        Term("Импортозамещение", "importozameshchenie"),
        Term("Ростех", "rostekh"),
        Term("Экспорт", "eksport"),
        Term("Машиностроение", "mashinostroenie"),
        Term("Энергетика", "energetika"),
    ),
    companies=("Ростех", "Росатом", "КАМАЗ", "Северсталь", "Уралвагонзавод"),
    cities=(
        ("Казань", "Казани"),
        ("Пермь", "Перми"),
        ("Челябинск", "Челябинске"),
        ("Тула", "Туле"),
        ("Калуга", "Калуге"),
        ("Липецк", "Липецке"),
    ),
    products=("подшипников", "турбин", "локомотивов", "микросхем", "тракторов", "труб"),
    regions=("Поволжья", "Урала", "Сибири", "Центральной России"),
    slugs=("zavod", "proizvodstvo", "vypusk", "liniya", "moshchnosti", "eksport", "tsekh"),
)

LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def published_at(number: int, initial: int, zone: ZoneInfo) -> datetime:
    """When article `number` came out: the first `initial` end on LAST_DAY, later ones follow,
    a few minutes of jitter apart from the step."""
    last = datetime(*LAST_DAY, tzinfo=zone)
    jitter = random.Random(number * 7919).randint(0, 40)
    moment = (last.astimezone(ZoneInfo("UTC")) - STEP * (initial - number)).astimezone(zone)
    return moment.replace(second=(number * 13) % 60) + timedelta(minutes=jitter - 20)


def write_article(
    lexicon: Lexicon,
    sections: tuple[Term, ...],
    seed: int,
    number: int,
    published: datetime,
    taken: set[str],
    salt: str,
) -> Article:
    """A deterministic article; `salt` (the kind) keeps two kinds' texts apart, `taken` holds
    the slugs already used (the new one is added)."""
    rng = random.Random(f"{salt}:{seed}:{number}")
    words = _words(rng, lexicon)
    title = rng.choice(lexicon.titles).format(**words)
    title = title[0].upper() + title[1:]
    paragraphs = [
        " ".join(
            _sentence(rng, lexicon, words, template)
            for template in rng.sample(lexicon.sentences, rng.randint(2, 4))
        )
        for _ in range(rng.randint(4, 8))
    ]
    code = f"{salt[:2].upper()}{LETTERS[number % 23]}{LETTERS[seed % 23]}-{seed}{number:04d}"
    sentence = lexicon.distinctive.format(code=code, **words)
    paragraphs[2] = f"{paragraphs[2]} {sentence}"
    slug = rng.choice(lexicon.slugs) if lexicon.slugs else _slug(title)
    if not lexicon.slugs and slug in taken:
        slug = f"{slug}-{number}"
    taken.add(slug)
    picture = None
    if number % 3 == 1:
        caption = lexicon.caption.format(**words)
        credit = rng.choice(lexicon.authors).name
        picture = Picture(f"{slug}-{number}.png", caption, credit)
    return Article(
        number=number,
        slug=slug,
        title=title,
        subtitle=_sentence(rng, lexicon, words, rng.choice(lexicon.sentences)).rstrip("."),
        author=rng.choice(lexicon.authors),
        section=sections[rng.randrange(len(sections))],
        tags=sorted(rng.sample(lexicon.tags, rng.randint(1, 3)), key=lambda term: term.slug),
        paragraphs=paragraphs,
        sentence=sentence,
        published=published,
        picture=picture,
    )


def update_paragraph(lexicon: Lexicon, article: Article, when: datetime) -> str:
    """The paragraph an edit adds: it names the day, so every edit changes the body."""
    rng = random.Random(article.number * 31 + len(article.updates))
    words = _words(rng, lexicon)
    return lexicon.update.format(day=f"{when:%d.%m.%Y %H:%M}", **words)


def _words(rng: random.Random, lexicon: Lexicon) -> dict[str, object]:
    city, city_in = rng.choice(lexicon.cities)
    return {
        "company": rng.choice(lexicon.companies),
        "city": city,
        "city_in": city_in,
        "product": rng.choice(lexicon.products),
        "region": rng.choice(lexicon.regions),
        "n": rng.randint(40, 900),
        "m": rng.randint(6, 30),
        "p": rng.randint(3, 40),
    }


def _sentence(rng: random.Random, lexicon: Lexicon, story: dict[str, object], template: str) -> str:
    """A sentence about the article's own company, city and product, with numbers of its own."""
    own = {key: story[key] for key in ("company", "city", "city_in", "product")}
    text = template.format(**{**_words(rng, lexicon), **own})
    return text[0].upper() + text[1:]


def _sentences(paragraph: str) -> list[str]:
    return [sentence.strip() for sentence in re.findall(r"[^.!?]+[.!?]", paragraph)]


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
