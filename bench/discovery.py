"""What a crawl of a site by its address asks: per simulated kind of news site, the requests of
a first run and of a rerun after the site published two articles and edited one, and the pages
judged no article (kept out of the archive).

Usage (from the repository root): python bench/discovery.py [--articles N]
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from tests.newssim import KINDS, NewsSite, start_news_site  # noqa: E402

NEWSARCHIVE = Path(sys.executable).with_name("newsarchive")
REGISTRY_KINDS = ("ria", "kommersant")


def crawl(target: str, db: Path, base_url: str) -> None:
    options = ["--base-url", base_url] if target in REGISTRY_KINDS else []
    done = subprocess.run(
        [str(NEWSARCHIVE), "crawl", target, "--db", str(db), *options],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"{target}: exit {done.returncode}: {done.stderr.strip()}")


def measure(kind: str, articles: int, folder: Path) -> str:
    site = NewsSite(kind=kind, articles=articles, seed=3, crawl_delay=0.0)
    running = start_news_site(folder, site)
    db = folder / f"{kind}.db"
    target = kind if kind in REGISTRY_KINDS else f"{running.url}/"
    try:
        crawl(target, db, running.url)
        first = len(running.paths())
        site.add_articles(2)
        site.edit(site.expected_articles()[-1].url)
        crawl(target, db, running.url)
        rerun = running.paths()[first:]
    finally:
        running.stop()
    conn = sqlite3.connect(db)
    archived = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    kept_out = conn.execute(
        "SELECT count(*) FROM judged_pages WHERE not_article IS NOT NULL"
    ).fetchone()[0]
    conn.close()
    return (
        f"| {kind} | {articles} | {first} | {len(rerun)} ({' '.join(rerun)}) | {archived} "
        f"| {kept_out} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=24)
    arguments = parser.parse_args()
    print("| kind | articles | first run: requests | rerun: requests | archived | kept out |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for kind in KINDS:
            print(measure(kind, arguments.articles, Path(folder)), flush=True)


if __name__ == "__main__":
    main()
