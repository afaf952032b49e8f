"""A local paper with no sitemap and no feed: only its links lead to its articles.

The home page links to the two sections and the newest stories; each section page lists six
teasers and links every one of its pages, so an article is at most three links from home.
`/news/` pages by path (`/news/page/2/`), `/business/` by query (`/business/?page=2`). What an
article page shows of its date varies on purpose: og:type=article and article:published_time
(numbers 3, 6, …), JSON-LD only (1, 4, …), or only a `<time datetime>` beside the body.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .corpus import Article, Term
from .kinds import Kind, Query, page_of, pages_of
from .markup import e, json_ld, long_date, pager, paragraphs, short_date
from .replies import Reply, html

SITE = "Riverside Ledger"
PER_PAGE = 6
NEWS = Term("News", "news")
BUSINESS = Term("Business", "business")
NEWS_PAGE = re.compile(r"/news/page/(\d+)/")
STATIC = {
    "/about/": (
        "About the Ledger",
        "The Riverside Ledger has covered the towns along the river since 1921.",
        "It is owned by a local trust and employs eleven reporters and editors.",
    ),
    "/contact/": (
        "Contact us",
        "Call the newsroom on weekdays between nine and five, or write to the editor.",
        "Letters for publication should be under three hundred words.",
    ),
}


class LinksOnly(Kind):
    name = "links"
    sections = (NEWS, BUSINESS)

    def article_path(self, article: Article) -> str:
        return f"/{article.section.slug}/{article.published:%Y/%m}/{article.slug}-{article.number}.html"  # noqa: E501

    def route(self, path: str, query: Query, base: str) -> Reply | None:
        if path == "/":
            return html(self._home(), self.newest_update())
        page = _number(query.get("page", ["1"])[0])
        if path == "/news/":
            return self._section(NEWS, 1)
        if match := NEWS_PAGE.fullmatch(path):
            return self._section(NEWS, int(match.group(1))) if match.group(1) != "1" else None
        if path == "/business/":
            return self._section(BUSINESS, page) if page else None
        for kind, terms, pick in (
            ("tag", self.used_tags(), self.tagged),
            ("author", self.used_authors(), self.by_author),
        ):
            for term in terms:
                if path == f"/{kind}/{term.slug}/":
                    return html(self._listing(f"{kind.title()}: {term.name}", pick(term)))
        if path in STATIC:
            return html(self._static(path))
        if path == "/search":
            words = query.get("q", [""])[0].lower()
            found = [a for a in self.articles if words and words in a.title.lower()]
            return html(self._listing(f"Search results for “{words}”", found))
        return None

    def non_article_paths(self) -> list[str]:
        paths = ["/", *STATIC, "/search?q=plant"]
        for section in self.sections:
            count = pages_of(self.in_section(section), PER_PAGE)
            paths += [_section_url(section, n) for n in range(1, count + 1)]
        paths += [f"/tag/{tag.slug}/" for tag in self.used_tags()]
        paths += [f"/author/{author.slug}/" for author in self.used_authors()]
        return paths

    def _section(self, section: Term, page: int) -> Reply | None:
        items = self.in_section(section)
        if page > pages_of(items, PER_PAGE):
            return None
        links = pager(page, pages_of(items, PER_PAGE), _url_maker(section))
        text = self._listing(section.name, page_of(items, page, PER_PAGE), links)
        return html(text, items[0].updated if items else None)

    def _home(self) -> str:
        newest = self.articles[:4]
        lead = "".join(
            self._teaser(article, "?utm_source=home" if n % 2 else "")
            for n, article in enumerate(newest)
        )
        talked = "".join(
            f'<li><a href="{self.article_path(a)}#comments">{e(a.title)}</a></li>'
            for a in self.articles[4:7]
        )
        main = f"""<section class="top-stories"><h2>Top stories</h2><ul class="teasers">{lead}</ul></section>
<section class="sections"><h2>Sections</h2><p><a href="/news/">All news</a> &middot; <a href="/business/">All business</a></p></section>
<section class="most-discussed"><h2>Most discussed</h2><ol>{talked}</ol></section>"""  # noqa: E501
        return _page(f"{SITE} — news from the river towns", main, "website")

    def _teaser(self, article: Article, suffix: str = "") -> str:
        url = self.article_path(article) + suffix
        return (
            f'<li class="teaser"><h3><a href="{url}">{e(article.title)}</a></h3>'
            f"<p>{e(article.excerpt)}</p>"
            f'<time datetime="{article.published.isoformat()}">{short_date(article.published)}'
            "</time></li>"
        )

    def _listing(self, heading: str, articles: list[Article], links: str = "") -> str:
        teasers = "".join(self._teaser(article) for article in articles)
        main = (
            f'<h1 class="listing-title">{e(heading)}</h1><ul class="teasers">{teasers}</ul>{links}'
        )
        return _page(f"{heading} | {SITE}", main, "website")

    def _static(self, path: str) -> str:
        title, *lines = STATIC[path]
        text = "".join(f"<p>{e(line)}</p>" for line in lines)
        return _page(f"{title} | {SITE}", f"<h1>{e(title)}</h1>{text}", "website")

    def article_page(self, article: Article, base: str) -> str:
        variant = article.number % 3
        head = ""
        if variant == 0:
            stamp = article.published.isoformat()
            head = (
                '<meta property="og:type" content="article">\n'
                f'<meta property="article:published_time" content="{stamp}">'
            )
        elif variant == 1:
            head = json_ld(
                {
                    "@context": "https://schema.org",
                    "@type": "NewsArticle",
                    "headline": article.title,
                    "datePublished": article.published.isoformat(),
                    "dateModified": article.updated.isoformat(),
                    "author": [{"@type": "Person", "name": self.byline(article)}],
                    "articleSection": article.section.name,
                }
            )
        dateline = ""
        if variant == 0:
            dateline = f'<p class="dateline">{long_date(article.published)}</p>'
        elif variant == 2:
            dateline = (
                f'<time class="published" datetime="{article.published.isoformat()}">'
                f"{long_date(article.published)}, {article.published:%I:%M %p}</time>"
            )
        author = article.author or Term("Staff", "staff")
        related = [a for a in self.in_section(article.section) if a is not article][:3]
        more = "".join(
            f'<li><a href="{self.article_path(a)}">{e(a.title)}</a> '
            f'<a class="count" href="{self.article_path(a)}#comments">Comments</a></li>'
            for a in related
        )
        tags = "".join(f'<li><a href="/tag/{t.slug}/">{e(t.name)}</a></li>' for t in article.tags)
        figure = ""
        if (picture := article.picture) and (image := self.image_path(article)):
            figure = (
                f'<figure class="story-image"><img src="{image}" alt="">'
                f'<figcaption>{e(picture.caption)} <span class="credit">{e(picture.credit)}'
                "</span></figcaption></figure>"
            )
        main = f"""<div class="story">
<p class="kicker"><a href="/{article.section.slug}/">{e(article.section.name)}</a></p>
<h1 class="headline">{e(article.title)}</h1>
<p class="byline">By <a rel="author" href="/author/{author.slug}/">{e(author.name)}</a></p>
{dateline}
{figure}
<div class="story-body">
{paragraphs(article)}
</div>
<ul class="tags">{tags}</ul>
<div class="share">Share: <a href="https://www.facebook.com/sharer/sharer.php">Facebook</a> <a href="https://twitter.com/intent/tweet">X</a> <a href="mailto:">Email</a></div>
</div>
<section id="comments" class="comments"><h2>Comments</h2><p>Comments are open to subscribers. <a href="/contact/">Tell us</a> if you see a problem.</p></section>
<aside class="more"><h2>More in {e(article.section.name)}</h2><ul>{more}</ul></aside>"""  # noqa: E501
        return _page(f"{article.title} | {SITE}", main, "", head)


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() and int(text) > 0 else None


def _section_url(section: Term, page: int) -> str:
    if page == 1:
        return f"/{section.slug}/"
    if section == NEWS:
        return f"/news/page/{page}/"
    return f"/{section.slug}/?page={page}"


def _url_maker(section: Term) -> Callable[[int], str]:
    return lambda page: _section_url(section, page)


def _page(title: str, main: str, og_type: str, head: str = "") -> str:
    og = f'<meta property="og:type" content="{og_type}">' if og_type else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{e(title)}</title>
<meta property="og:site_name" content="{SITE}">
{og}
{head}
</head>
<body>
<div class="cookie-banner">This site uses cookies to count visits. <button>Accept</button> <button>Reject</button></div>
<header class="site-header"><a class="brand" href="/">{SITE}</a>
<nav><a href="/">Home</a> <a href="/news/">News</a> <a href="/business/">Business</a> <a href="/about/">About</a> <a href="/contact/">Contact</a></nav>
<form class="search" action="/search" method="get"><input type="search" name="q" placeholder="Search the Ledger"><button>Search</button></form>
</header>
<main class="content">
{main}
</main>
<footer class="site-footer"><p>&copy; 2026 {SITE}. Printed and published in Riverside since 1921.</p>
<p><a href="/about/">About us</a> &middot; <a href="/contact/">Contact</a></p></footer>
</body>
</html>
"""  # noqa: E501
