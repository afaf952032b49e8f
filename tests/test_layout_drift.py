"""Layout drift judged by what was lost: crawls of a simulator whose pages change layout.

A redesign nothing was written for loses nothing when the generic rules read every field: the
run ends 0 and counts those pages. One that loses a field the archive's articles usually have
ends 3 and names the field; either way a run that archived all it listed moves the stop mark.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from tests.conftest import BOILERPLATE, RunningSite, newsarchive, rows, start_site
from tests.sitesim import Corpus
from tests.sitesim.corpus import FIRST_DATE, KNOWN_LAYOUTS

STEP = timedelta(days=3)


def crawl(site: RunningSite, db: Path) -> object:
    return newsarchive("crawl", "--base-url", site.url, "--db", str(db))


def assert_every_field_as_published(site: RunningSite, db: Path) -> None:
    """Each archived article gives back every field the simulator put in its page."""
    stored = rows(
        db,
        "SELECT native_id, title, published_at, author, author_login, category, tags,"
        " comment_count, source_url, body_text, field_sources FROM articles",
    )
    assert len(stored) == site.corpus.count
    for (
        native_id,
        title,
        published,
        author,
        login,
        category,
        tags,
        comments,
        source,
        body,
        _,
    ) in stored:
        truth = site.corpus.get(int(native_id))
        assert truth is not None
        shown = truth.title.replace("\xa0", " ")  # the archive keeps no-break spaces plain
        assert (title, published) == (shown, truth.published.isoformat()), native_id
        assert (author, login, category) == (truth.author, truth.author_login, truth.category[1])
        assert (json.loads(tags), comments) == (truth.tags, truth.comments), native_id
        assert source == truth.source_url, native_id
        for kind, text in truth.blocks:
            if kind in ("lead", "p", "quote"):
                assert str(text).replace("\xa0", " ") in body, native_id
        for text in BOILERPLATE:
            assert text.lower() not in (title + body).lower(), f"{text!r} in {native_id}"
    images = rows(
        db,
        "SELECT a.native_id, i.full_url, i.credit FROM images i JOIN articles a"
        " ON a.pk = i.article_pk ORDER BY a.native_id, i.position",
    )
    expected = [
        (str(article.id), f"{site.url}{image.full_url}", image.credit)
        for article in map(site.corpus.get, site.corpus.ids)
        if article is not None
        for image in article.images
    ]
    assert images == sorted(expected)


def test_half_the_pages_in_an_unseen_redesign_lose_nothing(tmp_path: Path) -> None:
    corpus = Corpus(40, mixed="digest", first_date=FIRST_DATE, step=STEP)
    site = start_site(tmp_path, 0, corpus=corpus)
    db = tmp_path / "archive.db"
    try:
        first = crawl(site, db)
        assert first.returncode == 0, first.stderr
        layouts = [article.layout for article in map(corpus.get, corpus.ids) if article]
        assert layouts.count("digest") == 20  # and the seed article, in the first redesign
        redesigned = sum(layout not in KNOWN_LAYOUTS for layout in layouts)
        assert f"Warning: {redesigned} page(s) in a layout no profile knows" in first.stderr
        assert_every_field_as_published(site, db)
        methods = dict(rows(db, "SELECT extraction_method, count(*) FROM articles GROUP BY 1"))
        assert methods == {"fallback": redesigned, "profile": 40 - redesigned}

        before = len(site.requests())
        again = crawl(site, db)
        assert again.returncode == 0, again.stderr
        assert len(site.requests()) - before == 3  # robots.txt and two listing pages

        corpus.count += 20  # more of both layouts, now judged against the archive
        later = crawl(site, db)
        assert later.returncode == 0, later.stderr
        assert_every_field_as_published(site, db)
        assert rows(db, "SELECT unknown_layout FROM crawl_runs ORDER BY id") == [
            (redesigned,), (0,), (10,)
        ]  # fmt: skip
    finally:
        site.server.shutdown()
        site.server.server_close()


def test_a_redesign_that_loses_the_source_line_alarms_by_name(tmp_path: Path) -> None:
    corpus = Corpus(40, first_date=FIRST_DATE, step=STEP)
    site = start_site(tmp_path, 0, corpus=corpus)
    db = tmp_path / "archive.db"
    try:
        assert crawl(site, db).returncode == 0
        corpus.redesign_from(corpus.first_id + corpus.count, "digest-unsourced")
        corpus.count += 30
        drifted = crawl(site, db)
        assert drifted.returncode == 3
        alarm = drifted.stderr.strip().splitlines()[-1]
        assert alarm.startswith(
            "Error: layout drift: fields the site's articles usually have were found far less "
            "often: source_url on 0 of 30 pages (usually 50%)"
        ), alarm
        assert rows(db, "SELECT count(*) FROM articles") == [(70,)]
        assert rows(db, "SELECT status, complete FROM crawl_runs ORDER BY id") == [
            ("finished", 1), ("drift", 1)
        ]  # fmt: skip

        before = len(site.requests())
        after = crawl(site, db)  # the drift run archived all it listed: its stop mark holds
        assert after.returncode == 0, after.stderr
        assert len(site.requests()) - before == 3
    finally:
        site.server.shutdown()
        site.server.server_close()
