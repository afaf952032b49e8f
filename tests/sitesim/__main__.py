"""Run the site simulator: `python -m tests.sitesim --port 8800 --articles 50`."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

from .corpus import Corpus
from .server import SiteSimulator


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a simulated sdelanounas.ru on loopback.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8800, help="port (0 picks a free one)")
    parser.add_argument("--articles", type=int, default=50, help="number of articles")
    parser.add_argument("--per-page", type=int, default=10, help="posts per listing page")
    parser.add_argument("--request-log", type=Path, help="append every request line here")
    parser.add_argument(
        "--forbid-listings", action="store_true", help="robots.txt disallows /blogs/"
    )
    parser.add_argument("--delay", type=float, default=0.0, help="seconds to wait per article")
    parser.add_argument(
        "--broken-every", type=int, default=0, help="serve every N-th article unreadable"
    )
    parser.add_argument("--gone-every", type=int, default=0, help="answer 404 for every N-th")
    parser.add_argument(
        "--layout",
        choices=["classic", "modern", "redesign", "digest", "digest-unsourced"],
        help="serve every article so",
    )
    parser.add_argument(
        "--faults",
        default="",
        help="comma-separated faults of tests.sitesim.faults to serve, or 'all'",
    )
    parser.add_argument(
        "--elsewhere", default="http://127.0.0.2:9", help="the other host faults lead to"
    )
    parser.add_argument(
        "--slow-seconds", type=float, default=2.0, help="how long a slow answer waits"
    )
    args = parser.parse_args()
    faults = "all" if args.faults == "all" else tuple(filter(None, args.faults.split(",")))
    server = SiteSimulator(
        (args.host, args.port),
        Corpus(args.articles, args.layout),
        per_page=args.per_page,
        request_log=args.request_log,
        forbid_listings=args.forbid_listings,
        delay=args.delay,
        broken_every=args.broken_every,
        gone_every=args.gone_every,
        faults=faults,
        elsewhere=args.elsewhere,
        slow_seconds=args.slow_seconds,
    )
    host, port = server.server_address[:2]
    print(f"serving {args.articles} articles on http://{host}:{port}/", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
