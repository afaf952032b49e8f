"""Crawl overhead, memory, incremental cost and re-extraction speed, side by side with Scrapy.

Usage: python bench/crawl.py [--articles 20000] [--small 2000] [--repeats 2] [--generic 300]

nginx serves the simulator's pages (bench/static_site.py), so the crawler has a core to itself.
Each repeat crawls the same site four ways, one after the other: a bare Scrapy spider that
only fetches (bench/bare_spider.py), the peer a user would build by hand (bench/peer_spider.py:
Scrapy, trafilatura, sqlite-utils; skipped if trafilatura is missing),
`newsarchive crawl --full --no-warc`, and the same with raw capture. Rates are pages over the
time from the first request to the last in nginx's log, best of the repeats; for the same runs,
the CPU (user + sys) of each crawler's process tree over its whole life, from `wait4`, per
article archived (per article page fetched for the bare spider, which archives none). Then: the
peak RSS (the crawl's process and its extraction worker together, sampled from /proc) of a
crawl of `--small` and of `--articles` articles, the pages an incremental run fetches after
each, and `newsarchive reextract` over the large crawl's raw capture on one core.

Last, the generic extraction engine: a simulated WordPress blog of `--generic` articles
(tests.newssim: sitemap index, post, page, category and news sitemaps, feeds, articles, and
pages that are no article), rendered to files and served by nginx the same way, crawled by its
address the same four ways: Scrapy's SitemapSpider reading the post sitemaps, bare and as the
peer, then `newsarchive crawl http://…/ --no-warc` and with raw capture, which find the pages
themselves (sitemaps, feeds). Each archive of ours is checked against the simulator's ground
truth: every article (title, a sentence of its body), no page that is no article.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from static_site import NewsSite, Site, serve, serve_news

if TYPE_CHECKING:
    from tests.newssim import Expected

BENCH = Path(__file__).resolve().parent
NEWSARCHIVE = Path(sys.executable).with_name("newsarchive")
QUIET = ("--setting", "NEWSARCHIVE_PROGRESS_INTERVAL=0")
TARGETS = {"no WARC": 0.75, "with WARC": 0.6}  # ours / bare
PEER_TARGETS = {"with WARC": 5.0}  # ours / the hand-built peer
BARE, PEER = "bare Scrapy", "peer"
LABELS = {
    BARE: "bare Scrapy (baseline)",
    PEER: "peer (trafilatura)",
    "no WARC": "newsarchive, no WARC",
    "with WARC": "newsarchive, with WARC",
}
REEXTRACT_TARGET = 500.0  # pages/s on one core
OURS = {"no WARC": ("--no-warc",), "with WARC": ()}
GENERIC_KIND, GENERIC_SEED = "wordpress", 1
GENERIC_SITEMAP, GENERIC_FOLLOW = "/sitemap_index.xml", "/post-sitemap"  # Yoast's post sitemaps


@dataclass(frozen=True)
class Target:
    """A served site and how each crawler is pointed at it: arguments of bench/bare_spider.py,
    of bench/peer_spider.py (--db aside) and of `newsarchive crawl` (--db and --no-warc aside).
    `articles` is the number of article pages; `article_paths`, where known, their targets."""

    name: str
    site: Site
    articles: int
    bare: tuple[str, ...]
    peer: tuple[str, ...]
    ours: tuple[str, ...]
    prefix: str = ""  # of the archive files in the work directory
    article_paths: frozenset[str] = frozenset()


def listing_target(site: Site, articles: int) -> Target:
    """sdelanounas, walked by its numbered listings."""
    url = ("--base-url", site.url)
    return Target(
        "sdelanounas", site, articles, (*url, "--articles", str(articles)), url, (*url, "--full")
    )


def generic_target(site: Site, news: NewsSite) -> Target:
    """A site read by its address: Scrapy's SitemapSpider on its post sitemaps for the bare
    spider and the peer, the address alone for ours."""
    sitemap = ("--sitemap", site.url + GENERIC_SITEMAP, "--follow", GENERIC_FOLLOW)
    paths = frozenset(news.article_paths())
    name = f"generic ({news.kind} simulator, seed {news.seed})"
    return Target(name, site, len(paths), sitemap, sitemap, (f"{site.url}/",), "generic-", paths)


@dataclass(frozen=True)
class Run:
    """One crawler process: what it fetched, how fast the server saw it go, its peak RSS, the
    CPU of its process tree and the articles it archived."""

    targets: frozenset[str]
    pages: int
    seconds: float
    peak_rss_mb: float
    cpu_seconds: float
    articles: int
    output: str

    @property
    def rate(self) -> float:
        return self.pages / self.seconds


class TreePeak:
    """The highest sum of resident memory of a process and its children (the extraction
    worker), sampled every 50 ms from /proc while it runs."""

    def __init__(self, pid: int) -> None:
        self.pid, self.mb = pid, 0.0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.done.set()
        self.thread.join()

    def _sample(self) -> None:
        while not self.done.wait(0.05):
            pids = [self.pid, *children(self.pid)]
            self.mb = max(self.mb, sum(map(rss_mb, pids)))


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else 0.0


def run(site: Site, command: list[str], db: Path | None = None, one_core: bool = False) -> Run:
    """Run a crawler to its end; its requests are those nginx logged meanwhile, its CPU that of
    itself and the children it waited for (`wait4`), its articles the rows of `db`'s table."""
    before = len(site.requests())
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=(lambda: os.sched_setaffinity(0, {0})) if one_core else None,
    )
    assert process.stdout is not None
    peak = TreePeak(process.pid)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    peak.stop()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command[:2])} failed:\n{output}")
    requests = site.requests()[before:]
    seconds = requests[-1][0] - requests[0][0] if len(requests) > 1 else 0.0
    return Run(
        targets=frozenset(target for _, _, target in requests),
        pages=len(requests),
        seconds=max(seconds, 0.001),
        peak_rss_mb=peak.mb,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        articles=archived(db) if db else 0,
        output=output,
    )


def archived(db: Path) -> int:
    """Rows of the archive's `articles` table (ours and the peer's have one by that name)."""
    with closing(sqlite3.connect(db)) as connection:
        return connection.execute("SELECT count(*) FROM articles").fetchone()[0]


def bare(target: Target) -> Run:
    script = str(BENCH / "bare_spider.py")
    return run(target.site, [sys.executable, script, *target.bare])


def peer(target: Target, db: Path) -> Run:
    script = str(BENCH / "peer_spider.py")
    return run(target.site, [sys.executable, script, *target.peer, "--db", str(db)], db)


def fresh(db: Path) -> Path:
    """An archive path with nothing left at it from an earlier run."""
    for leftover in db.parent.glob(f"{db.name}*"):
        leftover.unlink()
    shutil.rmtree(db.with_name(f"{db.stem}-warc"), ignore_errors=True)
    return db


def ours(site: Site, db: Path, *options: str) -> Run:
    command = [str(NEWSARCHIVE), "crawl", "--base-url", site.url, "--db", str(db), *QUIET]
    return run(site, [*command, *options], db)


def ours_on(target: Target, db: Path, options: tuple[str, ...]) -> Run:
    command = [str(NEWSARCHIVE), "crawl", *target.ours, "--db", str(db), *QUIET, *options]
    return run(target.site, command, db)


def overhead(target: Target, repeats: int, work: Path) -> list[dict[str, Run]]:
    """Bare Scrapy and the peer against ours without and with raw capture, `repeats` times;
    every run."""
    with_peer = find_spec("trafilatura") is not None
    if not with_peer:
        print("peer skipped: trafilatura is not installed (pip install -e '.[bench]')")
    rounds = []
    for repeat in range(repeats):
        crawls = {BARE: bare(target)}
        if with_peer:
            crawls[PEER] = peer(target, fresh(work / f"{target.prefix}peer-{repeat}.db"))
        for name, options in OURS.items():
            db = fresh(work / f"{target.prefix}{archive_name(name)}-{repeat}.db")
            crawls[name] = ours_on(target, db, options)
        rounds.append(crawls)
    best = {name: max((r[name] for r in rounds), key=lambda run: run.rate) for name in rounds[0]}
    for name, result in best.items():
        figures = f"{result.pages} pages in {result.seconds:.1f} s: {result.rate:.0f} pages/s"
        print(f"{LABELS[name]:<25} {figures}")
    for name, goal in TARGETS.items():
        ratio, same = compare(best[name], best[BARE], target.article_paths)
        verdict = met(ratio >= goal)
        print(f"ratio {name} / bare: {ratio:.2f} (target >= {goal}: {verdict}; {same})")
        if with_peer:
            ratio, same = compare(best[name], best[PEER], target.article_paths)
            goal = PEER_TARGETS.get(name)
            verdict = f"target >= {goal}: {met(ratio >= goal)}" if goal else "no target"
            print(f"ratio {name} / peer: {ratio:.2f} ({verdict}; {same})")
    if target.article_paths:  # ours finds the pages itself: which others it asked for
        beyond = {name: " ".join(sorted(best[name].targets - best[BARE].targets)) for name in OURS}
        if len(set(beyond.values())) == 1:
            beyond = {"newsarchive": next(iter(beyond.values()))}
        for name, pages in beyond.items():
            print(f"pages {LABELS.get(name, name)} fetched beyond the bare spider's: {pages}")
    for name, result in best.items():
        per = "article page fetched (archives none)" if name == BARE else "article archived"
        count = target.articles if name == BARE else result.articles
        ms = 1000 * result.cpu_seconds / max(count, 1)
        totals = f"{result.cpu_seconds:.1f} s CPU, {count} articles"
        print(f"CPU {LABELS[name]:<25} {ms:.2f} ms per {per} ({totals})")
    return rounds


def archive_name(name: str) -> str:
    """The file name of ours' archives: `nowarc-N.db`, `warc-N.db`."""
    return "nowarc" if OURS[name] else "warc"


def compare(
    result: Run, baseline: Run, articles: frozenset[str] = frozenset()
) -> tuple[float, str]:
    """The rate of a run over a baseline's, and whether both fetched the same URLs; where the
    article pages are known and only other pages differ, how many of those each fetched."""
    ratio = result.rate / baseline.rate
    if result.targets == baseline.targets:
        return ratio, "same URLs"
    if not articles or result.targets & articles != baseline.targets & articles:
        return ratio, "DIFFERENT URLs"
    here, there = len(result.targets - baseline.targets), len(baseline.targets - result.targets)
    return ratio, f"same article URLs; other pages: {here} only here, {there} only there"


@dataclass(frozen=True)
class Check:
    """One of ours' archives against the simulated site's ground truth."""

    expected: int
    found: int  # expected articles archived with their title, time and a sentence of the body
    missing: int
    wrong: int  # archived, but with another title or time, or without the sentence
    non_articles: int  # rows of pages that are no article
    others: int  # rows of any other URL

    @property
    def ok(self) -> bool:
        return self.found == self.expected and not (self.non_articles or self.others)


def check_archive(news: NewsSite, base: str, db: Path) -> Check:
    """Every expected article once, with its title, its publication time (the same moment: the
    offset may be the sitemap's or the feed's where the page shows no date) and its distinctive
    sentence; no other row, in particular none of the site's pages that are no article."""
    expected = {article.url: article for article in news.expected_articles(base)}
    with closing(sqlite3.connect(db)) as connection:
        query = "SELECT url, title, published_at, body_text FROM articles"
        rows = {url: (title, published, body or "") for url, title, published, body in
                connection.execute(query)}  # fmt: skip
    present = expected.keys() & rows.keys()
    wrong = sum(not same_article(rows[url], expected[url]) for url in present)
    non_article = set(news.non_article_paths())
    extra = rows.keys() - expected.keys()
    non_articles = sum(1 for url in extra if target_of(url) in non_article)
    return Check(
        expected=len(expected),
        found=len(present) - wrong,
        missing=len(expected) - len(present),
        wrong=wrong,
        non_articles=non_articles,
        others=len(extra) - non_articles,
    )


def same_article(row: tuple[str, str | None, str], article: Expected) -> bool:
    title, published, body = row
    if title != article.title or article.sentence not in body or not published:
        return False
    return datetime.fromisoformat(published) == datetime.fromisoformat(article.published_at)


def target_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def generic(work: Path, articles: int, repeats: int) -> bool:
    """The generic site's crawls, figures and archive checks; whether every check passed."""
    print(f"crawl overhead, generic site: a simulated {GENERIC_KIND} blog of {articles} articles "
          f"(tests.newssim, seed {GENERIC_SEED}), best of {repeats}")  # fmt: skip
    served = serve_news(work / f"generic-{articles}", articles, GENERIC_KIND, GENERIC_SEED)
    with served as (site, news):
        print(f"site: {site.url}/ ({len(news.article_paths())} articles, "
              f"{len(news.non_article_paths())} pages that are no article)")  # fmt: skip
        overhead(generic_target(site, news), repeats, work)
        ok = True
        for repeat in range(repeats):
            for name in OURS:
                db = work / f"generic-{archive_name(name)}-{repeat}.db"
                check = check_archive(news, site.url, db)
                ok = ok and check.ok
                print(f"archive check, {LABELS[name]}, repeat {repeat + 1}: {describe(check)}")
    return ok


def describe(check: Check) -> str:
    found = (
        f"{check.found} of {check.expected} expected articles (title, time, a sentence of the body)"
    )
    faults = [
        f"{count} {what}"
        for count, what in (
            (check.missing, "missing"),
            (check.wrong, "with another title, time or body"),
            (check.non_articles, "rows of pages that are no article"),
            (check.others, "rows of other URLs"),
        )
        if count
    ]
    if check.ok:
        return f"{found}, no page that is no article, nothing else: OK"
    return f"{found}; {', '.join(faults)}: FAILED"


def reextract(db: Path) -> float:
    """`newsarchive reextract` on one core; its own pages/s figure."""
    process = subprocess.run(
        [str(NEWSARCHIVE), "reextract", "--db", str(db)],
        capture_output=True,
        text=True,
        check=True,
        preexec_fn=lambda: os.sched_setaffinity(0, {0}),
    )
    line = process.stdout.strip().splitlines()[-1]
    print(f"reextract (one core): {line}")
    return float(re.search(r"\((\d+) pages/s\)", line).group(1))  # type: ignore[union-attr]


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    nginx = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()
    return f"{os.cpu_count()} cores, {memory:.0f} GiB RAM; pages served by {nginx} (one worker)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000, help="articles of the large site")
    parser.add_argument("--small", type=int, default=2_000, help="articles of the small site")
    parser.add_argument("--repeats", type=int, default=2, help="best of this many crawls each")
    parser.add_argument(
        "--generic", type=int, default=300, help="articles of the generic site (0: skip it)"
    )
    parser.add_argument("--work", type=Path, help="keep rendered pages and archives here")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        print(f"crawl overhead, sdelanounas: {args.articles} articles, best of {args.repeats}")
        with serve(work / f"site-{args.articles}", args.articles) as site:
            rounds = overhead(listing_target(site, args.articles), args.repeats, work)
            large_db = work / f"warc-{args.repeats - 1}.db"
            large_incremental = ours(site, large_db)
        with serve(work / f"site-{args.small}", args.small) as site:
            small = ours(site, fresh(work / "small.db"), "--full")
            small_incremental = ours(site, work / "small.db")
        large_rss = max(r["with WARC"].peak_rss_mb for r in rounds)
        print(
            f"peak RSS with WARC: {small.peak_rss_mb:.0f} MB crawling {args.small} articles, "
            f"{large_rss:.0f} MB crawling {args.articles} (target < 300 MB)"
        )
        growth = large_rss / small.peak_rss_mb
        verdict = f"target < 1.20: {met(growth < 1.2)}; under 300 MB: {met(large_rss < 300)}"
        print(f"ratio of peak RSS {args.articles} / {args.small}: {growth:.2f} ({verdict})")
        print(
            f"incremental run after a complete crawl: {small_incremental.pages} pages at "
            f"{args.small} articles, {large_incremental.pages} at {args.articles}"
        )
        print(f"ratio of incremental pages {args.articles} / {args.small} articles: "
              f"{large_incremental.pages / small_incremental.pages:.2f} (target 1.00)")  # fmt: skip
        rate = reextract(large_db)
        print(f"ratio reextract / target {REEXTRACT_TARGET:.0f} pages/s: "
              f"{rate / REEXTRACT_TARGET:.2f} ({met(rate >= REEXTRACT_TARGET)})")  # fmt: skip
        if args.generic > 0 and not generic(work, args.generic, args.repeats):
            raise SystemExit("an archive of the generic site is not what the site holds")


if __name__ == "__main__":
    main()
