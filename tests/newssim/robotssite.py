"""A paper whose robots.txt is the only way to its sitemaps, and which forbids part of itself.

robots.txt asks for a crawl delay, disallows `/private/` and names a sitemap index at an
unusual location (`/maps/sitemap-index.xml`) that lists one sitemap per month. The oldest
month's sitemap also lists `/private/members-only/`: the page exists, and a crawler that obeys
robots.txt never asks for it.
"""

from __future__ import annotations

from datetime import datetime

from . import sitemaps
from .corpus import NEW_YORK, Article, Term
from .kinds import Kind, Query
from .markup import e, long_date, paragraphs
from .replies import Reply, html, xml

SITE = "Harbor Gazette"
MEMBERS = "/private/members-only/"
MEMBERS_UPDATED = datetime(2026, 10, 20, 9, 0, tzinfo=NEW_YORK)


class RobotsRules(Kind):
    name = "robots"
    sections = (Term("Port", "port"), Term("Industry", "industry"), Term("Region", "region"))

    def article_path(self, article: Article) -> str:
        return f"/articles/{article.number:04d}-{article.slug}"

    def robots(self, host: str) -> str:
        return (
            f"User-agent: *\nCrawl-delay: {self.site.crawl_delay:g}\nDisallow: /private/\n\n"
            f"Sitemap: http://{host}/maps/sitemap-index.xml\n"
        )

    def forbidden_paths(self) -> list[str]:
        return [MEMBERS]

    def route(self, path: str, query: Query, base: str) -> Reply | None:
        months = self._months(base)
        if path == "/maps/sitemap-index.xml":
            index = [
                sitemaps.Entry(f"{base}/maps/{month}.xml", sitemaps.newest(entries))
                for month, entries in months.items()
            ]
            return xml(sitemaps.sitemap_index(index), sitemaps.newest(index))
        for month, entries in months.items():
            if path == f"/maps/{month}.xml":
                return xml(sitemaps.urlset(entries), sitemaps.newest(entries))
        if path == "/":
            return html(self._listing(SITE, self.articles[:10]), self.newest_update())
        for section in self.sections:
            if path == f"/topics/{section.slug}/":
                return html(self._listing(section.name, self.in_section(section)))
        if path == "/about/":
            text = "<p>The Harbor Gazette has reported from the waterfront since 1887.</p>"
            return html(_page("About the Gazette", f"<h1>About the Gazette</h1>{text}"))
        if path == MEMBERS:
            text = (
                "<p>Sign in to read the members' newsletter and the archive of print editions.</p>"
            )
            return html(_page("Members", f"<h1>Members only</h1>{text}"))
        return None

    def non_article_paths(self) -> list[str]:
        topics = [f"/topics/{section.slug}/" for section in self.sections]
        return ["/", "/about/", MEMBERS, *topics]

    def _months(self, base: str) -> dict[str, list[sitemaps.Entry]]:
        """Newest month first; each month's articles oldest first."""
        months: dict[str, list[sitemaps.Entry]] = {}
        for article in reversed(self.articles):
            entry = sitemaps.Entry(base + self.article_path(article), article.updated)
            months.setdefault(f"{article.published:%Y-%m}", []).append(entry)
        if months:
            oldest = next(iter(months))
            months[oldest].append(sitemaps.Entry(base + MEMBERS, MEMBERS_UPDATED))
        return dict(reversed(months.items()))

    def _listing(self, heading: str, articles: list[Article]) -> str:
        items = "".join(
            f'<li><a href="{self.article_path(a)}">{e(a.title)}</a> '
            f'<span class="date">{long_date(a.published)}</span></li>'
            for a in articles
        )
        return _page(heading, f'<h1>{e(heading)}</h1><ul class="headlines">{items}</ul>')

    def article_page(self, article: Article, base: str) -> str:
        head = f"""<meta property="og:type" content="article">
<meta property="og:title" content="{e(article.title)}">
<meta property="article:published_time" content="{article.published.isoformat()}">
<meta name="author" content="{e(self.byline(article) or "Staff")}">"""
        main = f"""<article>
<header><h1>{e(article.title)}</h1>
<p><span class="byline">By <span class="author">{e(self.byline(article) or "Staff")}</span></span> &middot; <time datetime="{article.published.isoformat()}">{long_date(article.published)}</time> &middot; <a href="/topics/{article.section.slug}/">{e(article.section.name)}</a></p></header>
<section class="article-body">{paragraphs(article)}</section>
</article>
<aside class="promo"><p>Members get the print edition as a PDF every morning. <a href="{MEMBERS}">Join now</a>.</p></aside>"""  # noqa: E501
        return _page(article.title, main, head)


def _page(title: str, main: str, head: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)} — {SITE}</title>
{head}
</head>
<body>
<header class="masthead"><a href="/">{SITE}</a>
<nav><a href="/topics/port/">Port</a> <a href="/topics/industry/">Industry</a> <a href="/topics/region/">Region</a> <a href="/about/">About</a> <a href="{MEMBERS}">Members</a></nav></header>
<main>{main}</main>
<footer><p>&copy; 2026 {SITE}. All rights reserved.</p></footer>
</body></html>
"""  # noqa: E501
