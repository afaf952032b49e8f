"""Golden tests: each saved page gives its expected JSON, field by field, and the truth it was
made from.

After an intended change to extraction, run `make fixtures` and review the diff.
"""

from __future__ import annotations

import json
import re

import pytest

from crawler.extract._dates import MOSCOW
from tests.conftest import BOILERPLATE
from tests.golden.cases import ENCODED, UNRECOGNISABLE, Case, case, cases, sim_article, truths

REGENERATE = (
    "run `make fixtures` if the change is intended, then review `git diff tests/golden/simulator`"
)
INVISIBLE = ("\u00a0", "\u00ad", "\u200b", "\u200c", "\u200d", "\ufeff")


def visible(text: str) -> str:
    """The simulator's text as the archive keeps it: no-break spaces made plain."""
    return text.replace("\xa0", " ")


@pytest.mark.parametrize("golden", cases(), ids=lambda golden: golden.name)
def test_page_matches_its_golden_json(golden: Case) -> None:
    expected = json.loads(golden.json_path.read_text(encoding="utf-8"))
    actual = json.loads(json.dumps(golden.extract(), ensure_ascii=False))
    if golden.kind == "listing":
        assert len(actual) == len(expected), f"number of posts differs; {REGENERATE}"
        pairs = list(zip(actual, expected, strict=True))
    else:
        pairs = [(actual, expected)]
    for got, want in pairs:
        for field in sorted(set(got) | set(want)):
            assert got.get(field) == want.get(field), f"{golden.name}: {field!r}; {REGENERATE}"


@pytest.mark.parametrize("name", truths(), ids=str)
def test_page_gives_back_what_the_simulator_put_in(name: str) -> None:
    truth = sim_article(name)
    golden = case(name)
    article = golden.extract()
    assert article["title"] == visible(truth.title)
    assert article["published_at"] == truth.published.astimezone(MOSCOW).isoformat()
    assert article["author"] == truth.author
    assert article["author_login"] == truth.author_login
    assert article["category"] == truth.category[1]
    assert article["tags"] == truth.tags
    assert article["comment_count"] == truth.comments
    assert article["source_url"] == truth.source_url
    linked = [image["full_url"] for image in article["images"] if image["full_url"]]
    full_urls = [url.removeprefix("https://sdelanounas.ru") for url in linked]
    assert full_urls == [image.full_url for image in truth.images]
    for got, want in zip(article["images"][: len(truth.images)], truth.images, strict=True):
        assert (got["credit"], got["caption"]) == (want.credit, want.caption)
    texts = [visible(str(text)) for kind, text in truth.blocks if kind in ("lead", "p", "quote")]
    for text in texts:
        assert text in article["body_text"]
    if texts and truth.blocks[0][0] == "lead":
        assert article["lead"] == texts[0]


@pytest.mark.parametrize("name", truths(), ids=str)
def test_no_boilerplate_and_no_invisible_characters(name: str) -> None:
    article = case(name).extract()
    quotes_furniture = name == "adversarial_telegram_in_real_text"
    for field in ("title", "lead", "body_text", "body_html"):
        value = article[field] or ""
        for text in () if quotes_furniture else BOILERPLATE:
            assert text.lower() not in value.lower(), f"{text!r} leaked into {field}"
        for mark in INVISIBLE:
            assert mark not in value, f"{mark!r} left in {field}"
    assert "<p></p>" not in article["body_html"]


@pytest.mark.parametrize("name", truths(), ids=str)
def test_dates_say_where_they_came_from(name: str) -> None:
    truth = sim_article(name)
    article = case(name).extract()
    shows_meta = truth.layout == "modern" and truth.id % 3 == 0
    expected_source = {"classic": "text", "modern": "meta" if shows_meta else "time"}
    assert article["published_at_source"] == expected_source.get(truth.layout, "json-ld")
    exposes_modified = truth.layout == "redesign" or shows_meta
    if truth.modified and exposes_modified:
        assert article["modified_at"] == truth.modified.isoformat()
        assert article["modified_at_source"] in ("meta", "json-ld")
    else:
        assert article["modified_at"] is None and article["modified_at_source"] is None


@pytest.mark.parametrize("name", truths(), ids=str)
def test_known_layouts_use_the_profile_and_redesigns_the_fallback(name: str) -> None:
    article = case(name).extract()
    expected = "fallback" if sim_article(name).layout == "redesign" else "profile"
    assert article["extraction_method"] == expected


def test_seed_article_body_is_exactly_the_real_text() -> None:
    seed = case("synthetic_seed_redesign_2017-11-23").extract()
    truth = sim_article("synthetic_seed_redesign_2017-11-23")
    assert seed["body_text"] == "\n\n".join(visible(str(text)) for _, text in truth.blocks)
    assert seed["body_text"].endswith("мемориальным парком на территории кластера.")
    removed = {removal["rule"]: removal for removal in seed["removals"]}
    assert list(removed) == [
        "scripts", "share-toolbar", "slogan", "logo-text", "telegram-prompt", "comment-form"
    ]  # fmt: skip
    assert removed["telegram-prompt"]["kind"] == "signature"
    assert removed["telegram-prompt"]["sample"].startswith("Хочешь всегда знать")
    assert removed["comment-form"]["sample"].startswith("Написать комментарий Отмена")


def test_real_text_mentioning_the_telegram_channel_stays() -> None:
    article = case("adversarial_telegram_in_real_text").extract()
    assert "сообщил Телеграм-канал @sdelanounas_ru" in article["body_text"]
    assert "Хочешь всегда знать, как работает завод?" in article["body_text"]


def test_xss_payloads_never_reach_the_archived_html() -> None:
    article = case("adversarial_xss").extract()
    html = article["body_html"].lower()
    for dangerous in ("<script", "onerror", "onclick", "javascript:", "<iframe", "<svg",
                      "data:text", "style="):  # fmt: skip
        assert dangerous not in html
    assert "alert" not in article["body_text"]
    assert "Опасная ссылка в тексте." in article["body_text"]
    for image in article["images"]:
        for url in (image["url"], image["full_url"]):
            assert url is None or url.startswith("https://"), url


def test_structure_survives_as_html_and_readable_text() -> None:
    article = case("adversarial_structure_and_related_links").extract()
    for tag in ("<h2>", "<ol>", "<ul>", "<table>", "<th>", "<blockquote>", "<h3>"):
        assert tag in article["body_html"]
    assert "1. Казанский завод\n2. Пермский завод" in article["body_text"]
    assert "- Тракторы\n  - гусеничные\n- Турбины" in article["body_text"]
    assert "Завод | Выпуск\nКазань | 1 200\nПермь | 950" in article["body_text"]
    assert 'href="https://sdelanounas.ru/blogs/100100/"' in article["body_html"]
    assert article["source_url"] == "https://example-industry.ru/news/100307"


def test_photo_report_keeps_captions_and_credits_out_of_the_text() -> None:
    article = case("adversarial_photo_report_captions_only").extract()
    assert article["body_text"] == "" and article["lead"] is None
    assert [image["caption"] for image in article["images"]] == [
        "Цех номер 1", "Цех номер 2", "Цех номер 3"
    ]  # fmt: skip
    assert [image["credit"] for image in article["images"]] == [
        "Пресс-служба завода", None, "Пресс-служба завода"
    ]  # fmt: skip


def test_long_article_keeps_every_paragraph() -> None:
    article = case("adversarial_long_article").extract()
    assert len(article["body_text"].split("\n\n")) == 150
    assert article["body_text"].split("\n\n")[-1].startswith("149. ")


@pytest.mark.parametrize("name", list(ENCODED), ids=str)
def test_windows_1251_pages_read_as_russian(name: str) -> None:
    raw = case(name).html_path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    article = case(name).extract()
    assert re.search("[а-я]{4}", article["body_text"])
    assert not re.search("[ÐÑÃ]", article["body_text"] + article["title"])


@pytest.mark.parametrize("name", list(UNRECOGNISABLE), ids=str)
def test_unknown_layout_is_a_typed_failure(name: str) -> None:
    result = case(name).extract()
    assert set(result) == {"failure"}
    assert result["failure"] in ("no title", "no body", "no date")


def test_listing_skips_ads_and_reads_every_post() -> None:
    listing = case("real_listing_2018-03-20").extract()
    assert [post["native_id"] for post in listing][:3] == ["105125", "105108", "105130"]
    assert len(listing) == 10
    first = listing[0]
    assert first["published_at"] == "2018-03-20T15:30:00+03:00"
    assert first["tags"] == ["ОКБ Яковлева", "Як-130", "рекорд"]
    assert first["comment_count"] == 7
    assert first["author"] == "Гвардеец"
