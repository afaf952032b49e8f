"""The hand-written golden pages: every field as a careful reader of the page states it.

These expectations are never regenerated from the extractor (see
tests/golden/handwritten/README.md); a failure here is a defect of the extractor, or a
reviewed change to an expectation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crawler.extract import extract_page
from tests.conftest import BOILERPLATE

HANDWRITTEN = Path(__file__).resolve().parent / "golden" / "handwritten"
PAGES = sorted(path.stem for path in HANDWRITTEN.glob("*.html"))
FIELDS = (
    "title", "lead", "body_text", "published_at", "modified_at", "author", "author_login",
    "category", "tags", "source_url", "images", "comment_count", "rating", "language",
)  # fmt: skip


def expectation(name: str) -> dict[str, Any]:
    return json.loads((HANDWRITTEN / f"{name}.json").read_text(encoding="utf-8"))


def extracted(name: str) -> dict[str, Any]:
    golden = expectation(name)
    html = (HANDWRITTEN / f"{name}.html").read_bytes()
    return extract_page(golden["url"], html).to_dict()


def test_there_are_pages_of_every_kind_the_reader_must_handle() -> None:
    kinds = {name.split("_")[0] for name in PAGES}
    assert len(PAGES) >= 14
    assert {"wordpress", "bitrix", "drupal", "ghost", "react", "amp", "br", "split", "form",
            "most", "sdelanounas"} <= kinds  # fmt: skip


def stated_fields() -> list[tuple[str, str]]:
    """(page, field) for every field a page's expectation states."""
    return [
        (name, field)
        for name in PAGES
        for field in FIELDS
        if field in expectation(name)["expected"]
    ]


def test_every_page_states_every_field_of_an_article() -> None:
    for name in PAGES:
        missing = set(FIELDS) - {"author_login"} - set(expectation(name)["expected"])
        assert not missing, f"{name} states no {sorted(missing)}"


@pytest.mark.parametrize(("name", "field"), stated_fields())
def test_field_matches_the_hand_written_expectation(name: str, field: str) -> None:
    expected = expectation(name)["expected"][field]
    assert extracted(name)[field] == expected, f"{name}: {field}"


@pytest.mark.parametrize("name", [name for name in PAGES if name.startswith("sdelanounas")])
def test_sdelanounas_redesigns_carry_no_boilerplate(name: str) -> None:
    article = extracted(name)
    for field in ("title", "lead", "body_text", "body_html"):
        for text in BOILERPLATE:
            assert text.lower() not in (article[field] or "").lower(), f"{text!r} in {field}"
    assert article["extraction_method"] == "fallback"
    assert {"slogan", "logo-text", "telegram-prompt"} <= {
        removal["rule"] for removal in article["removals"]
    }
