"""Serve a simulated news site: `python -m tests.newssim --kind wordpress --port 8810`."""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import threading
from pathlib import Path

from .server import start_news_site
from .site import KINDS, NewsSite


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a simulated news site on loopback.")
    parser.add_argument("--kind", choices=sorted(KINDS), default="wordpress")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8810, help="port (0 picks a free one)")
    parser.add_argument("--articles", type=int, default=24, help="number of articles")
    parser.add_argument("--seed", type=int, default=1, help="decides every text of the site")
    parser.add_argument("--crawl-delay", type=float, default=1.0, help="robots kind's delay")
    parser.add_argument("--forbid-all", action="store_true", help="robots.txt disallows all")
    parser.add_argument("--log-dir", type=Path, help="where the request log goes")
    args = parser.parse_args()
    site = NewsSite(args.kind, args.articles, args.seed, args.crawl_delay, args.forbid_all)
    log_dir = args.log_dir or Path(tempfile.mkdtemp(prefix="newssim-"))
    running = start_news_site(log_dir, site, args.host, args.port)
    print(f"serving {args.kind} ({args.articles} articles) on {running.url}/", flush=True)
    print(f"request log: {running.request_log}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()


if __name__ == "__main__":
    main()
