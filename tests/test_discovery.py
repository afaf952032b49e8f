"""Discovery's pure parts: sitemaps, feeds, the judgement of candidate pages, generic sites."""

from __future__ import annotations

import gzip

import pytest
from scrapy.http import Response

from crawler.discovery import read_feed, read_sitemap, sitemap_body
from crawler.exceptions import NotAnArticle
from crawler.extract import extract_page, feed_links, page_links
from crawler.extract._dates import zone
from crawler.extract._kind import listing_by_address
from crawler.sites import generic_site, site_to_crawl

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://news.example/2026/11/30/plant/</loc>
    <news:news><news:publication><news:name>Ex</news:name><news:language>en</news:language>
    </news:publication><news:publication_date>2026-11-30T10:00:00-05:00</news:publication_date>
    <news:title>A plant opens</news:title></news:news></url>
  <url><loc>https://news.example/2026/11/29/mill/</loc><lastmod>2026-11-29</lastmod></url>
</urlset>"""
INDEX = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://news.example/post-sitemap.xml</loc><lastmod>2026-11-30T12:00:00+00:00</lastmod></sitemap>
</sitemapindex>"""
RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Ex</title>
<item><title>Factory</title><link>https://news.example/a/?utm_source=rss</link>
<pubDate>Mon, 30 Nov 2026 10:00:00 +0300</pubDate></item>
<item><title>Mill</title><link>https://news.example/b/</link>
<pubDate>Sun, 29 Nov 2026 09:00:00</pubDate></item></channel></rss>"""
ARTICLE = """<html lang="en"><head><title>{title}</title>{head}</head><body>
<header><nav><a href="/">Home</a> <a href="/news/">News</a></nav></header>
<main><h1>{title}</h1>{date}{body}</main></body></html>"""
PARAGRAPHS = "".join(
    f"<p>The new factory in town number {n} opened its doors this week, and the workers of the"
    f" plant said it will make more turbines than any other in the region.</p>"
    for n in range(4)
)
TEASERS = "".join(
    f'<div class="teaser"><h3><a href="/news/story-{n}.html">A long headline of story {n}'
    f"</a></h3><p>An excerpt of the story number {n}, two sentences long. It ends here.</p>"
    f'<time datetime="2026-11-{10 + n}T10:00:00Z">Nov {10 + n}</time></div>'
    for n in range(6)
)


def test_a_news_sitemap_keeps_its_publication_dates_and_titles() -> None:
    reading = read_sitemap(NEWS_SITEMAP, zone("Europe/Moscow"))
    assert reading is not None and not reading.is_index and reading.news
    first, second = reading.entries
    assert (first.url, first.published_at, first.title) == (
        "https://news.example/2026/11/30/plant/",
        "2026-11-30T18:00:00+03:00",  # the same moment, in the site's time zone
        "A plant opens",
    )
    assert second.published_at is None and second.lastmod == "2026-11-29T00:00:00+03:00"


def test_a_sitemap_index_and_a_gzipped_sitemap_are_read() -> None:
    index = read_sitemap(INDEX, None)
    assert index is not None and index.is_index
    assert index.entries[0].lastmod == "2026-11-30T12:00:00+00:00"
    packed = Response("https://news.example/s.xml.gz", body=gzip.compress(NEWS_SITEMAP))
    assert sitemap_body(packed, 1 << 20) == NEWS_SITEMAP
    assert read_sitemap(b"<html><body>no sitemap</body></html>", None) is None


def test_a_feed_gives_links_and_dates_in_the_site_time_zone_when_it_has_no_offset() -> None:
    entries = read_feed(RSS, "https://news.example/feed/", zone("Europe/Moscow"))
    assert entries is not None
    assert [entry.url for entry in entries] == [
        "https://news.example/a/?utm_source=rss",
        "https://news.example/b/",
    ]
    assert entries[0].published_at == "2026-11-30T10:00:00+03:00"
    assert entries[1].published_at == "2026-11-29T09:00:00+03:00"
    assert read_feed(b"not a feed at all", "https://news.example/", None) is None


@pytest.mark.parametrize(
    ("url", "listing"),
    [
        ("https://news.example/", True),
        ("https://news.example/tag/steel/", True),
        ("https://news.example/author/jane-doe/", True),
        ("https://news.example/news/page/2/", True),
        ("https://news.example/business/?page=2", True),
        ("https://news.example/?s=factory", True),
        ("https://news.example/2026/11/30/plant-opens/", False),
        ("https://news.example/people/plant-opens-123", False),
    ],
)
def test_listing_pages_are_known_by_their_address(url: str, listing: bool) -> None:
    assert (listing_by_address(url) is not None) is listing


def page(head: str = "", date: str = "", body: str = PARAGRAPHS, title: str = "A plant") -> str:
    return ARTICLE.format(title=title, head=head, date=date, body=body)


def test_a_page_found_by_a_link_needs_a_sign_of_an_article() -> None:
    site = generic_site("https://news.example/")
    url = "https://news.example/2026/11/30/plant/"
    with pytest.raises(NotAnArticle, match="no sign of an article"):
        extract_page(url, page(), site, "link")
    dated = page(date='<time datetime="2026-11-30T10:00:00-05:00">30 Nov</time>')
    assert extract_page(url, dated, site, "link").published_at == "2026-11-30T10:00:00-05:00"
    typed = page(head='<meta property="og:type" content="article">')
    assert extract_page(url, typed, site, "link").title == "A plant"
    listed = extract_page(url, page(), site, "sitemap", "2026-11-30T15:00:00+00:00")
    assert listed.published_at == "2026-11-30T15:00:00+00:00"
    assert listed.field_sources["published_at"] == "sitemap"


def test_a_list_of_teasers_or_a_page_that_says_it_is_none_is_no_article() -> None:
    site = generic_site("https://news.example/")
    with pytest.raises(NotAnArticle):
        extract_page("https://news.example/news/", page(body=TEASERS), site, "link")
    profile = page(head='<meta property="og:type" content="profile">')
    with pytest.raises(NotAnArticle, match="says it is a profile"):
        extract_page("https://news.example/staff/jane", profile, site, "sitemap")
    about = page(head='<meta property="og:type" content="website">')
    with pytest.raises(NotAnArticle, match="says it is a website"):
        extract_page("https://news.example/about/", about, site, "sitemap")


def test_a_generic_site_is_named_by_host_and_port_and_keys_articles_by_path() -> None:
    site = site_to_crawl("http://127.0.0.1:8801/")
    assert (site.name, site.base_url) == ("127.0.0.1:8801", "http://127.0.0.1:8801")
    assert site_to_crawl("https://www.news.example/").name == "news.example"
    key = site.article_key("http://127.0.0.1:8801/a/b/?utm_source=x&id=2#top")
    assert key == "/a/b/?id=2"
    assert site_to_crawl("https://sdelanounas.ru/").name == "sdelanounas"


def test_a_page_names_its_feeds_and_links_within_the_site() -> None:
    html = (
        '<html><head><link rel="alternate" type="application/rss+xml" title="Comments"'
        ' href="/comments/feed/"><link rel="alternate" type="application/rss+xml"'
        ' href="/feed/"></head><body><a href="/a/#c">A</a><a href="https://else.example/">'
        '</a><a href="/logo.png">L</a><a href="/b/" rel="nofollow">B</a><a href="/a/">A</a>'
        "</body></html>"
    )
    assert feed_links("https://news.example/", html) == ["https://news.example/feed/"]
    hosts = frozenset({"news.example"})
    assert page_links("https://news.example/", html, hosts) == ["https://news.example/a/"]
