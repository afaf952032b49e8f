"""Golden tests: each saved page gives its expected JSON, field by field.

After an intended change to extraction, run `make fixtures` and review the diff.
"""

from __future__ import annotations

import json

import pytest

from crawler.extract._dates import MOSCOW
from tests.conftest import BOILERPLATE
from tests.golden.cases import SYNTHETIC, Case, cases, sim_article

REGENERATE = "run `make fixtures` if the change is intended, then review `git diff tests/golden`"


@pytest.mark.parametrize("case", cases(), ids=lambda case: case.name)
def test_page_matches_its_golden_json(case: Case) -> None:
    expected = json.loads(case.json_path.read_text(encoding="utf-8"))
    actual = json.loads(json.dumps(case.extract(), ensure_ascii=False))
    if case.kind == "listing":
        assert len(actual) == len(expected), f"number of posts differs; {REGENERATE}"
        pairs = list(zip(actual, expected, strict=True))
    else:
        pairs = [(actual, expected)]
    for got, want in pairs:
        for field in sorted(set(got) | set(want)):
            assert got.get(field) == want.get(field), f"{case.name}: field {field!r}; {REGENERATE}"


def visible(text: str) -> str:
    """The simulator's text as the archive keeps it: no-break spaces made plain."""
    return text.replace("\xa0", " ")


@pytest.mark.parametrize("name", list(SYNTHETIC), ids=str)
def test_synthetic_page_gives_back_what_the_simulator_put_in(name: str) -> None:
    truth = sim_article(name)
    case = next(case for case in cases() if case.name == name)
    article = case.extract()
    assert article["title"] == visible(truth.title)
    assert article["published_at"] == truth.published.astimezone(MOSCOW).isoformat()
    assert article["author"] == truth.author
    assert article["author_login"] == truth.author_login
    assert article["category"] == truth.category[1]
    assert article["tags"] == truth.tags
    assert article["comment_count"] == truth.comments
    assert article["source_url"] == truth.source_url
    assert [
        image["full_url"].removeprefix(case.url.split("/blogs")[0]) for image in article["images"]
    ] == [image.full_url for image in truth.images]
    texts = [visible(str(text)) for kind, text in truth.blocks if kind in ("lead", "p", "quote")]
    for text in texts:
        assert text in article["body_text"]
    assert article["lead"] == texts[0]


@pytest.mark.parametrize("name", list(SYNTHETIC), ids=str)
def test_no_boilerplate_in_title_or_body(name: str) -> None:
    article = next(case for case in cases() if case.name == name).extract()
    for text in BOILERPLATE:
        for field in ("title", "lead", "body_text", "body_html"):
            assert text.lower() not in article[field].lower(), f"{text!r} leaked into {field}"


def test_seed_article_body_is_exactly_the_real_text() -> None:
    seed = next(case for case in cases() if "seed" in case.name).extract()
    truth = sim_article("synthetic_seed_redesign_2017-11-23")
    paragraphs = [visible(str(payload)) for _, payload in truth.blocks]
    assert seed["body_text"] == "\n\n".join(paragraphs)
    assert seed["body_text"].endswith("мемориальным парком на территории кластера.")
    assert seed["boilerplate_removed"] == [
        "scripts", "share-toolbar", "slogan", "logo-text", "telegram-prompt", "comment-form"
    ]  # fmt: skip


def test_listing_skips_ads_and_reads_every_post() -> None:
    listing = next(case for case in cases() if case.kind == "listing").extract()
    assert [post["native_id"] for post in listing][:3] == ["105125", "105108", "105130"]
    assert len(listing) == 10
    first = listing[0]
    assert first["published_at"] == "2018-03-20T15:30:00+03:00"
    assert first["tags"] == ["ОКБ Яковлева", "Як-130", "рекорд"]
    assert first["comment_count"] == 7
    assert first["author"] == "Гвардеец"
