"""Our generic main-text reader against trafilatura on the extraction development set.

Usage (from the repository root; needs `pip install -e '.[bench]'`):

    python bench/extract_dev.py [--limit N] [--dataset PATH] [--reader-only]

The development set (`../shared/extraction-dev/multi` beside the repository) holds real pages
with snippets their main text must and must not contain; its own `evaluate.py` scores both
tools: snippet F1, precision, recall, accuracy ("exact"), and the share of pages whose output
holds no boilerplate snippet. Speed: ms per page (parse included), the two tools alternating
page by page so that both see the same machine. Our side is `extract_page(url, html).body_text`
when the engine provides it, else (or with `--reader-only`) the generic reader alone through
`generic_body_text`, which the evaluator can also call directly:

    PYTHONPATH=. python ../shared/extraction-dev/evaluate.py \
        --extractor bench.extract_dev:generic_body_text --bootstrap 0
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from crawler.extract._body import body_blocks  # noqa: E402
from crawler.extract._boilerplate import Removals, strip_unreadable  # noqa: E402
from crawler.extract._images import take_images  # noqa: E402
from crawler.extract._reader import read_main_text  # noqa: E402
from crawler.extract._text import clean_inline  # noqa: E402
from crawler.extract._tree import Element, parse, text_of  # noqa: E402

# lxml refuses a string that declares its encoding; the engine decodes pages before parsing.
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
DEFAULT_DATASET = REPOSITORY.parent / "shared" / "extraction-dev" / "multi"
Extractor = Callable[[str, str], str]


def first_title(root: Element) -> Element | None:
    """The page's first `h1` that has text: the headline hint the engine gives the reader."""
    return next((h1 for h1 in root.iter("h1") if clean_inline(text_of(h1))), None)


def generic_body_text(html: str, url: str) -> str:
    """The body text of the generic reader alone, as the engine would turn it into text."""
    root = parse(XML_DECLARATION.sub("", html, count=1))
    removals = Removals()
    strip_unreadable(root, removals)
    body = read_main_text(root, first_title(root), removals)
    if body is None:
        return ""
    take_images(body, url)
    return "\n\n".join(body_blocks(body))


def engine_body_text() -> Extractor | None:
    """`extract_page(url, html).body_text` of the extraction engine, if it has one yet."""
    try:
        from crawler.extract import extract_page  # type: ignore[attr-defined]
    except ImportError:
        return None

    def run(html: str, url: str) -> str:
        return extract_page(url, html).body_text or ""

    return run


def trafilatura_text(html: str, url: str) -> str:
    """trafilatura's main text of the page, tables kept, comments left out."""
    import trafilatura

    return trafilatura.extract(html, url=url, include_tables=True, include_comments=False) or ""


def load_evaluator(dataset: Path) -> ModuleType:
    """The dataset's own `evaluate.py` (in the dataset's parent folder), imported as a module."""
    path = dataset.parent / "evaluate.py"
    spec = importlib.util.spec_from_file_location("extraction_dev_evaluate", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"no evaluator at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed(extractor: Extractor, html: str, url: str) -> tuple[str, float]:
    """The extractor's text (empty if it failed) and the seconds it took."""
    start = time.perf_counter()
    try:
        text = extractor(html, url) or ""
    except Exception:  # a crash counts as an empty output, as in the evaluator
        text = ""
    return text, time.perf_counter() - start


def summary(evaluator: ModuleType, items: list[dict], outputs: list[str]) -> dict[str, float]:
    """The evaluator's snippet metrics and boilerplate-clean share of one tool's outputs."""
    counts = [
        evaluator.snippet_counts(item, text) for item, text in zip(items, outputs, strict=True)
    ]
    metrics = evaluator.snippet_aggregate(counts)
    clean = [
        not any(evaluator.norm_ws(w) in evaluator.norm_ws(text) for w in item["without"])
        for item, text in zip(items, outputs, strict=True)
    ]
    metrics["clean"] = sum(clean) / len(clean)
    return metrics


def report(name: str, metrics: dict[str, float], times: list[float]) -> None:
    print(
        f"{name:<12} F1 {metrics['f1']:.3f}  precision {metrics['precision']:.3f}  "
        f"recall {metrics['recall']:.3f}  exact {metrics['accuracy']:.3f}  "
        f"clean {metrics['clean']:.3f}  ms/page {1000 * statistics.mean(times):.1f} "
        f"(median {1000 * statistics.median(times):.1f})"
    )


def main(argv: list[str] | None = None) -> int:
    """Run both tools over the set and print their scores, speeds and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help="dataset folder")
    parser.add_argument("--reader-only", action="store_true", help="the reader, not the engine")
    args = parser.parse_args(argv)
    if not (args.dataset / "ground-truth.json").exists():
        print(f"development set not found at {args.dataset}", file=sys.stderr)
        return 1

    evaluator = load_evaluator(args.dataset)
    root, truth, _ = evaluator.load_dataset(str(args.dataset))
    ids = sorted(truth)[: args.limit] if args.limit else sorted(truth)
    ours = None if args.reader_only else engine_body_text()
    tools: dict[str, Extractor] = {
        "ours": ours or generic_body_text,
        "trafilatura": trafilatura_text,
    }
    outputs: dict[str, list[str]] = {name: [] for name in tools}
    times: dict[str, list[float]] = {name: [] for name in tools}
    for item_id in ids:
        html, url = evaluator.page_html(root, item_id), truth[item_id].get("url") or ""
        for name, extractor in tools.items():
            text, seconds = timed(extractor, html, url)
            outputs[name].append(text)
            times[name].append(seconds)

    items = [truth[item_id] for item_id in ids]
    metrics = {name: summary(evaluator, items, outputs[name]) for name in tools}
    print(f"{len(ids)} pages; ours = {'engine' if ours else 'generic reader'}")
    for name in tools:
        report(name, metrics[name], times[name])
    f1_ratio = metrics["ours"]["f1"] / metrics["trafilatura"]["f1"]
    speed_ratio = statistics.mean(times["trafilatura"]) / statistics.mean(times["ours"])
    print(f"ratio f1 ours/trafilatura {f1_ratio:.3f}")
    print(f"ratio speed trafilatura/ours {speed_ratio:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
