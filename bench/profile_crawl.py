"""Where a crawl's time goes: `newsarchive crawl` under cProfile against the nginx-served site.

Usage: python bench/profile_crawl.py [--articles 2000] [--warc] [--top 30]

Prints the run's summary line, then our own functions (crawler/, spiders/, archive/) by
cumulative time, then everything by own time; the rest of the crawl process is Scrapy,
Twisted and asyncio. The profiler roughly doubles every figure.
"""

from __future__ import annotations

import argparse
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

from static_site import serve

NEWSARCHIVE = Path(sys.executable).with_name("newsarchive")
OURS = r"/(crawler|spiders|archive)/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="articles of the site")
    parser.add_argument("--warc", action="store_true", help="with raw capture")
    parser.add_argument("--top", type=int, default=30, help="functions listed per table")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with serve(work / "site", args.articles) as site:
            profile = work / "crawl.prof"
            command = [
                sys.executable, "-m", "cProfile", "-o", str(profile), str(NEWSARCHIVE),
                "crawl", "--full", "--base-url", site.url, "--db", str(work / "archive.db"),
                "--warc-dir" if args.warc else "--no-warc", *([str(work / "warc")] * args.warc),
            ]  # fmt: skip
            subprocess.run(command, check=True)
        stats = pstats.Stats(str(profile))
        stats.sort_stats("cumulative").print_stats(OURS, args.top)
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
