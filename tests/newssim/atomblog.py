"""A hand-built blog with one Atom feed of every post and no sitemap at all.

The home page names the feed in `<link rel="alternate">`; posts live at `/posts/<slug>` (no
trailing slash) in plain HTML5, their date only in a JSON-LD BlogPosting.
"""

from __future__ import annotations

import uuid

from . import feeds
from .corpus import Article, Term
from .kinds import Kind, Query
from .markup import e, json_ld, paragraphs
from .replies import Reply, html, xml

SITE = "Shop Floor Notes"
OWNER = "Ruth Calder"
ABOUT = (
    "Shop Floor Notes is a small blog about the factories and plants that still make things.",
    "It is written in spare evenings by a retired plant engineer and a few friends.",
)


class AtomBlog(Kind):
    name = "atom"
    sections = (Term("Plants", "plants"), Term("Factories", "factories"), Term("People", "people"))

    def article_path(self, article: Article) -> str:
        return f"/posts/{article.slug}"

    def route(self, path: str, query: Query, base: str) -> Reply | None:
        if path == "/":
            return html(self._home(base), self.newest_update())
        if path == "/archive/":
            return html(self._list(base, "Archive", self.articles), self.newest_update())
        if path == "/about":
            text = "".join(f"<p>{e(line)}</p>" for line in ABOUT)
            return html(_page(base, "About", f"<main><h1>About</h1>{text}</main>"))
        if path.startswith("/tags/"):
            tag = next((t for t in self.used_tags() if path == f"/tags/{t.slug}"), None)
            if tag:
                return html(self._list(base, f"Posts tagged {tag.name}", self.tagged(tag)))
        if path == "/atom.xml":
            return xml(self._feed(base), self.newest_update(), "application/atom+xml")
        return None

    def non_article_paths(self) -> list[str]:
        return ["/", "/archive/", "/about"] + [f"/tags/{tag.slug}" for tag in self.used_tags()]

    def _feed(self, base: str) -> str:
        entries = [
            feeds.Entry(
                id=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{self.site.seed}/{a.slug}')}",
                title=a.title,
                link=base + self.article_path(a),
                published=a.published,
                updated=a.updated,
                author=a.author.name if a.author else OWNER,
                summary=a.excerpt,
                categories=((a.section.slug, a.section.name),),
            )
            for a in self.articles
        ]
        return feeds.atom(SITE, f"{base}/", f"{base}/atom.xml", f"{base}/", OWNER, entries)

    def _home(self, base: str) -> str:
        posts = "".join(
            f'<article class="summary"><h2><a href="{base}{self.article_path(a)}">{e(a.title)}</a>'
            f"</h2><p>{e(a.excerpt)}</p></article>"
            for a in self.articles[:8]
        )
        main = f'<main><h1>{SITE}</h1>{posts}<p><a href="/archive/">All posts</a></p></main>'
        return _page(base, SITE, main)

    def _list(self, base: str, heading: str, articles: list[Article]) -> str:
        items = "".join(
            f'<li><a href="{base}{self.article_path(a)}">{e(a.title)}</a></li>' for a in articles
        )
        return _page(base, heading, f"<main><h1>{e(heading)}</h1><ul>{items}</ul></main>")

    def article_page(self, article: Article, base: str) -> str:
        url = base + self.article_path(article)
        author = article.author.name if article.author else OWNER
        data = {
            "@context": "https://schema.org",
            "@type": "BlogPosting",
            "headline": article.title,
            "datePublished": article.published.isoformat(),
            "dateModified": article.updated.isoformat(),
            "author": {"@type": "Person", "name": author},
            "mainEntityOfPage": url,
            "keywords": ", ".join(tag.name for tag in article.tags),
        }
        figure = ""
        if (picture := article.picture) and (image := self.image_path(article)):
            figure = (
                f'<figure><img src="{image}" alt="{e(picture.caption)}">'
                f"<figcaption>{e(picture.caption)}</figcaption></figure>"
            )
        tags = " ".join(f'<a href="/tags/{t.slug}">#{e(t.name)}</a>' for t in article.tags)
        main = f"""<main>
<article>
<h1>{e(article.title)}</h1>
<p class="byline">by {e(author)} &middot; filed under {e(article.section.name)}</p>
{paragraphs(article)}
{figure}
<footer><p class="tags">{tags}</p></footer>
</article>
<aside class="newsletter"><h2>Get new posts by email</h2>
<p>One short email whenever a new post goes up. No tracking, unsubscribe at any time.</p>
<form action="/subscribe" method="post"><input type="email" name="email"><button>Subscribe</button></form>
</aside>
</main>"""  # noqa: E501
        return _page(base, article.title, main, json_ld(data), url)


def _page(base: str, title: str, main: str, head: str = "", url: str | None = None) -> str:
    canonical = f'<link rel="canonical" href="{url}">' if url else ""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} | {SITE}</title>
{canonical}
<link rel="alternate" type="application/atom+xml" title="{SITE}" href="/atom.xml">
<link rel="stylesheet" href="/style.css">
{head}
</head>
<body>
<header class="masthead"><a class="logo" href="/">{SITE}</a>
<nav><a href="/">Home</a> <a href="/archive/">Archive</a> <a href="/about">About</a> <a href="/atom.xml">Feed</a></nav>
</header>
{main}
<footer class="site-footer"><p>&copy; 2026 {OWNER}. Written by hand, served as static files.</p></footer>
</body>
</html>
"""  # noqa: E501
