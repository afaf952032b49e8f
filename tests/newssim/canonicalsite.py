"""A wire service whose pages name a canonical URL on another domain (its syndication host).

Discovery is by the usual locations only: a plain `/sitemap.xml` urlset (robots.txt does not
name it) and an RSS feed at `/rss.xml` (the home page does not name it). Some sitemap URLs
carry a tracking parameter. Since the canonical URL is not on the site's own host, the archive
keeps the fetched URL, without the tracking parameter.
"""

from __future__ import annotations

from . import feeds, sitemaps
from .corpus import Article, Term
from .kinds import Kind, Query
from .markup import e, long_date, paragraphs
from .replies import Reply, html, xml

SITE = "Metro Wire"
SYNDICATION = "https://syndication.example.net"


class CanonicalElsewhere(Kind):
    name = "canonical"
    sections = (Term("City", "city"), Term("Economy", "economy"), Term("Science", "science"))

    def article_path(self, article: Article) -> str:
        return f"/stories/{article.slug}/"

    def route(self, path: str, query: Query, base: str) -> Reply | None:
        if path == "/":
            return html(self._listing(SITE, self.articles[:8]), self.newest_update())
        for section in self.sections:
            if path == f"/section/{section.slug}/":
                return html(self._listing(section.name, self.in_section(section)))
        if path == "/about/":
            text = "<p>Metro Wire supplies city and business news to forty partner papers.</p>"
            return html(_page("About Metro Wire", f"<h1>About Metro Wire</h1>{text}", ""))
        if path == "/sitemap.xml":
            entries = [
                sitemaps.Entry(base + self._listed_path(article), article.updated)
                for article in self.articles
            ]
            return xml(sitemaps.urlset(entries), sitemaps.newest(entries))
        if path == "/rss.xml":
            return xml(self._feed(base), self.newest_update(), "application/rss+xml")
        return None

    def non_article_paths(self) -> list[str]:
        return ["/", "/about/"] + [f"/section/{s.slug}/" for s in self.sections]

    def _listed_path(self, article: Article) -> str:
        """Every third sitemap URL carries the tracking parameter."""
        suffix = "?utm_source=sitemap" if article.number % 3 == 0 else ""
        return self.article_path(article) + suffix

    def _feed(self, base: str) -> str:
        channel = feeds.Channel(
            SITE, f"{base}/", "City and business news", "en-us", f"{base}/rss.xml",
            self.newest_update(),
        )  # fmt: skip
        items = [
            feeds.Item(
                a.title,
                base + self.article_path(a),
                a.published,
                base + self.article_path(a),
                description=a.excerpt,
                categories=(a.section.name,),
            )
            for a in self.articles[:10]
        ]
        return feeds.rss(channel, items)

    def _listing(self, heading: str, articles: list[Article]) -> str:
        items = "".join(
            f'<div class="wire-item"><a href="{self.article_path(a)}">{e(a.title)}</a>'
            f"<p>{e(a.excerpt)}</p></div>"
            for a in articles
        )
        return _page(heading, f"<h1>{e(heading)}</h1>{items}", "")

    def article_page(self, article: Article, base: str) -> str:
        canonical = SYNDICATION + self.article_path(article)
        head = f"""<link rel="canonical" href="{canonical}">
<meta property="og:type" content="article">
<meta property="og:url" content="{canonical}">
<meta property="og:title" content="{e(article.title)}">
<meta property="article:published_time" content="{article.published.isoformat()}">
<meta property="article:modified_time" content="{article.updated.isoformat()}">
<meta name="author" content="{e(self.byline(article) or "")}">"""
        figure = ""
        if (picture := article.picture) and (image := self.image_path(article)):
            figure = f'<img class="lead-image" src="{image}" alt="{e(picture.caption)}">'
        main = f"""<article class="wire-story">
<h1>{e(article.title)}</h1>
<div class="meta"><span class="author">{e(self.byline(article) or "")}</span> |
<time datetime="{article.published.isoformat()}">{long_date(article.published)}</time> |
<a href="/section/{article.section.slug}/">{e(article.section.name)}</a></div>
{figure}
<div class="wire-text">{paragraphs(article)}</div>
<p class="distribution">Distributed by {SITE}. Partners may republish this story in full.</p>
</article>"""
        return _page(article.title, main, head)


def _page(title: str, main: str, head: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)} - {SITE}</title>
{head}
</head>
<body>
<header><a href="/">{SITE}</a> <nav><a href="/section/city/">City</a> <a href="/section/economy/">Economy</a> <a href="/section/science/">Science</a> <a href="/about/">About</a></nav></header>
<main>{main}</main>
<footer><p>&copy; 2026 {SITE}. For licensing, see our partner programme.</p></footer>
</body></html>
"""  # noqa: E501
