"""Our extractor against trafilatura on the same pages: speed and completeness.

Usage: python bench/extract.py [--pages N]    (needs `pip install -e '.[bench]'`)

The pages are the golden article pages (synthetic layouts, the seed article, adversarial
cases), repeated to N. Speed: ms per page on one core, the two tools alternating page by page
so that both see the same machine. Completeness: token recall of each tool's body text against
the page's golden `body_text`, and against the text the simulator wrote into the page (the
independent truth); leakage: the share of a tool's tokens that the simulator did not write into
the body (boilerplate, captions, credits).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import lxml.html
import trafilatura
from lxml import etree

from crawler.exceptions import ExtractionFailed
from crawler.extract import extract_page
from tests.golden.cases import case, sim_article, truths

WORD = re.compile(r"\w+")
INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


def tokens(text: str) -> Counter[str]:
    normal = unicodedata.normalize("NFC", INVISIBLE.sub("", text)).lower().replace("ё", "е")
    return Counter(WORD.findall(normal))


def recall(found: Counter[str], truth: Counter[str]) -> float:
    total = sum(truth.values())
    return sum((found & truth).values()) / total if total else 1.0


def written_text(blocks: list[tuple[str, object]]) -> str:
    """The text the simulator put into a page's body, whatever the kind of block."""
    parts: list[str] = []
    for kind, payload in blocks:
        if kind in ("lead", "p", "quote"):
            parts.append(str(payload))
        elif kind == "ul":
            parts.extend(payload)  # type: ignore[arg-type]
        elif kind == "table":
            parts.extend(cell for row in payload for cell in row)  # type: ignore[attr-defined]
        elif kind == "raw":
            fragment = lxml.html.fragment_fromstring(str(payload), create_parent="div")
            etree.strip_elements(fragment, "script", "style", with_tail=False)
            parts.append(" ".join(fragment.itertext()))
    return " ".join(parts)


def ours(url: str, html: str) -> str:
    try:
        return extract_page(url, html).body_text
    except ExtractionFailed:
        return ""


def theirs(url: str, html: str) -> str:
    return trafilatura.extract(html, url=url, include_tables=True, include_comments=False) or ""


def timed(pages: list[tuple[str, str]]) -> tuple[float, float]:
    """ms/page of ours and of trafilatura, alternating page by page."""
    spent = {ours: 0.0, theirs: 0.0}
    for url, html in pages:
        for extract in spent:
            started = time.perf_counter()
            extract(url, html)
            spent[extract] += time.perf_counter() - started
    return spent[ours] / len(pages) * 1000, spent[theirs] / len(pages) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3000, help="pages to time each tool on")
    args = parser.parse_args()
    sample = []
    for name in truths():
        golden = case(name)
        expected = json.loads(golden.json_path.read_text(encoding="utf-8"))["body_text"]
        written = written_text(sim_article(name).blocks)
        sample.append((name, golden.url, golden.html(), tokens(expected), tokens(written)))
    pages = [(url, html) for _, url, html, _, _ in sample] * (args.pages // len(sample) + 1)
    pages = pages[: args.pages]

    print(f"pages: {len(pages)} ({len(sample)} distinct golden pages, repeated)")
    our_ms, their_ms = timed(pages)
    print(f"ours:        {our_ms:.2f} ms/page")
    print(f"trafilatura: {their_ms:.2f} ms/page")
    print(f"speed ratio (trafilatura / ours): {their_ms / our_ms:.1f}x")

    header = ("recall/golden", "recall/written", "leakage")
    print(f"\n{'page':40} " + " ".join(f"{title:>17}" for title in header))
    print(f"{'':40} " + " ".join(f"{'ours':>8} {'trafil.':>8}" for _ in header))
    sums = [0.0] * 6
    worse = 0
    for name, url, html, expected, written in sample:
        mine, other = tokens(ours(url, html)), tokens(theirs(url, html))
        row = [
            recall(mine, expected),
            recall(other, expected),
            recall(mine, written),
            recall(other, written),
            1 - recall(written, mine) if mine else 0.0,
            1 - recall(written, other) if other else 0.0,
        ]
        sums = [total + value for total, value in zip(sums, row, strict=True)]
        worse += row[2] < row[3]
        print(f"{name[:40]:40} " + " ".join(f"{value:8.3f}" for value in row))
    print(f"{'mean':40} " + " ".join(f"{total / len(sample):8.3f}" for total in sums))
    print(f"pages where our recall of the written text is below trafilatura's: {worse}")


if __name__ == "__main__":
    main()
