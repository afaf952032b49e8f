"""Rewrite the golden pages and their expected JSON after an intended change.

Run `make fixtures` (or `python -m tests.golden.regenerate`), then review `git diff tests/golden`:
every changed line is a change in what the extractor returns.
"""

from __future__ import annotations

import json

from tests.golden.cases import cases, page_bytes


def main() -> None:
    for case in cases():
        if case.kind == "article":
            case.html_path.write_bytes(page_bytes(case.name))
        expected = json.dumps(case.extract(), ensure_ascii=False, indent=2, sort_keys=True)
        case.json_path.write_text(expected + "\n", encoding="utf-8")
        print(f"wrote {case.json_path.name}")


if __name__ == "__main__":
    main()
