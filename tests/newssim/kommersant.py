"""Kommersant (www.kommersant.ru) at its public paths, in Russian, dated in Moscow time.

Articles are `/doc/<id>`. robots.txt disallows query URLs of documents, tracking parameters
and the old archives, and names `/sitemaps/all_docs_sitemap.xml` (an index of the rubric
sitemaps `/sitemaps/sitemap_rubric_<n>.xml`, oldest documents first) and the Google News
sitemap `/sitemaps/sitemap_news.xml`. Three RSS feeds share no item: `/RSS/news.xml` (the news
wire: no subtitle, no byline), `/RSS/corp.xml` and `/RSS/main.xml` (signed pieces, their feed
titles «title // subtitle»). A page carries a JSON-LD NewsArticle (`datePublished` with
milliseconds and +03:00), `time.doc_header__publish_time[datetime]`, the headline in
`h1.doc_header__name`, the subtitle in `h2.doc_header__subheader` and the text in
`div.article_text_wrapper`, whose last paragraph (`p.document_authors`) names the authors.
"""

from __future__ import annotations

import re
from datetime import timedelta

from . import feeds, sitemaps
from .corpus import MOSCOW, RUSSIAN, Article, Term
from .kinds import Kind, Query
from .markup import e, json_ld
from .replies import PIXEL, Reply, html, xml

SITE = "Коммерсантъ"
FIRST_ID = 8_560_000
FEEDS = {"news": "Лента новостей", "corp": "Материалы с сайта", "main": "Газета. Главное"}
FEED_ITEMS = 20
NEWS_WINDOW = timedelta(days=2)
RUBRIC_SITEMAP = re.compile(r"/sitemaps/sitemap_rubric_(\d+)\.xml")
ROBOTS = """User-agent: *
Disallow: /doc*=
Disallow: /*utm_
Disallow: /*from=
Disallow: /doc-y/
Disallow: /articles/
Disallow: /Daily/
Disallow: /Vlast/
Disallow: /Money/
Disallow: *doc.html*
Disallow: /?*feed=*

Sitemap: http://{host}/sitemaps/all_docs_sitemap.xml
Sitemap: http://{host}/sitemaps/sitemap_news.xml
"""


class Kommersant(Kind):
    name = "kommersant"
    language = "ru"
    zone = MOSCOW
    lexicon = RUSSIAN
    sections = (
        Term("Политика", "2"),
        Term("Экономика", "3"),
        Term("Бизнес", "4"),
        Term("Мир", "5"),
    )

    def native_id(self, article: Article) -> str:
        return str(FIRST_ID + article.number * 41)

    def article_path(self, article: Article) -> str:
        return f"/doc/{self.native_id(article)}"

    def image_path(self, article: Article) -> str | None:
        if not article.picture:
            return None
        return (
            f"/Issues.photo/DAILY/{article.published:%Y}/KMO_{self.native_id(article)}_1_t222.png"
        )

    def byline(self, article: Article) -> str | None:
        """The news wire is unsigned; the other pieces name their author."""
        if _feed_of(article) == "news" or article.author is None:
            return None
        return article.author.name

    def robots(self, host: str) -> str:
        return ROBOTS.format(host=host)

    def route(self, path: str, query: Query, base: str) -> Reply | None:
        rubric_maps = {
            section.slug: [self._entry(a, base) for a in reversed(self.in_section(section))]
            for section in self.sections
        }
        if path == "/sitemaps/all_docs_sitemap.xml":
            index = [
                sitemaps.Entry(f"{base}/sitemaps/sitemap_rubric_{n}.xml", sitemaps.newest(items))
                for n, items in rubric_maps.items()
            ]
            return xml(sitemaps.sitemap_index(index), sitemaps.newest(index))
        if (match := RUBRIC_SITEMAP.fullmatch(path)) and match.group(1) in rubric_maps:
            entries = rubric_maps[match.group(1)]
            return xml(sitemaps.urlset(entries), sitemaps.newest(entries))
        if path == "/sitemaps/sitemap_news.xml":
            entries = self._news_entries(base)
            return xml(sitemaps.urlset(entries), sitemaps.newest(entries))
        for feed in FEEDS:
            if path == f"/RSS/{feed}.xml":
                return xml(self._feed(feed, base), self.newest_update(), "application/rss+xml")
        return self._html_page(path)

    def non_article_paths(self) -> list[str]:
        rubrics = [f"/rubric/{section.slug}" for section in self.sections]
        return ["/", "/lenta", *rubrics] + [f"/theme/{_theme(tag)}" for tag in self.used_tags()]

    def _entry(self, article: Article, base: str) -> sitemaps.Entry:
        return sitemaps.Entry(base + self.article_path(article), article.updated)

    def _news_entries(self, base: str) -> list[sitemaps.Entry]:
        if not self.articles:
            return []
        since = self.articles[0].published - NEWS_WINDOW
        return [
            sitemaps.Entry(
                base + self.article_path(a),
                a.updated,
                sitemaps.News(SITE, "ru", a.published.isoformat(), a.title),
            )
            for a in self.articles
            if a.published >= since
        ]

    def _feed(self, feed: str, base: str) -> str:
        channel = feeds.Channel(
            f"{SITE}. {FEEDS[feed]}",
            f"{base}/",
            f"{SITE}: {FEEDS[feed]}",
            "ru",
            f"{base}/RSS/{feed}.xml",
            self.newest_update(),
        )
        items = []
        for a in [a for a in self.articles if _feed_of(a) == feed][:FEED_ITEMS]:
            url = base + self.article_path(a)
            enclosure = ""
            if image := self.image_path(a):
                enclosure = (
                    f'<enclosure url="{base}{image}" type="image/png" length="{len(PIXEL)}"/>'
                )
            title = a.title if feed == "news" else f"{a.title} // {a.subtitle}"
            items.append(
                feeds.Item(
                    title,
                    url,
                    a.published,
                    url,
                    description=a.excerpt,
                    categories=(a.section.name,),
                    extra=enclosure,
                )
            )
        return feeds.rss(channel, items)

    def _html_page(self, path: str) -> Reply | None:
        if path == "/":
            return html(self._listing(SITE, self.articles[:12]), self.newest_update())
        if path == "/lenta":
            return html(self._listing("Лента новостей", self.articles[:20]), self.newest_update())
        for section in self.sections:
            if path == f"/rubric/{section.slug}":
                return html(self._listing(section.name, self.in_section(section)))
        for tag in self.used_tags():
            if path == f"/theme/{_theme(tag)}":
                return html(self._listing(tag.name, self.tagged(tag)))
        return None

    def _listing(self, heading: str, articles: list[Article]) -> str:
        items = "".join(
            f'<article class="uho rubric_lenta__item" data-article-title="{e(a.title)}">'
            '<div class="uho__text">'
            f'<h2 class="uho__name rubric_lenta__item_name"><a href="{self.article_path(a)}" '
            f'class="uho__link uho__link--overlay">{e(a.title)}</a></h2>'
            f'<p class="uho__subtitle rubric_lenta__item_subtitle">{e(a.excerpt)}</p>'
            f'<p class="uho__tag rubric_lenta__item_tag hide_desktop">{a.published:%d.%m.%Y, %H:%M}'
            "</p></div></article>"
            for a in articles
        )
        main = f'<h1 class="section_header__title">{e(heading)}</h1><div class="rubric_lenta">{items}</div>'  # noqa: E501
        return _page(f"{heading} – {SITE}", main, "")

    def article_page(self, article: Article, base: str) -> str:
        url = base + self.article_path(article)
        when = article.published
        signed = self.byline(article)
        author: object = (
            [{"@type": "Person", "name": signed}]
            if signed
            else {"@type": "Organization", "name": SITE}
        )
        data = {
            "@context": "http://schema.org",
            "@type": "NewsArticle",
            "mainEntityOfPage": url,
            "headline": article.title,
            "description": article.excerpt,
            "datePublished": when.isoformat(timespec="milliseconds"),
            "dateModified": article.updated.isoformat(timespec="milliseconds"),
            "author": author,
            "publisher": {"@type": "Organization", "name": SITE},
        }
        keywords = ", ".join([article.section.name, *(tag.name for tag in article.tags)])
        head = f"""<meta name="description" content="{e(article.excerpt)}">
<meta name="keywords" content="{e(keywords)}">
<link rel="canonical" href="{url}">
<meta property="og:type" content="article">
<meta property="og:title" content="{e(article.title)}">
<meta property="og:description" content="{e(article.excerpt)}">
<meta property="og:url" content="{url}">
<meta property="og:site_name" content="{SITE}">
{json_ld(data)}"""
        subheader = ""
        if _feed_of(article) != "news":
            subheader = f'<h2 class="doc_header__subheader">{e(article.subtitle)}</h2>'
        figure = ""
        if (picture := article.picture) and (image := self.image_path(article)):
            figure = f"""<figure class="doc_media"><div class="doc_media__picture"><img class="doc_media__media" src="{image}" alt="{e(picture.caption)}"></div>
<figcaption class="doc_media__caption"><p class="doc_media__text">{e(picture.caption)}</p><p class="doc_media__author">Фото: {e(picture.credit)}, {SITE}</p></figcaption></figure>"""  # noqa: E501
        text = "\n".join(
            f'<p class="doc__text{" doc__intext" if n == 0 else ""}">{e(p)}</p>'
            for n, p in enumerate(article.body)
        )
        authors = f'<p class="doc__text document_authors">{e(signed)}</p>' if signed else ""
        themes = "".join(
            f'<li class="doc_footer__item"><a href="/theme/{_theme(t)}" class="tag">{e(t.name)}</a></li>'  # noqa: E501
            for t in article.tags
        )
        also = "".join(
            f'<li class="also__item"><a href="{self.article_path(a)}">{e(a.title)}</a></li>'
            for a in self.articles[:5]
            if a is not article
        )
        main = f"""<main class="main grid">
<article class="doc" data-article-id="{self.native_id(article)}" data-article-daterfc822="{feeds.rfc822(when)}" data-canonical-url="{url}" data-canonical-title="{e(article.title)}" data-analytics-authors="{e(signed or "")}">
<header class="doc_header">
<div class="doc_header__rubric"><a href="/rubric/{article.section.slug}" class="decor">{e(article.section.name)}</a></div>
<div class="doc_header__time"><time class="doc_header__publish_time" datetime="{when.isoformat()}">{when:%d.%m.%Y, %H:%M}</time></div>
<h1 class="doc_header__name js-search-mark">{e(article.title)}</h1>
{subheader}
</header>
<div class="doc__body">
{figure}
<div class="article_text_wrapper js-search-mark" itemprop="articleBody">
{text}
{authors}
</div>
<div class="doc_footer"><ul class="doc_footer__list">{themes}</ul>
<div class="doc_footer__share">Поделиться: <a href="https://vk.com/share.php?url={url}">ВКонтакте</a> <a href="https://t.me/share/url?url={url}">Telegram</a> <a href="https://connect.ok.ru/offer?url={url}">Одноклассники</a></div></div>
</div>
</article>
<aside class="also"><h3 class="also__title">Читайте также</h3><ul>{also}</ul></aside>
</main>"""  # noqa: E501
        return _page(f"{article.title} – {SITE}", main, head)


def _feed_of(article: Article) -> str:
    """Which of the three feeds carries the article: half are news, a quarter each the rest."""
    return ("news", "news", "corp", "main")[article.number % 4]


def _theme(tag: Term) -> int:
    return 3000 + RUSSIAN.tags.index(tag) * 37


def _page(title: str, main: str, head: str) -> str:
    rubrics = "".join(
        f'<li class="navigation__item"><a href="/rubric/{n}">{name}</a></li>'
        for name, n in (("Политика", 2), ("Экономика", 3), ("Бизнес", 4), ("Мир", 5))
    )
    return f"""<!DOCTYPE html>
<html lang="ru">
<head>
<meta charset="utf-8">
<title>{e(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
{head}
</head>
<body class="page">
<header class="header"><a class="header__logo" href="/">{SITE}</a>
<nav class="navigation"><ul class="navigation__list">{rubrics}<li class="navigation__item"><a href="/lenta">Лента новостей</a></li></ul></nav>
<div class="header__subscribe"><a href="/lenta">Свежий номер</a> <span>Подписка на газету</span></div></header>
<div class="layout">
{main}
</div>
<div class="subscription_banner">Подпишитесь на рассылку «{SITE}»: главные новости дня каждое утро. <button>Подписаться</button></div>
<footer class="footer"><p class="footer__copyright">© 1991—2026 АО «{SITE}». Все права защищены.</p>
<p class="footer__text">Сетевое издание «{SITE}» зарегистрировано Роскомнадзором. Использование материалов допускается при условии гиперссылки на «{SITE}».</p></footer>
<div class="cookie_popup">Мы используем файлы cookie, чтобы сайт работал лучше. <button class="cookie_popup__button">Согласен</button></div>
</body>
</html>
"""  # noqa: E501
