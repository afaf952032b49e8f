"""Property tests: extraction survives any page, mutated from the golden ones.

Dropped tags, shuffled blocks, random bytes, huge and hostile attribute values, deep nesting,
cut-off pages: the extractor returns a valid Article or a typed ExtractionFailed, and nothing else.
Derandomised, a few hundred examples in all; the deadline only catches hangs (speed is the
benchmark's business).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.exceptions import ExtractionFailed
from crawler.extract import (
    decode_html,
    extract_page,
    is_error_page,
    is_truncated,
    parse_listing,
)
from crawler.items import Article
from crawler.sites import SDELANOUNAS
from tests.golden.cases import cases, real_listing_html

FUZZ = settings(
    max_examples=30,
    derandomize=True,
    database=None,
    deadline=timedelta(seconds=20),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
REASONS = {"no title", "no body", "no date"}
TAG = re.compile(r"<[^<>]*>")
UNSAFE = re.compile(r"<(?:script|iframe|object|embed|style|img)\b|\son\w+\s*=|javascript:", re.I)


@cache
def golden_pages() -> list[tuple[str, bytes]]:
    """(URL, bytes as a server sends them) of every golden article page."""
    return [(case.url, case.html_path.read_bytes()) for case in cases() if case.kind == "article"]


def assert_article_or_typed_failure(url: str, html: str) -> None:
    try:
        article = extract_page(url, html)
    except ExtractionFailed as failure:
        assert failure.reason in REASONS
        return
    assert_valid(article, url)


def assert_valid(article: Article, url: str) -> None:
    assert isinstance(article, Article)
    assert article.native_id == SDELANOUNAS.article_key(url)
    assert article.title.strip() and "\n" not in article.title
    assert article.body_text or article.images
    assert not UNSAFE.search(article.body_html)
    published = datetime.fromisoformat(article.published_at or "")
    assert published.tzinfo is not None
    assert all(isinstance(tag, str) and tag.strip() for tag in article.tags)
    assert article.extraction_method in ("profile", "fallback")


def page_text(data: st.DataObject) -> tuple[str, str]:
    url, body = data.draw(st.sampled_from(golden_pages()), label="page")
    return url, decode_html(body)


@FUZZ
@given(st.data())
def test_dropped_tags(data: st.DataObject) -> None:
    url, html = page_text(data)
    tags = list(TAG.finditer(html))
    dropped = data.draw(st.sets(st.integers(0, len(tags) - 1), max_size=60), label="dropped")
    for index in sorted(dropped, reverse=True):
        html = html[: tags[index].start()] + html[tags[index].end() :]
    assert_article_or_typed_failure(url, html)


@FUZZ
@given(st.data())
def test_shuffled_blocks(data: st.DataObject) -> None:
    url, html = page_text(data)
    blocks = re.split(r"(?<=>)\s*\n", html)
    order = data.draw(st.permutations(range(len(blocks))), label="order")
    kept = data.draw(st.integers(1, len(blocks)), label="kept")
    assert_article_or_typed_failure(url, "\n".join(blocks[i] for i in order[:kept]))


@FUZZ
@given(st.data())
def test_random_bytes(data: st.DataObject) -> None:
    url, raw = data.draw(st.sampled_from(golden_pages()), label="page")
    body = bytearray(raw)
    for _ in range(data.draw(st.integers(1, 8), label="edits")):
        at = data.draw(st.integers(0, len(body)), label="at")
        noise = data.draw(st.binary(min_size=1, max_size=64), label="noise")
        cut = data.draw(st.integers(0, 64), label="cut")
        body[at : at + cut] = noise
    content_type = data.draw(
        st.sampled_from([None, "text/html", "text/html; charset=utf-8", "text/html; charset=x"]),
        label="content type",
    )
    html = decode_html(bytes(body), content_type)
    assert isinstance(html, str)
    assert_article_or_typed_failure(url, html)


@FUZZ
@given(st.data())
def test_huge_attribute_values(data: st.DataObject) -> None:
    url, html = page_text(data)
    openings = [m.end() - 1 for m in re.finditer(r"<(?:div|p|a|h1|li|span|time)\b[^<>]*>", html)]
    for at in sorted(data.draw(st.sets(st.sampled_from(openings), max_size=5)), reverse=True):
        name = data.draw(st.sampled_from(["class", "href", "datetime", "id", "data-x"]))
        size = data.draw(st.integers(10_000, 1_000_000), label="size")
        value = data.draw(st.sampled_from(["a", "я", " ", "&amp;", "/blogs/1/"])) * (size // 8)
        html = f'{html[:at]} {name}="{value}"{html[at:]}'
    assert_article_or_typed_failure(url, html)


HOSTILE_VALUES = st.sampled_from(
    [
        "http://[", "http://host:99999/", "//", "%", "javascript:alert(1)", "data:text/html,x",
        "file:///etc/passwd", "9999-99-99T99:99:99", "0000-00-00", "-1e999", "1" * 400, "",
        "/account/%ZZ/", "/blogs/?id=", "/blogs/?search=%00", "#comments",
    ]
)  # fmt: skip


@FUZZ
@given(st.data())
def test_hostile_attribute_values(data: st.DataObject) -> None:
    url, html = page_text(data)
    for _ in range(data.draw(st.integers(1, 3), label="attributes")):
        name = data.draw(st.sampled_from(["href", "src", "datetime", "content", "id", "class"]))
        value = data.draw(HOSTILE_VALUES, label="value")
        html = set_every(html, name, value)
    assert_article_or_typed_failure(url, html)


def set_every(html: str, name: str, value: str) -> str:
    """Every attribute `name` of the page set to `value`."""
    return re.sub(rf"\b{name}=([\"'])(.*?)\1", lambda m: f"{name}={m[1]}{value}{m[1]}", html)


@FUZZ
@given(st.data())
def test_deep_nesting(data: st.DataObject) -> None:
    url, html = page_text(data)
    depth = data.draw(st.integers(100, 20_000), label="depth")
    tag = data.draw(st.sampled_from(["div", "span", "b", "blockquote", "li", "table"]))
    at = data.draw(
        st.sampled_from([m.end() for m in re.finditer(r"<(?:body|p|div)\b[^<>]*>", html)])
    )
    closed = data.draw(st.booleans(), label="closed")
    nest = f"<{tag}>" * depth + "глубоко" + (f"</{tag}>" * depth if closed else "")
    assert_article_or_typed_failure(url, html[:at] + nest + html[at:])


@FUZZ
@given(st.data())
def test_cut_off_pages(data: st.DataObject) -> None:
    url, html = page_text(data)
    end = data.draw(st.integers(0, len(html)), label="end")
    assert is_truncated(html[:end].encode()) == ("</html>" not in html[:end])
    is_error_page(html[:end])
    assert_article_or_typed_failure(url, html[:end])


@FUZZ
@given(st.data())
def test_listing_gives_entries_or_nothing(data: st.DataObject) -> None:
    html = real_listing_html()
    tags = list(TAG.finditer(html))
    dropped = data.draw(st.sets(st.integers(0, len(tags) - 1), max_size=80), label="dropped")
    for index in sorted(dropped, reverse=True):
        html = html[: tags[index].start()] + html[tags[index].end() :]
    # Any text a decoder can produce (no lone surrogates).
    noise = data.draw(st.text(st.characters(exclude_categories=["Cs"]), max_size=200))
    at = data.draw(st.integers(0, len(html)), label="at")
    entries = parse_listing("https://sdelanounas.ru/blogs/?page=0", html[:at] + noise + html[at:])
    for entry in entries:
        assert entry.native_id.isdigit()
        assert entry.url == f"https://sdelanounas.ru/blogs/{entry.native_id}/"
