"""A WordPress blog with Yoast SEO: its sitemap index, feeds, archives and post markup.

robots.txt names no sitemap; `/sitemap_index.xml` (Yoast's) does: post sitemaps oldest first,
the later ones gzipped, the page and category sitemaps (no articles there) and a Google News
sitemap of the last two days. Every fourth post hides its date on its own page (the theme
prints none and Yoast's graph carries none): only the sitemaps and the feed tell it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from . import feeds, sitemaps
from .corpus import Article, Term
from .kinds import Kind, Query, page_of, pages_of
from .markup import e, json_ld, long_date, pager, paragraphs
from .replies import Reply, html, xml

SITE = "Midland Works Journal"
TAGLINE = "News from the factories and plants of the American heartland"
HOME_PER_PAGE = 10
ARCHIVE_PER_PAGE = 5
NEWS_WINDOW = timedelta(days=2)
PAGES_UPDATED = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
COMMENTERS = ("Gary Whitfield", "Linda Moss", "Tom Alvarez", "Beth Kowalski")
ABOUT = (
    "Midland Works Journal has reported on the factories and plants of the Midwest since 2009.",
    "Our four reporters visit a factory floor somewhere in the region almost every week.",
    "We are funded by our readers and take no money from the companies we cover.",
)
CONTACT = (
    "Send news tips to the newsroom at tips@midlandworks.example.",
    "For corrections, write to the editor; we answer every letter within two working days.",
)
ARCHIVE = re.compile(r"/(category|tag|author)/([a-z0-9-]+)/(?:page/(\d+)/)?")
HOME = re.compile(r"/(?:page/(\d+)/)?")
POST_SITEMAP = re.compile(r"/post-sitemap(\d*)\.xml(\.gz)?")


class WordPress(Kind):
    name = "wordpress"
    sections = (
        Term("Business", "business"),
        Term("Industry", "industry"),
        Term("Technology", "technology"),
        Term("Energy", "energy"),
    )

    def article_path(self, article: Article) -> str:
        return f"/{article.published:%Y/%m/%d}/{article.slug}/"

    def shows_date(self, article: Article) -> bool:
        return article.number % 4 != 0

    def image_path(self, article: Article) -> str | None:
        if not article.picture:
            return None
        return f"/wp-content/uploads/{article.published:%Y/%m}/{article.picture.path}"

    def route(self, path: str, query: Query, base: str) -> Reply | None:
        if path == "/" and "s" in query:
            found = [a for a in self.articles if query["s"][0].lower() in a.title.lower()]
            return html(self._listing(base, f"Search Results for: {query['s'][0]}", found, 1))
        if match := HOME.fullmatch(path):
            page = int(match.group(1) or 1)
            if match.group(1) == "1" or page > pages_of(self.articles, HOME_PER_PAGE):
                return None
            return html(self._home(base, page), self.newest_update())
        if match := ARCHIVE.fullmatch(path):
            return self._archive(base, match.group(1), match.group(2), match.group(3))
        if path in ("/about/", "/contact/"):
            return html(self._static(base, path))
        if path == "/feed/":
            return xml(self._feed(base), self.newest_update(), "application/rss+xml")
        if path == "/comments/feed/":
            return xml(self._comments_feed(base), self.newest_update(), "application/rss+xml")
        return self._sitemap(path, base)

    def non_article_paths(self) -> list[str]:
        paths = ["/", "/about/", "/contact/", "/?s=plant"]
        paths += [f"/page/{n}/" for n in range(2, pages_of(self.articles, HOME_PER_PAGE) + 1)]
        for kind, terms in self._archives().items():
            for term in terms:
                count = pages_of(self._archive_items(kind, term), ARCHIVE_PER_PAGE)
                paths.append(f"/{kind}/{term.slug}/")
                paths += [f"/{kind}/{term.slug}/page/{n}/" for n in range(2, count + 1)]
        return paths

    # -- sitemaps -----------------------------------------------------------------------------

    def _chunks(self) -> list[list[Article]]:
        """Posts oldest first, cut into sitemaps of a size fixed when the site was built."""
        size = max(2, math.ceil(self.site.initial * 2 / 3))
        oldest = sorted(self.articles, key=lambda article: article.number)
        return [oldest[start : start + size] for start in range(0, len(oldest), size)]

    @staticmethod
    def _chunk_name(index: int) -> str:
        return "/post-sitemap.xml" if index == 1 else f"/post-sitemap{index}.xml.gz"

    def _post_entries(self, chunk: list[Article], base: str) -> list[sitemaps.Entry]:
        return [
            sitemaps.Entry(
                base + self.article_path(article),
                article.updated,
                image=base + path if (path := self.image_path(article)) else None,
            )
            for article in chunk
        ]

    def _children(self, base: str) -> list[tuple[str, list[sitemaps.Entry]]]:
        children = [
            (self._chunk_name(n), self._post_entries(chunk, base))
            for n, chunk in enumerate(self._chunks(), start=1)
        ]
        children.append(("/page-sitemap.xml", self._page_entries(base)))
        children.append(("/category-sitemap.xml", self._category_entries(base)))
        children.append(("/news-sitemap.xml", self._news_entries(base)))
        return children

    def _page_entries(self, base: str) -> list[sitemaps.Entry]:
        return [sitemaps.Entry(base + path, PAGES_UPDATED) for path in ("/about/", "/contact/")]

    def _category_entries(self, base: str) -> list[sitemaps.Entry]:
        return [
            sitemaps.Entry(
                f"{base}/category/{section.slug}/",
                max(article.updated for article in self.in_section(section)),
            )
            for section in self.used_sections()
        ]

    def _news_entries(self, base: str) -> list[sitemaps.Entry]:
        if not self.articles:
            return []
        since = self.articles[0].published - NEWS_WINDOW
        return [
            sitemaps.Entry(
                base + self.article_path(article),
                article.updated,
                sitemaps.News(SITE, "en", article.published.isoformat(), article.title),
            )
            for article in self.articles
            if article.published >= since
        ]

    def _sitemap(self, path: str, base: str) -> Reply | None:
        children = self._children(base)
        if path == "/sitemap_index.xml":
            index = [sitemaps.Entry(base + name, sitemaps.newest(e)) for name, e in children]
            text = sitemaps.sitemap_index(index, _yoast)
            return xml(text, sitemaps.newest(index), "text/xml")
        for name, entries in children:
            if path == name:
                text = sitemaps.urlset(entries, _yoast)
                if name.endswith(".gz"):
                    body = sitemaps.gzipped(text)
                    return Reply(200, body, "application/x-gzip", sitemaps.newest(entries))
                return xml(text, sitemaps.newest(entries), "text/xml")
        return None

    # -- feeds --------------------------------------------------------------------------------

    def _feed(self, base: str) -> str:
        channel = feeds.Channel(
            SITE,
            base,
            TAGLINE,
            "en-US",
            f"{base}/feed/",
            self.newest_update(),
            (
                ("content", "http://purl.org/rss/1.0/modules/content/"),
                ("dc", "http://purl.org/dc/elements/1.1/"),
                ("sy", "http://purl.org/rss/1.0/modules/syndication/"),
                ("slash", "http://purl.org/rss/1.0/modules/slash/"),
            ),
            "<sy:updatePeriod>hourly</sy:updatePeriod>\n<sy:updateFrequency>1</sy:updateFrequency>\n"
            "<generator>https://wordpress.org/?v=6.6.2</generator>\n",
        )
        items = [
            feeds.Item(
                article.title,
                f"{base}{self.article_path(article)}?utm_source=rss&utm_medium=rss",
                article.published.astimezone(UTC),
                f"{base}/?p={_post_id(article)}",
                guid_is_link=False,
                description=f"{article.excerpt} [&#8230;]",
                categories=(article.section.name, *(tag.name for tag in article.tags)),
                extra=(
                    f"<dc:creator>{feeds.cdata(self.byline(article) or '')}</dc:creator>\n"
                    f"<comments>{base}{self.article_path(article)}#respond</comments>\n"
                    f"<content:encoded>{feeds.cdata(paragraphs(article))}</content:encoded>\n"
                    f"<slash:comments>{len(_comments(article))}</slash:comments>"
                ),
            )
            for article in self.articles[:10]
        ]
        return feeds.rss(channel, items)

    def _comments_feed(self, base: str) -> str:
        channel = feeds.Channel(
            f"Comments for {SITE}",
            base,
            TAGLINE,
            "en-US",
            f"{base}/comments/feed/",
            self.newest_update(),
            (("dc", "http://purl.org/dc/elements/1.1/"),),
        )
        items = [
            feeds.Item(
                f"Comment on {article.title} by {who}",
                f"{base}{self.article_path(article)}#comment-{cid}",
                when.astimezone(UTC),
                f"{base}/?p={_post_id(article)}#comment-{cid}",
                guid_is_link=False,
                description=said,
                extra=f"<dc:creator>{feeds.cdata(who)}</dc:creator>",
            )
            for article in self.articles
            for cid, who, when, said in _comments(article)
        ]
        return feeds.rss(channel, items[:10])

    # -- pages --------------------------------------------------------------------------------

    def article_page(self, article: Article, base: str) -> str:
        url = base + self.article_path(article)
        dated = self.shows_date(article)
        meta = ""
        if dated:
            meta = (
                f'<meta property="article:published_time" content="{article.published.isoformat()}">\n'  # noqa: E501
                f'<meta property="article:modified_time" content="{article.updated.isoformat()}">\n'
            )
        byline = f'<meta name="author" content="{e(self.byline(article) or "")}">\n'
        extra = meta + byline + _graph(article, url, dated)
        head = _head(base, article.title, url, "article", article.excerpt, extra)
        posted = ""
        if dated:
            posted = (
                f'<span class="posted-on">Posted on <a href="{url}" rel="bookmark">'
                f'<time class="entry-date published" datetime="{article.published.isoformat()}">'
                f"{long_date(article.published)}</time>"
                f'<time class="updated" datetime="{article.updated.isoformat()}">'
                f"{long_date(article.updated)}</time></a></span>"
            )
        author = article.author or Term("", "")
        figure = ""
        if (picture := article.picture) and (image := self.image_path(article)):
            figure = (
                f'<figure class="wp-block-image size-large"><img decoding="async" width="1024" '
                f'height="683" src="{base}{image}" alt="" class="wp-image-{_post_id(article) + 1}">'
                f'<figcaption class="wp-element-caption">{e(picture.caption)} '
                f"Photo: {e(picture.credit)}</figcaption></figure>"
            )
        tags = ", ".join(
            f'<a href="{base}/tag/{tag.slug}/" rel="tag">{e(tag.name)}</a>' for tag in article.tags
        )
        body = f"""<article id="post-{_post_id(article)}" class="post-{_post_id(article)} post type-post status-publish format-standard hentry category-{article.section.slug}">
<header class="entry-header">
<h1 class="entry-title">{e(article.title)}</h1>
<div class="entry-meta">{posted}<span class="byline"> by <span class="author vcard"><a class="url fn n" href="{base}/author/{author.slug}/">{e(author.name)}</a></span></span></div>
</header>
<div class="entry-content">
{paragraphs(article)}
{figure}
<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block sd-social"><h3 class="sd-title">Share this:</h3>
<ul><li class="share-twitter"><a rel="nofollow noopener noreferrer" class="share-twitter sd-button" href="{url}?share=twitter" target="_blank">Share on X</a></li>
<li class="share-facebook"><a rel="nofollow noopener noreferrer" class="share-facebook sd-button" href="{url}?share=facebook" target="_blank">Share on Facebook</a></li>
<li class="share-email"><a rel="nofollow noopener noreferrer" class="share-email sd-button" href="mailto:?subject={e(article.title)}">Email</a></li></ul></div></div>
</div>
<footer class="entry-footer"><span class="cat-links">Posted in <a href="{base}/category/{article.section.slug}/" rel="category tag">{e(article.section.name)}</a></span> <span class="tags-links">Tagged {tags}</span></footer>
</article>
{self._post_navigation(article, base)}
{_comments_area(article, url)}"""  # noqa: E501
        return _page(head, base, body, self._sidebar(base, article), "single single-post")

    def _post_navigation(self, article: Article, base: str) -> str:
        older = [a for a in self.articles if a.number < article.number][:1]
        newer = [a for a in reversed(self.articles) if a.number > article.number][:1]
        links = "".join(
            f'<div class="nav-{where}"><a href="{base}{self.article_path(a)}" rel="{rel}">'
            f'<span class="meta-nav">{label}</span> <span class="post-title">{e(a.title)}</span></a></div>'  # noqa: E501
            for where, rel, label, group in (
                ("previous", "prev", "Previous Post", older),
                ("next", "next", "Next Post", newer),
            )
            for a in group
        )
        return f'<nav class="navigation post-navigation" aria-label="Posts"><h2 class="screen-reader-text">Post navigation</h2><div class="nav-links">{links}</div></nav>'  # noqa: E501

    def _sidebar(self, base: str, current: Article | None = None) -> str:
        recent = [a for a in self.articles if a is not current][:5]
        posts = "".join(
            f'<li><a href="{base}{self.article_path(a)}">{e(a.title)}</a></li>' for a in recent
        )
        categories = "".join(
            f'<li class="cat-item"><a href="{base}/category/{s.slug}/">{e(s.name)}</a> ({len(self.in_section(s))})</li>'  # noqa: E501
            for s in self.used_sections()
        )
        return f"""<aside id="secondary" class="widget-area">
<section id="search-2" class="widget widget_search"><form role="search" method="get" class="search-form" action="{base}/"><label><span class="screen-reader-text">Search for:</span><input type="search" class="search-field" placeholder="Search &hellip;" value="" name="s"></label><input type="submit" class="search-submit" value="Search"></form></section>
<section id="recent-posts-2" class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2><ul>{posts}</ul></section>
<section id="categories-2" class="widget widget_categories"><h2 class="widget-title">Categories</h2><ul>{categories}</ul></section>
<section id="text-3" class="widget widget_text"><h2 class="widget-title">Newsletter</h2><div class="textwidget"><p>Get the week&#8217;s factory news every Friday. We never share your address.</p></div></section>
</aside>"""  # noqa: E501

    def _home(self, base: str, page: int) -> str:
        def url_of(n: int) -> str:
            return f"{base}/" if n == 1 else f"{base}/page/{n}/"

        return self._listing(base, "", self.articles, page, url_of, HOME_PER_PAGE)

    def _archives(self) -> dict[str, list[Term]]:
        return {
            "category": self.used_sections(),
            "tag": self.used_tags(),
            "author": self.used_authors(),
        }

    def _archive_items(self, kind: str, term: Term) -> list[Article]:
        if kind == "category":
            return self.in_section(term)
        return self.tagged(term) if kind == "tag" else self.by_author(term)

    def _archive(self, base: str, kind: str, slug: str, page_text: str | None) -> Reply | None:
        term = next((t for t in self._archives()[kind] if t.slug == slug), None)
        if term is None or page_text == "1":
            return None
        items = self._archive_items(kind, term)
        page = int(page_text or 1)
        if page > pages_of(items, ARCHIVE_PER_PAGE):
            return None
        label = {"category": "Category", "tag": "Tag", "author": "Author"}[kind]
        first = f"{base}/{kind}/{slug}/"

        def url_of(n: int) -> str:
            return first if n == 1 else f"{first}page/{n}/"

        text = self._listing(base, f"{label}: {term.name}", items, page, url_of)
        return html(text, items[0].updated)

    def _listing(
        self,
        base: str,
        heading: str,
        items: Sequence[Article],
        page: int,
        url_of: Callable[[int], str] | None = None,
        per_page: int = ARCHIVE_PER_PAGE,
    ) -> str:
        teasers = "\n".join(self._teaser(a, base) for a in page_of(items, page, per_page))
        title = f"{heading} &#8211; {SITE}" if heading else f"{SITE} &#8211; {TAGLINE}"
        header = ""
        if heading:
            header = (
                f'<header class="page-header"><h1 class="page-title">{e(heading)}</h1></header>'
            )
        links = pager(page, pages_of(items, per_page), url_of) if url_of else ""
        head = _head(base, title, None, "website", TAGLINE, "", raw_title=True)
        return _page(head, base, f"{header}\n{teasers}\n{links}", self._sidebar(base), "archive")

    def _teaser(self, article: Article, base: str) -> str:
        url = base + self.article_path(article)
        posted = ""
        if self.shows_date(article):
            posted = f'<span class="posted-on"><time class="entry-date published" datetime="{article.published.isoformat()}">{long_date(article.published)}</time></span>'  # noqa: E501
        return f"""<article id="post-{_post_id(article)}" class="post-{_post_id(article)} post type-post status-publish hentry">
<header class="entry-header"><h2 class="entry-title"><a href="{url}" rel="bookmark">{e(article.title)}</a></h2><div class="entry-meta">{posted}</div></header>
<div class="entry-summary"><p>{e(article.excerpt)} <a class="more-link" href="{url}">Continue reading<span class="screen-reader-text"> &#8220;{e(article.title)}&#8221;</span></a></p></div>
</article>"""  # noqa: E501

    def _static(self, base: str, path: str) -> str:
        title, lines = ("About", ABOUT) if path == "/about/" else ("Contact", CONTACT)
        text = "\n".join(f"<p>{e(line)}</p>" for line in lines)
        head = _head(base, title, base + path, "website", lines[0], "")
        body = f"""<article id="post-2" class="post-2 page type-page status-publish hentry">
<header class="entry-header"><h1 class="entry-title">{title}</h1></header>
<div class="entry-content">{text}</div></article>"""
        return _page(head, base, body, self._sidebar(base), "page-template-default page")


def _post_id(article: Article) -> int:
    return 1000 + article.number * 3


def _yoast(moment: datetime) -> str:
    """Yoast writes its lastmods in UTC."""
    return moment.astimezone(UTC).isoformat()


def _comments(article: Article) -> list[tuple[int, str, datetime, str]]:
    """(id, author, when, text) of the article's comments: posts 2, 6, 10 … have two."""
    if article.number % 4 != 2:
        return []
    return [
        (
            article.number * 10 + k,
            COMMENTERS[(article.number + k) % len(COMMENTERS)],
            article.published + timedelta(hours=3 * k),
            "My brother worked at the old plant for twenty years. Good to see new jobs here.",
        )
        for k in (1, 2)
    ]


def _comments_area(article: Article, url: str) -> str:
    comments = _comments(article)
    listed = ""
    if comments:
        items = "".join(
            f'<li id="comment-{cid}" class="comment even thread-even depth-1"><article id="div-comment-{cid}" class="comment-body">'  # noqa: E501
            f'<footer class="comment-meta"><div class="comment-author vcard"><b class="fn">{e(who)}</b> <span class="says">says:</span></div>'  # noqa: E501
            f'<div class="comment-metadata"><a href="{url}#comment-{cid}"><time datetime="{when.isoformat()}">{long_date(when)} at {when:%I:%M %p}</time></a></div></footer>'  # noqa: E501
            f'<div class="comment-content"><p>{e(said)}</p></div></article></li>'
            for cid, who, when, said in comments
        )
        listed = f'<h2 class="comments-title">{len(comments)} thoughts on &ldquo;{e(article.title)}&rdquo;</h2><ol class="comment-list">{items}</ol>'  # noqa: E501
    return f"""<div id="comments" class="comments-area">{listed}
<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form"><p class="comment-notes"><span id="email-notes">Your email address will not be published.</span> Required fields are marked <span class="required">*</span></p>
<p class="comment-form-comment"><label for="comment">Comment <span class="required">*</span></label><textarea id="comment" name="comment" cols="45" rows="8" maxlength="65525" required></textarea></p>
<p class="comment-form-author"><label for="author">Name <span class="required">*</span></label><input id="author" name="author" type="text" size="30" required></p>
<p class="comment-form-email"><label for="email">Email <span class="required">*</span></label><input id="email" name="email" type="email" size="30" required></p>
<p class="comment-form-cookies-consent"><input id="wp-comment-cookies-consent" name="wp-comment-cookies-consent" type="checkbox" value="yes"><label for="wp-comment-cookies-consent">Save my name, email, and website in this browser for the next time I comment.</label></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment"></p></form></div>
</div>"""  # noqa: E501


def _graph(article: Article, url: str, dated: bool) -> str:
    """Yoast's JSON-LD graph; without dates for a post whose theme hides them."""
    author = article.author.name if article.author else ""
    post: dict[str, object] = {
        "@type": "Article",
        "@id": f"{url}#article",
        "headline": article.title,
        "author": {"@type": "Person", "name": author},
        "mainEntityOfPage": {"@id": url},
        "articleSection": [article.section.name],
        "keywords": [tag.name for tag in article.tags],
        "inLanguage": "en-US",
    }
    page: dict[str, object] = {"@type": "WebPage", "@id": url, "url": url, "name": article.title}
    if dated:
        for node in (post, page):
            node["datePublished"] = article.published.isoformat()
            node["dateModified"] = article.updated.isoformat()
    return json_ld({"@context": "https://schema.org", "@graph": [post, page]})


def _head(
    base: str,
    title: str,
    url: str | None,
    og_type: str,
    description: str,
    extra: str,
    raw_title: bool = False,
) -> str:
    shown = title if raw_title else f"{e(title)} &#8211; {SITE}"
    canonical = (
        f'<link rel="canonical" href="{url}">\n<meta property="og:url" content="{url}">\n'
        if url
        else ""
    )
    return f"""<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{shown}</title>
<meta name="description" content="{e(description)}">
<meta name="robots" content="index, follow, max-image-preview:large, max-snippet:-1, max-video-preview:-1">
{canonical}<meta property="og:locale" content="en_US">
<meta property="og:type" content="{og_type}">
<meta property="og:title" content="{e(title) if not raw_title else shown}">
<meta property="og:site_name" content="{SITE}">
{extra}
<link rel="alternate" type="application/rss+xml" title="{SITE} &raquo; Feed" href="{base}/feed/">
<link rel="alternate" type="application/rss+xml" title="Comments Feed" href="{base}/comments/feed/">
<link rel="stylesheet" id="wp-block-library-css" href="{base}/wp-includes/css/dist/block-library/style.min.css?ver=6.6.2" media="all">
<script src="{base}/wp-includes/js/jquery/jquery.min.js?ver=3.7.1" id="jquery-core-js"></script>
</head>"""  # noqa: E501


def _page(head: str, base: str, main: str, sidebar: str, body_class: str) -> str:
    menu = "".join(
        f'<li class="menu-item"><a href="{base}{path}">{label}</a></li>'
        for path, label in (
            ("/", "Home"),
            ("/category/business/", "Business"),
            ("/category/industry/", "Industry"),
            ("/about/", "About"),
            ("/contact/", "Contact"),
        )
    )
    return f"""<!DOCTYPE html>
<html lang="en-US">
{head}
<body class="{body_class} wp-embed-responsive">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#primary">Skip to content</a>
<header id="masthead" class="site-header">
<div class="site-branding"><p class="site-title"><a href="{base}/" rel="home">{SITE}</a></p><p class="site-description">{TAGLINE}</p></div>
<nav id="site-navigation" class="main-navigation"><button class="menu-toggle" aria-controls="primary-menu" aria-expanded="false">Menu</button><ul id="primary-menu" class="menu">{menu}</ul></nav>
</header>
<div id="content" class="site-content">
<main id="primary" class="site-main">
{main}
</main>
{sidebar}
</div>
<footer id="colophon" class="site-footer"><div class="site-info">&copy; 2026 {SITE}. All rights reserved. <span class="sep"> | </span> Proudly powered by <a href="https://wordpress.org/">WordPress</a></div></footer>
</div>
<div id="cookie-notice" role="dialog" class="cookie-notice-hidden cookie-revoke-hidden cn-position-bottom" aria-label="Cookie Notice"><div class="cookie-notice-container"><span id="cn-notice-text" class="cn-text-container">We use cookies to ensure that we give you the best experience on our website. If you continue to use this site we will assume that you are happy with it.</span><span id="cn-notice-buttons" class="cn-buttons-container"><a href="#" id="cn-accept-cookie" data-cookie-set="accept" class="cn-set-cookie cn-button">Ok</a></span></div></div>
</body>
</html>
"""  # noqa: E501
