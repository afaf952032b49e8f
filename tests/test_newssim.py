"""The news-site simulator tells the truth: what its sitemaps, feeds and links offer is exactly
its ground truth, its pages show what the ground truth says, and it changes as it says."""

from __future__ import annotations

import gzip
import re
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import feedparser
import pytest
from protego import Protego
from scrapy.utils.sitemap import Sitemap

from crawler.sites import SITES, normalised_url
from tests.newssim import KINDS, NewsSite, RunningNewsSite, start_news_site

# Where each kind's discovery starts, besides the Sitemap lines of its robots.txt.
SITEMAPS = {
    "wordpress": ["/sitemap_index.xml"],
    "canonical": ["/sitemap.xml"],
}
FEEDS = {
    "wordpress": ["/feed/", "/comments/feed/"],
    "atom": ["/atom.xml"],
    "canonical": ["/rss.xml"],
    "ria": ["/export/rss2/archive/index.xml"],
    "kommersant": ["/RSS/news.xml", "/RSS/corp.xml", "/RSS/main.xml"],
}
USUAL = ["/sitemap.xml", "/sitemap_index.xml", "/feed/", "/rss.xml", "/atom.xml", "/feed.xml"]


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, RunningNewsSite]]:
    folder = tmp_path_factory.mktemp("newssim")
    running = {kind: start_news_site(folder, NewsSite(kind)) for kind in KINDS}
    yield running
    for site in running.values():
        site.stop()


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def body_of(url: str) -> bytes:
    status, headers, body = get(url)
    assert status == 200, url
    if headers.get("Content-Type", "").startswith("application/x-gzip"):
        return gzip.decompress(body)
    return body


def robots_sitemaps(running: RunningNewsSite) -> list[str]:
    return list(Protego.parse(body_of(running.url + "/robots.txt").decode()).sitemaps)


def sitemap_tree(url: str) -> dict[str, list[str]]:
    """Every urlset reachable from a sitemap, by its URL, with the locations it lists."""
    sitemap = Sitemap(body_of(url))
    if sitemap.type == "sitemapindex":
        found: dict[str, list[str]] = {}
        for child in sitemap:
            found.update(sitemap_tree(child["loc"]))
        return found
    return {url: [entry["loc"] for entry in sitemap]}


def feed_links(url: str) -> list[str]:
    parsed = feedparser.parse(body_of(url))
    assert not parsed.bozo, (url, parsed.get("bozo_exception"))
    return [entry.link for entry in parsed.entries]


def kept(url: str) -> str:
    """The URL as the archive keeps it (tracking parameters and fragment dropped)."""
    return normalised_url(url)


def starts(running: RunningNewsSite) -> list[str]:
    kind = running.site.kind
    return robots_sitemaps(running) + [running.url + p for p in SITEMAPS.get(kind, [])]


def listed_articles(running: RunningNewsSite) -> set[str]:
    """What the site's sitemaps list that is no page of `non_article_paths`."""
    others = {running.url + path for path in running.site.non_article_paths()}
    locations = {
        kept(loc)
        for start in starts(running)
        for locs in sitemap_tree(start).values()
        for loc in locs
    }
    return locations - {kept(url) for url in others}


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def links_of(url: str) -> list[str]:
    parser = Links()
    parser.feed(body_of(url).decode())
    return [urljoin(url, href) for href in parser.hrefs]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_sitemaps_and_feeds_list_exactly_the_articles(
    sites: dict[str, RunningNewsSite], kind: str
) -> None:
    running = sites[kind]
    expected = [article.url for article in running.site.expected_articles()]
    assert len(expected) == len(set(expected)) == 24
    if starts(running):
        assert listed_articles(running) == set(expected)
    for path in FEEDS.get(kind, []):
        links = {kept(link) for link in feed_links(running.url + path)}
        assert links and links <= set(expected), path
    if kind not in SITEMAPS and not robots_sitemaps(running):
        for path in USUAL if kind != "atom" else USUAL[:2]:
            assert get(running.url + path)[0] == 404, path


def test_every_listed_url_answers_but_the_forbidden_one(sites: dict[str, RunningNewsSite]) -> None:
    for running in sites.values():
        robots = Protego.parse(body_of(running.url + "/robots.txt").decode())
        for start in starts(running):
            for urlset, locs in sitemap_tree(start).items():
                assert get(urlset)[0] == 200
                for loc in locs:
                    allowed = robots.can_fetch(loc, "newsarchive")
                    assert allowed != (urlsplit(loc).path in running.site.forbidden_paths()), loc
                    assert get(loc)[0] == 200, loc
        for path in running.site.non_article_paths():
            assert get(running.url + path)[0] == 200, path


def test_the_forbidden_page_is_in_a_sitemap_and_exists(sites: dict[str, RunningNewsSite]) -> None:
    running = sites["robots"]
    members = f"{running.url}/private/members-only/"
    assert any(members in locs for locs in sitemap_tree(robots_sitemaps(running)[0]).values())
    robots = body_of(running.url + "/robots.txt").decode()
    assert "Crawl-delay: 1\n" in robots and "Disallow: /private/\n" in robots
    assert not Protego.parse(robots).can_fetch(members, "newsarchive")


def test_a_link_walk_of_three_steps_finds_every_article(sites: dict[str, RunningNewsSite]) -> None:
    running = sites["links"]
    expected = {article.url for article in running.site.expected_articles()}
    others = {running.url + path for path in running.site.non_article_paths()}
    seen, frontier, raw = {running.url + "/"}, [running.url + "/"], set()
    for _ in range(3):
        found = {
            link
            for page in frontier
            for link in links_of(page)
            if urlsplit(link).netloc == urlsplit(running.url).netloc
        }
        raw |= found
        frontier = [url for url in {kept(u) for u in found} - seen if url not in expected]
        seen |= {kept(url) for url in found}
    assert expected <= seen
    assert {url for url in seen if url not in expected} <= {kept(url) for url in others}
    assert any("utm_source=home" in url for url in raw)
    assert any(url.endswith("#comments") for url in raw)
    evidence = Counter(
        ("og" if 'content="article"' in page else "")
        + ("ld" if "NewsArticle" in page else "")
        + ("time" if "<time class=" in page else "")
        for page in (body_of(url).decode() for url in expected)
    )
    assert evidence == {"og": 8, "ld": 8, "time": 8}


def test_the_newest_posts_sitemap_is_gzipped(sites: dict[str, RunningNewsSite]) -> None:
    running = sites["wordpress"]
    status, headers, body = get(running.url + "/post-sitemap2.xml.gz")
    assert status == 200 and headers["Content-Type"] == "application/x-gzip"
    newest = Sitemap(gzip.decompress(body))
    assert [entry["loc"] for entry in newest][-1] == running.site.expected_articles()[0].url
    news = Sitemap(body_of(running.url + "/news-sitemap.xml"))
    assert 1 <= len(list(news)) < 24


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_pages_show_what_the_ground_truth_says(
    sites: dict[str, RunningNewsSite], kind: str
) -> None:
    running = sites[kind]
    dates = {"with": 0, "without": 0}
    for article in running.site.expected_articles():
        page = body_of(article.url).decode()
        assert article.sentence in page.replace("&#x27;", "'")
        assert re.search(r"<h1[^>]*>" + re.escape(_html(article.title)) + "</h1>", page)
        tells_date = any(
            marker in page for marker in ("datetime=", "datePublished", "published_time")
        )
        assert tells_date == article.page_date, article.url
        if article.page_date:
            assert article.published_at in page
        dates["with" if article.page_date else "without"] += 1
        assert (f'lang="{article.language}' in page) or (f"lang={article.language}" in page)
    assert dates["without"] == (6 if kind == "wordpress" else 0)


def test_canonical_points_elsewhere_and_the_archive_keeps_the_fetched_url(
    sites: dict[str, RunningNewsSite],
) -> None:
    running = sites["canonical"]
    article = running.site.expected_articles()[0]
    page = body_of(article.url).decode()
    path = urlsplit(article.url).path
    assert f'<link rel="canonical" href="https://syndication.example.net{path}">' in page
    listed = sitemap_tree(running.url + "/sitemap.xml")[running.url + "/sitemap.xml"]
    assert any("?utm_source=sitemap" in loc for loc in listed)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_conditional_gets_answer_304(sites: dict[str, RunningNewsSite], kind: str) -> None:
    running = sites[kind]
    targets = [running.site.expected_articles()[3].url]
    targets += [urlset for start in starts(running) for urlset in sitemap_tree(start)][:2]
    targets += [running.url + path for path in FEEDS.get(kind, [])][:1]
    for url in targets:
        status, headers, _ = get(url)
        assert status == 200 and headers["ETag"] and headers["Last-Modified"], url
        assert get(url, {"If-None-Match": headers["ETag"]})[0] == 304, url
        assert get(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304, url
        assert get(url, {"If-None-Match": '"other"'})[0] == 200, url


def test_unknown_paths_answer_404_with_a_page(sites: dict[str, RunningNewsSite]) -> None:
    for running in sites.values():
        status, headers, body = get(running.url + "/no/such/page/")
        assert status == 404 and headers["Content-Type"].startswith("text/html")
        assert b"<h1>Not Found</h1>" in body


def index_lastmods(url: str) -> dict[str, str]:
    return {child["loc"]: child["lastmod"] for child in Sitemap(body_of(url))}


def test_new_articles_move_only_their_sitemaps_lastmods(tmp_path: Path) -> None:
    site = NewsSite("wordpress")
    running = start_news_site(tmp_path, site)
    try:
        index = running.url + "/sitemap_index.xml"
        before = index_lastmods(index)
        added = site.add_articles(3)
        after = index_lastmods(index)
        moved = {urlsplit(loc).path for loc in before if before[loc] != after[loc]}
        assert moved == {"/post-sitemap2.xml.gz", "/news-sitemap.xml", "/category-sitemap.xml"}
        assert listed_articles(running) == {a.url for a in site.expected_articles()}
        newest = {kept(link) for link in feed_links(running.url + "/feed/")}
        assert {running.url + path for path in added} <= newest
        assert site.expected_articles()[0].url == running.url + added[0]
    finally:
        running.stop()


def test_an_edit_moves_the_article_its_sitemap_and_its_feed_entry(tmp_path: Path) -> None:
    site = NewsSite("wordpress")
    running = start_news_site(tmp_path, site)
    try:
        oldest = site.expected_articles()[-1]
        index = running.url + "/sitemap_index.xml"
        before = index_lastmods(index)
        etag = get(oldest.url)[1]["ETag"]
        site.edit(oldest.url)
        after = index_lastmods(index)
        assert {urlsplit(loc).path for loc in before if before[loc] != after[loc]} == {
            "/post-sitemap.xml",
            "/category-sitemap.xml",
        }
        edited = site.expected_articles()[-1]
        assert edited.update and edited.modified_at > oldest.modified_at
        assert get(oldest.url, {"If-None-Match": etag})[0] == 200
        assert _html(edited.update) in body_of(oldest.url).decode()
    finally:
        running.stop()
    atom = NewsSite("atom")
    running = start_news_site(tmp_path, atom)
    try:
        url = atom.expected_articles()[5].url
        atom.edit(url)
        entries = feedparser.parse(body_of(running.url + "/atom.xml")).entries
        entry = next(entry for entry in entries if entry.link == url)
        assert entry.updated != entry.published
        assert entry.updated == atom.expected_articles()[5].modified_at
    finally:
        running.stop()


def test_monthly_sitemaps_gain_the_new_month(tmp_path: Path) -> None:
    for kind, index_path in (("robots", "/maps/sitemap-index.xml"), ("ria", None)):
        site = NewsSite(kind)
        running = start_news_site(tmp_path, site)
        try:
            index = (index_path and running.url + index_path) or robots_sitemaps(running)[0]
            before = index_lastmods(index)
            site.add_articles(2)  # December 2026
            after = index_lastmods(index)
            assert len(after) == len(before) + 1
            assert all(after[loc] == lastmod for loc, lastmod in before.items())
            assert listed_articles(running) == {a.url for a in site.expected_articles()}
        finally:
            running.stop()


def test_forbid_all_closes_any_kind() -> None:
    for kind in KINDS:
        site = NewsSite(kind, articles=2, forbid_all=True)
        assert site.reply("/robots.txt", "h").body == b"User-agent: *\nDisallow: /\n"


def test_the_same_seed_gives_the_same_site_and_another_host_other_urls() -> None:
    one, two, other = NewsSite("ria", 6), NewsSite("ria", 6), NewsSite("ria", 6, seed=2)
    path = one.article_paths()[0]
    assert one.reply(path, "a:1").body == two.reply(path, "a:1").body
    assert other.expected_articles()[0].sentence != one.expected_articles()[0].sentence
    index = one.reply("/sitemap_article_index.xml", "elsewhere:8080").body.decode()
    assert "http://elsewhere:8080/sitemap_article.xml?date_start=" in index


def test_russian_sites_match_their_registry_entries(sites: dict[str, RunningNewsSite]) -> None:
    for kind, sitemap_paths, feed_paths in (
        ("ria", ["/sitemap_article_index.xml", "/sitemap_list_index.xml"], FEEDS["ria"]),
        ("kommersant", ["/sitemaps/all_docs_sitemap.xml", "/sitemaps/sitemap_news.xml"], None),
    ):
        entry, running = SITES[kind], sites[kind]
        assert entry.language == "ru" and entry.time_zone == "Europe/Moscow"
        assert [urlsplit(url).path for url in robots_sitemaps(running)] == sitemap_paths
        assert list(entry.sitemaps) == sitemap_paths
        assert list(entry.feeds) == (feed_paths or FEEDS["kommersant"])
        for article in running.site.expected_articles():
            real = urlunsplit(("https", entry.domains[0], urlsplit(article.url).path, "", ""))
            assert entry.article_key(real) == article.native_id
            assert article.published_at.endswith("+03:00")
        for path in running.site.non_article_paths():
            assert entry.article_key(f"https://{entry.domains[0]}{path}") is None, path
        pub_date = feedparser.parse(body_of(running.url + entry.feeds[0])).entries[0].published
        assert pub_date.endswith("+0300")


def test_the_request_log_has_one_line_per_request(sites: dict[str, RunningNewsSite]) -> None:
    running = sites["atom"]
    request = urllib.request.Request(running.url + "/about?x=1", headers={"User-Agent": "probe"})
    urllib.request.urlopen(request, timeout=5).close()
    host = urlsplit(running.url).netloc
    assert running.requests()[-1] == f"GET /about?x=1 200 {host} probe"
    assert running.paths()[-1] == "/about?x=1"


def test_last_modified_is_the_resource_time(sites: dict[str, RunningNewsSite]) -> None:
    running = sites["kommersant"]
    article = running.site.expected_articles()[0]
    modified = parsedate_to_datetime(get(article.url)[1]["Last-Modified"])
    assert modified.isoformat() == _utc(article.modified_at)


def _utc(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone(UTC).isoformat()


def _html(text: str) -> str:
    return escape(text, quote=True)
