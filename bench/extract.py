"""Our extractor against trafilatura on the same pages: speed and completeness.

Usage: python bench/extract.py [--pages N]    (needs `pip install -e '.[bench]'`)

The pages are the golden article pages (synthetic layouts, the seed article, adversarial
cases), repeated to N. Speed: ms per page on one core. Completeness: token recall of each
tool's body text against the page's golden `body_text`, and against the text the simulator
put into the page; leakage: the share of a tool's tokens that are in neither (boilerplate).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trafilatura

from crawler.exceptions import ExtractionFailed
from crawler.extract import extract_article
from tests.golden.cases import case, sim_article, truths

WORD = re.compile(r"\w+")
TEXT_KINDS = ("lead", "p", "quote")


def tokens(text: str) -> Counter[str]:
    return Counter(WORD.findall(text.lower().replace("ё", "е")))


def recall(found: Counter[str], truth: Counter[str]) -> float:
    total = sum(truth.values())
    return sum((found & truth).values()) / total if total else 1.0


def ours(url: str, html: str) -> str:
    try:
        return extract_article(url, html).body_text
    except ExtractionFailed:
        return ""


def theirs(url: str, html: str) -> str:
    return trafilatura.extract(html, url=url, include_tables=True, include_comments=False) or ""


def timed(pages: list[tuple[str, str]]) -> tuple[float, float]:
    """ms/page of ours and of trafilatura, alternating page by page so both see the same noise."""
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
        written = " ".join(
            str(text) for kind, text in sim_article(name).blocks if kind in TEXT_KINDS
        )
        sample.append((name, golden.url, golden.html(), tokens(expected), tokens(written)))
    pages = [(url, html) for _, url, html, _, _ in sample] * (args.pages // len(sample) + 1)
    pages = pages[: args.pages]

    print(f"pages: {len(pages)} ({len(sample)} distinct golden pages, repeated)")
    our_ms, their_ms = timed(pages)
    print(f"ours:        {our_ms:.2f} ms/page")
    print(f"trafilatura: {their_ms:.2f} ms/page")
    print(f"speed ratio (trafilatura / ours): {their_ms / our_ms:.1f}x")

    print(f"\n{'page':44} {'recall ours':>11} {'trafilatura':>11} {'leak ours':>9} {'trafil.':>8}")
    worse = 0
    sums = [0.0, 0.0, 0.0, 0.0]
    for name, url, html, expected, written in sample:
        mine, other = tokens(ours(url, html)), tokens(theirs(url, html))
        truth = expected | written
        row = [
            recall(mine, expected),
            recall(other, expected),
            1 - recall(truth, mine) if mine else 0.0,
            1 - recall(truth, other) if other else 0.0,
        ]
        sums = [total + value for total, value in zip(sums, row, strict=True)]
        worse += row[0] < row[1]
        print(f"{name:44} {row[0]:11.3f} {row[1]:11.3f} {row[2]:9.3f} {row[3]:8.3f}")
    means = [total / len(sample) for total in sums]
    print(
        f"{'mean':44} {means[0]:11.3f} {means[1]:11.3f} {means[2]:9.3f} {means[3]:8.3f}"
        f"\npages where our recall is below trafilatura's: {worse}"
    )


if __name__ == "__main__":
    main()
