"""The site registry is data: TOML entries, checked as they are read."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.exceptions import BadSiteEntry
from crawler.sites import REGISTRY, SITES, load_registry, site_from_toml
from tests.conftest import newsarchive, start_site

GOOD = """
name = "example"
title = "Example News"
base_url = "https://news.example"
domains = ["news.example"]
language = "en"
time_zone = "Europe/London"
article_path = '/story/(\\d+)/'

[links]
tag = "/tag/"

[[chrome]]
name = "ads"
classes = ["ad-box"]

[[furniture]]
name = "newsletter"
phrases = ["Sign up for our newsletter…"]

[[layouts]]
name = "2024"
known_from = "2024-01-01"
body_classes = ["story-body"]
"""


def test_every_entry_of_the_registry_loads() -> None:
    assert set(SITES) == {path.stem for path in REGISTRY.glob("*.toml")}
    assert SITES["sdelanounas"].article_key("https://sdelanounas.ru/blogs/7/?from=rss") == "7"


def test_a_site_added_as_data_needs_no_code(tmp_path: Path) -> None:
    (tmp_path / "example.toml").write_text(GOOD, encoding="utf-8")
    site = load_registry(tmp_path)["example"]
    assert site.article_key("https://news.example/story/42/") == "42"
    assert site.article_key("https://news.example/about/") is None
    assert (site.links.tag, site.chrome[0].classes, site.layouts[0].body_classes) == (
        "/tag/", frozenset({"ad-box"}), ("story-body",)
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("domains = [", "domain = ["), "unknown key 'domain'; known keys: "),
        (('name = "example"\n', ""), "'name' is missing"),
        (("Europe/London", "Europe/Atlantis"), "'Europe/Atlantis' is no time zone"),
        (("(\\d+)/", "(\\d+/"), "missing ), unterminated subpattern"),
        (('classes = ["ad-box"]', 'class = ["ad-box"]'), "unknown key 'class' in chrome"),
        (('language = "en"', "language = 1"), "'language' must be a text"),
        (("[[layouts]]", "[[layouts"), "cannot read it"),
    ],
    ids=["misspelt-key", "no-name", "time-zone", "regex", "rule-key", "type", "toml"],
)
def test_a_bad_entry_is_one_line_naming_its_file(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = tmp_path / "example.toml"
    path.write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(BadSiteEntry) as refused:
        site_from_toml(path)
    assert str(refused.value).startswith(f"{path}: ")
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_sites_lists_the_registry_and_what_an_archive_holds(tmp_path: Path) -> None:
    listed = newsarchive("sites")
    assert listed.returncode == 0
    entries = {line.split()[0]: line.split()[1:] for line in listed.stdout.splitlines()[1:]}
    assert entries["sdelanounas"][0] == "Сделано"
    assert {"sdelanounas", "ria", "kommersant"} <= set(entries)
    site = start_site(tmp_path, 5)
    db = tmp_path / "archive.db"
    try:
        assert newsarchive("crawl", "--base-url", site.url, "--db", str(db)).returncode == 0
    finally:
        site.server.shutdown()
        site.server.server_close()
    held = newsarchive("sites", "--db", str(db))
    assert held.returncode == 0
    assert f"{db} holds 1 site(s):" in held.stdout
    assert held.stdout.splitlines()[-1].split()[:2] == ["sdelanounas", "5"]
    missing = newsarchive("sites", "--db", str(tmp_path / "none.db"))
    assert (missing.returncode, missing.stdout) == (1, "")
