"""Crawl the site simulator with the real `newsarchive crawl` and print how fast it went.

Usage: python bench/crawl.py [--articles N]
The simulator runs in this process, the crawler in its own, both on this machine's loopback.
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.sitesim import Corpus, SiteSimulator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000, help="articles the site serves")
    args = parser.parse_args()
    server = SiteSimulator(("127.0.0.1", 0), Corpus(args.articles))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    newsarchive = Path(sys.executable).with_name("newsarchive")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        started = time.perf_counter()
        subprocess.run(
            [str(newsarchive), "crawl", "--base-url", f"http://{host}:{port}", "--db", str(db)],
            check=True,
        )
        seconds = time.perf_counter() - started
        conn = sqlite3.connect(db)
        archived = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        conn.close()
    server.shutdown()
    print(f"articles served:   {args.articles}")
    print(f"articles archived: {archived}")
    print(f"wall time:         {seconds:.1f} s (process start included)")
    print(f"rate:              {archived / seconds:.0f} articles/s")


if __name__ == "__main__":
    main()
