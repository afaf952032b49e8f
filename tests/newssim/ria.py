"""RIA Novosti (ria.ru) at its public paths, in Russian, dated in Moscow time.

robots.txt names `/sitemap_article_index.xml` (one sitemap per month, by query:
`/sitemap_article.xml?date_start=YYYYMMDD&date_end=YYYYMMDD`, newest month first) and
`/sitemap_list_index.xml` (rubric and keyword pages: no articles). The feed is
`/export/rss2/archive/index.xml`: title, link, guid, pubDate (+0300), the one category
«Лента новостей» and RIA's own `rian:priority` and `rian:type`, nothing else. Articles are
`/YYYYMMDD/<slug>-<id>.html`; their pages carry a JSON-LD NewsArticle (dated with +03:00),
`article:published_time` as `YYYYMMDDTHHMM` with no offset, and the date in words of the
`article__info-date` link. News items carry no byline.
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime

from . import feeds, sitemaps
from .corpus import MOSCOW, RUSSIAN, Article, Term
from .kinds import Kind, Query
from .markup import e, json_ld
from .replies import Reply, html, xml

SITE = "РИА Новости"
FIRST_ID = 2_085_000_000
MONTHS = ["янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"]
FEED_ITEMS = 20
DAY = re.compile(r"/(\d{8})/")
KEYWORD = re.compile(r"/keyword_([a-z_]+)/")
ROBOTS = """User-agent: *
Disallow: *-print.html$
Disallow: /sys_*
Disallow: /valdai/
Disallow: /search/
Disallow: /ria_70*
Disallow: /test_adfox*
Disallow: /ecokarta*
Disallow: /id/
Disallow: */embed/
Disallow: /specialprojects/
Disallow: /_editorial_preview_*
Disallow: /amp/*/more.html*
Disallow: /?*
Disallow: /services/

Clean-param: __twitter_impression&ues&amp

Sitemap: http://{host}/sitemap_article_index.xml
Sitemap: http://{host}/sitemap_list_index.xml
"""
COPYRIGHT = (
    "Правила использования",
    "Кроме установленных действующим законодательством случаев любое использование контента "
    "без получения предварительного письменного разрешения правообладателя запрещено.",
)


class Ria(Kind):
    name = "ria"
    language = "ru"
    zone = MOSCOW
    lexicon = RUSSIAN
    sections = (
        Term("Экономика", "economy"),
        Term("В мире", "world"),
        Term("Общество", "society"),
        Term("Наука", "science"),
    )

    def native_id(self, article: Article) -> str:
        return str(FIRST_ID + article.number * 4127)

    def article_path(self, article: Article) -> str:
        return f"/{article.published:%Y%m%d}/{article.slug}-{self.native_id(article)}.html"

    def image_path(self, article: Article) -> str | None:
        return (
            f"/images/{self.native_id(article)}/{article.picture.path}" if article.picture else None
        )

    def byline(self, article: Article) -> str | None:
        return None

    def robots(self, host: str) -> str:
        return ROBOTS.format(host=host)

    def route(self, path: str, query: Query, base: str) -> Reply | None:
        if path == "/sitemap_article_index.xml":
            index = [
                sitemaps.Entry(f"{base}{target}", sitemaps.newest(entries))
                for target, entries in self._months(base).items()
            ]
            return xml(sitemaps.sitemap_index(index), sitemaps.newest(index))
        if path == "/sitemap_article.xml":
            return self._month(query, base)
        if path == "/sitemap_list_index.xml":
            child = sitemaps.Entry(f"{base}/sitemap_list.xml", self.newest_update())
            return xml(sitemaps.sitemap_index([child]), child.lastmod)
        if path == "/sitemap_list.xml":
            entries = [sitemaps.Entry(base + p, when) for p, when in self._lists()]
            return xml(sitemaps.urlset(entries), sitemaps.newest(entries))
        if path == "/export/rss2/archive/index.xml":
            return xml(self._feed(base), self.newest_update(), "application/rss+xml")
        return self._html_page(path, base)

    def non_article_paths(self) -> list[str]:
        days = sorted({f"/{a.published:%Y%m%d}/" for a in self.articles}, reverse=True)
        return ["/", "/docs/about/copyright.html"] + [p for p, _ in self._lists()] + days

    def _lists(self) -> list[tuple[str, datetime | None]]:
        """The rubric and keyword pages, with the time of their newest article."""
        pages = [(f"/{s.slug}/", self._newest(self.in_section(s))) for s in self.sections]
        pages += [(f"/keyword_{t.slug}/", self._newest(self.tagged(t))) for t in self.used_tags()]
        return pages

    @staticmethod
    def _newest(articles: list[Article]) -> datetime | None:
        return articles[0].updated if articles else None

    def _months(self, base: str) -> dict[str, list[sitemaps.Entry]]:
        """One sitemap per month that has articles, newest first, by its date range."""
        months: dict[str, list[sitemaps.Entry]] = {}
        for article in self.articles:
            first = article.published.date().replace(day=1)
            last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
            target = f"/sitemap_article.xml?date_start={first:%Y%m%d}&date_end={last:%Y%m%d}"
            months.setdefault(target, []).append(self._entry(article, base))
        return months

    def _entry(self, article: Article, base: str) -> sitemaps.Entry:
        return sitemaps.Entry(base + self.article_path(article), article.updated)

    def _month(self, query: Query, base: str) -> Reply | None:
        try:
            start = datetime.strptime(query["date_start"][0], "%Y%m%d").date()
            end = datetime.strptime(query["date_end"][0], "%Y%m%d").date()
        except (KeyError, ValueError):
            return None
        entries = [
            self._entry(article, base)
            for article in self.articles
            if start <= article.published.date() <= end
        ]
        return xml(sitemaps.urlset(entries), sitemaps.newest(entries))

    def _feed(self, base: str) -> str:
        channel = feeds.Channel(
            SITE,
            f"{base}/",
            "Новости в России и мире, самая оперативная информация: темы дня, обзоры, анализ.",
            "ru",
            f"{base}/export/rss2/archive/index.xml",
            extra=f"<copyright>{SITE}</copyright>\n",
        )
        items = [
            feeds.Item(
                a.title,
                base + self.article_path(a),
                a.published,
                base + self.article_path(a),
                categories=("Лента новостей",),
                extra=(
                    '<rian:priority xmlns:rian="http://rian.ru/ns">3</rian:priority>\n'
                    '<rian:type xmlns:rian="http://rian.ru/ns">article</rian:type>'
                ),
            )
            for a in self.articles[:FEED_ITEMS]
        ]
        return feeds.rss(channel, items)

    def _html_page(self, path: str, base: str) -> Reply | None:
        if path == "/":
            return html(self._listing("Главные новости", self.articles[:12]), self.newest_update())
        if path == "/docs/about/copyright.html":
            title, text = COPYRIGHT
            return html(_page(title, f"<h1>{title}</h1><p>{e(text)}</p>", ""))
        for section in self.sections:
            if path == f"/{section.slug}/":
                return html(self._listing(section.name, self.in_section(section)))
        if (match := KEYWORD.fullmatch(path)) and (
            tag := next((t for t in self.used_tags() if t.slug == match.group(1)), None)
        ):
            return html(self._listing(tag.name, self.tagged(tag)))
        if match := DAY.fullmatch(path):
            today = [a for a in self.articles if f"{a.published:%Y%m%d}" == match.group(1)]
            if today:
                return html(self._listing(f"Новости за {today[0].published:%d.%m.%Y}", today))
        return None

    def _listing(self, heading: str, articles: list[Article]) -> str:
        items = "".join(
            f'<div class="list-item"><div class="list-item__content">'
            f'<a href="{self.article_path(a)}" class="list-item__title color-font-hover-only">'
            f'{e(a.title)}</a></div><div class="list-item__info">'
            f'<div class="list-item__date">{a.published:%H:%M}</div></div></div>'
            for a in articles
        )
        main = f'<h1 class="tag-input__tag-text">{e(heading)}</h1><div class="list">{items}</div>'
        return _page(f"{heading} - {SITE}", main, "")

    def article_page(self, article: Article, base: str) -> str:
        url = base + self.article_path(article)
        when, updated = article.published, article.updated
        shown = f"{when:%d.%m.%Y}"
        tags = [article.section.name, *(tag.name for tag in article.tags)]
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "headline": article.title,
            "alternativeHeadline": article.subtitle,
            "description": article.excerpt,
            "datePublished": when.isoformat(),
            "dateModified": updated.isoformat(),
            "author": {"@type": "Organization", "name": SITE},
            "publisher": {"@type": "Organization", "name": SITE},
            "articleSection": tags,
            "inLanguage": "ru",
        }
        head = f"""<meta name="description" content="{e(article.excerpt)} {SITE}, {shown}">
<meta name="keywords" content="{e(", ".join(tags).lower())}">
<link rel="canonical" href="{url}">
<meta property="og:title" content="{e(article.title)} - {SITE}, {shown}">
<meta property="og:description" content="{e(article.excerpt)}">
<meta property="og:type" content="article">
<meta property="og:url" content="{url}">
<meta property="og:site_name" content="{SITE}">
<meta property="article:published_time" content="{when:%Y%m%dT%H%M}">
<meta property="article:modified_time" content="{updated:%Y%m%dT%H%M}">
<meta property="article:author" content="{SITE}">
<meta property="article:section" content="{e(article.section.name)}">
{json_ld(data)}
<script>window.dataLayer = window.dataLayer || []; window.dataLayer.push({{'page_type': 'article', 'page_rubric': '{article.section.name}', 'page_tags': '{", ".join(tags)}', 'article_length': '{sum(map(len, article.body))}'}});</script>"""  # noqa: E501
        dateline = f"МОСКВА, {when.day} {MONTHS[when.month - 1]} — {SITE}."
        blocks = "\n".join(
            f'<div class="article__block" data-type="text"><div class="article__text">'
            f"{f'<strong>{dateline}</strong> ' if n == 0 else ''}{e(text)}</div></div>"
            for n, text in enumerate(article.body)
        )
        other = next((a for a in self.articles if a is not article), None)
        inject = ""
        if other is not None:
            inject = (
                '<div class="article__block" data-type="article"><div class="article-inject">'
                f'<a href="{self.article_path(other)}" class="article-inject__title">'
                f"{e(other.title)}</a></div></div>"
            )
        modified = ""
        if article.modified:
            modified = f'<span class="article__info-date-modified"> (обновлено: {updated:%H:%M %d.%m.%Y})</span>'  # noqa: E501
        announce = ""
        if (picture := article.picture) and (image := self.image_path(article)):
            announce = f"""<div class="article__announce"><div class="media" data-type="photo"><div class="photoview__open"><img media-type="ar16x9" src="{image}" alt="{e(picture.caption)}" title="{e(picture.caption)}"></div>
<div class="media__copyright"><div class="media__copyright-item m-copyright">© РИА Новости / {e(picture.credit)}</div></div><div class="media__text">{e(picture.caption)}</div></div></div>"""  # noqa: E501
        targets = [(f"/{article.section.slug}/", article.section.name)]
        targets += [(f"/keyword_{tag.slug}/", tag.name) for tag in article.tags]
        tag_links = "".join(
            f'<a class="article__tags-item" href="{href}">{e(name)}</a>' for href, name in targets
        )
        lenta = "".join(
            f'<div class="lenta__item"><a href="{self.article_path(a)}" class="lenta__item-size">'
            f'<span class="lenta__item-date">{a.published:%H:%M}</span>'
            f'<span class="lenta__item-text">{e(a.title)}</span></a></div>'
            for a in self.articles[:6]
            if a is not article
        )
        main = f"""<div class="layout-article">
<div class="article m-article" data-article-id="{self.native_id(article)}">
<div class="article__header">
<div class="article__info"><div class="article__info-date"><a href="/{when:%Y%m%d}/">{when:%H:%M %d.%m.%Y}</a>{modified}</div>
<div class="article__info-statistic"><span class="statistic__item m-views">{1000 + article.number * 37}</span></div></div>
<h1 class="article__title">{e(article.title)}</h1>
<h2 class="article__second-title">{e(article.subtitle)}</h2>
</div>
{announce}
<div class="article__body js-mediator-article mia-analytics">
{blocks}
{inject}
</div>
<div class="article__tags">{tag_links}</div>
<div class="article__footer"><div class="share" data-id="{self.native_id(article)}">
<a class="share__item m-telegram" href="https://t.me/share/url?url={url}">Telegram</a>
<a class="share__item m-vk" href="https://vk.com/share.php?url={url}">ВКонтакте</a>
<a class="share__item m-ok" href="https://connect.ok.ru/offer?url={url}">Одноклассники</a></div>
<div class="article__userbar">Подпишитесь на РИА Новости в Telegram, чтобы быть в курсе главных событий</div></div>
</div>
<div class="layout-article__right"><div class="lenta"><div class="lenta__title">Лента новостей</div>{lenta}</div></div>
</div>"""  # noqa: E501
        return _page(f"{article.title} - {SITE}, {shown}", main, head)


def _page(title: str, main: str, head: str) -> str:
    rubrics = "".join(
        f'<a class="nav__item" href="/{slug}/">{name}</a>'
        for name, slug in (
            ("Экономика", "economy"),
            ("В мире", "world"),
            ("Общество", "society"),
            ("Наука", "science"),
        )
    )
    return f"""<!DOCTYPE html SYSTEM "about:legacy-compat">
<html lang="ru"><head prefix="og: http://ogp.me/ns# article: http://ogp.me/ns/article#">
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta charset="utf-8">
<title>{e(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1.0">
{head}
</head>
<body class="body m-ria m-article">
<div class="page">
<div class="header"><a class="header__logo" href="/">{SITE}</a><div class="nav">{rubrics}</div>
<div class="header__actions"><a class="header__action" href="https://t.me/rian_ru">Telegram</a> <span class="header__action">Радио Sputnik</span></div></div>
<div class="content">
{main}
</div>
<div class="footer"><div class="footer__rubrics">{rubrics}</div>
<div class="footer__copyright">© 2026 МИА «Россия сегодня». <a href="/docs/about/copyright.html">Правила использования</a></div>
<div class="footer__text">Сетевое издание РИА Новости зарегистрировано в Федеральной службе по надзору в сфере связи, информационных технологий и массовых коммуникаций (Роскомнадзор). Главный редактор: Анисимов А.С. Адрес электронной почты Редакции: internet-group@rian.ru</div></div>
<div class="cookie-warning">На сайте используются cookies. Продолжая использовать сайт, вы принимаете условия. <button class="cookie-warning__button">Ok</button></div>
</div>
</body></html>
"""  # noqa: E501
