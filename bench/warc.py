"""Raw capture's cost per page: the WARC writer with ISA-L's gzip (what it uses) against zlib's
(what it used), on real pages of many sites.

Usage: python bench/warc.py [--pages 400] [--repeats 3]

Both write the same request and response records of each page of the development set that lies
beside the repository (`../shared/extraction-dev/`) through `archive.warc.WarcWriter`,
alternating, zlib at its default level 6; each file is read back by `warcio`'s own checker.
Prints ms per page and bytes per page of each, best of the repeats, and the `ratio` lines.
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from archive import warc
from archive.warc import Exchange, WarcWriter

PAGES = Path(__file__).resolve().parents[2] / "shared" / "extraction-dev" / "multi" / "html"
WARCIO = Path(sys.executable).with_name("warcio")
ZLIB_LEVEL_6 = SimpleNamespace(
    compressobj=lambda _level, method, wbits: zlib.compressobj(6, method, wbits),
    DEFLATED=zlib.DEFLATED,
    MAX_WBITS=zlib.MAX_WBITS,
)


def exchanges(limit: int) -> list[Exchange]:
    found = []
    for path in sorted(PAGES.glob("*"))[:limit]:
        body = path.read_bytes()
        if path.suffix == ".gz":
            body = gzip.decompress(body)
        found.append(
            Exchange(
                url=f"https://example.com/{path.stem}",
                method="GET",
                request_headers=[("Host", "example.com"), ("User-Agent", "bench")],
                protocol="HTTP/1.1",
                status=200,
                reason="OK",
                response_headers=[("Content-Type", "text/html; charset=utf-8")],
                body=body,
                fetched_at=datetime.now(UTC),
            )
        )
    return found


def write_all(pages: list[Exchange], directory: Path, prefix: str) -> tuple[float, int]:
    """Seconds to write every page, and the bytes written."""
    writer = WarcWriter(directory, prefix, "bench", None, 1 << 40)
    started = time.perf_counter()
    for exchange in pages:
        writer.write(exchange)
    writer.close()
    seconds = time.perf_counter() - started
    files = sorted(directory.glob(f"{prefix}-*.warc.gz"))
    subprocess.run([str(WARCIO), "check", *map(str, files)], check=True)
    return seconds, sum(path.stat().st_size for path in files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    if not PAGES.is_dir():
        sys.exit(f"no development set at {PAGES}")
    pages = exchanges(options.pages)
    ours = warc.isal_zlib
    best: dict[str, tuple[float, int]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for repeat in range(options.repeats):
            for name, module in (("isal", ours), ("zlib", ZLIB_LEVEL_6)):
                warc.isal_zlib = module
                result = write_all(pages, Path(folder), f"{name}{repeat}")
                if name not in best or result[0] < best[name][0]:
                    best[name] = result
        warc.isal_zlib = ours
    for name, (seconds, size) in best.items():
        print(
            f"{name}: {seconds * 1000 / len(pages):.2f} ms/page, "
            f"{size / len(pages):,.0f} bytes/page ({len(pages)} pages)"
        )
    print(f"ratio speed zlib/isal: {best['zlib'][0] / best['isal'][0]:.2f}")
    print(f"ratio size isal/zlib: {best['isal'][1] / best['zlib'][1]:.3f}")


if __name__ == "__main__":
    main()
