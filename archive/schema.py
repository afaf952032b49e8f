"""The archive's schema as ordered migrations; `PRAGMA user_version` counts those applied."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

INITIAL = """
        CREATE TABLE articles (
            pk INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            site TEXT NOT NULL,
            url TEXT NOT NULL,
            title TEXT NOT NULL,
            lead TEXT,
            body_text TEXT NOT NULL,
            body_html TEXT NOT NULL,
            published_at TEXT,
            published_month TEXT,
            author TEXT,
            author_login TEXT,
            category TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            source_url TEXT,
            comment_count INTEGER,
            rating INTEGER,
            word_count INTEGER NOT NULL,
            image_count INTEGER NOT NULL,
            first_seen_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            extractor_version TEXT NOT NULL,
            boilerplate_removed TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX articles_published_at ON articles (published_at);
        CREATE INDEX articles_published_month ON articles (published_month);
        CREATE INDEX articles_category ON articles (category);
        CREATE INDEX articles_author ON articles (author);
        CREATE INDEX articles_site ON articles (site);

        CREATE TABLE tags (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );
        CREATE TABLE article_tags (
            article_pk INTEGER NOT NULL REFERENCES articles (pk),
            tag_id INTEGER NOT NULL REFERENCES tags (id),
            position INTEGER NOT NULL,
            PRIMARY KEY (article_pk, tag_id)
        );
        CREATE INDEX article_tags_tag_id ON article_tags (tag_id);

        CREATE TABLE images (
            article_pk INTEGER NOT NULL REFERENCES articles (pk),
            position INTEGER NOT NULL,
            url TEXT NOT NULL,
            full_url TEXT,
            credit TEXT,
            caption TEXT,
            PRIMARY KEY (article_pk, position)
        );

        -- External-content FTS keyed by the INTEGER PRIMARY KEY, which VACUUM never renumbers.
        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, lead, body_text,
            content="articles", content_rowid="pk",
            tokenize="unicode61 remove_diacritics 2"
        );
        CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts (rowid, title, lead, body_text)
            VALUES (new.pk, new.title, new.lead, new.body_text);
        END;
        CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, lead, body_text)
            VALUES ('delete', old.pk, old.title, old.lead, old.body_text);
        END;
        -- Only a change of the indexed text touches the index, not a new comment count.
        CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, lead, body_text ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, lead, body_text)
            VALUES ('delete', old.pk, old.title, old.lead, old.body_text);
            INSERT INTO articles_fts (rowid, title, lead, body_text)
            VALUES (new.pk, new.title, new.lead, new.body_text);
        END;
"""

PROVENANCE_AND_AUDIT = """
ALTER TABLE articles ADD COLUMN published_at_source TEXT;
ALTER TABLE articles ADD COLUMN modified_at TEXT;
ALTER TABLE articles ADD COLUMN modified_at_source TEXT;
ALTER TABLE articles ADD COLUMN extraction_method TEXT NOT NULL DEFAULT 'profile';
CREATE INDEX articles_extraction_method ON articles (extraction_method);

CREATE TABLE removals (
    article_pk INTEGER NOT NULL REFERENCES articles (pk),
    rule TEXT NOT NULL,
    kind TEXT NOT NULL,
    blocks INTEGER NOT NULL,
    sample TEXT,
    PRIMARY KEY (article_pk, rule)
);
CREATE INDEX removals_rule ON removals (rule);

CREATE TABLE failed_pages (
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    reason TEXT NOT NULL,
    first_failed_at TEXT NOT NULL,
    last_failed_at TEXT NOT NULL,
    attempts INTEGER NOT NULL
);
CREATE INDEX failed_pages_reason ON failed_pages (reason);
"""

HISTORY_AND_RUNS = """
ALTER TABLE articles ADD COLUMN native_id TEXT;
UPDATE articles SET native_id = substr(id, length(site) + 2);
CREATE INDEX articles_site_native_id ON articles (site, native_id);
CREATE INDEX articles_url ON articles (url);
ALTER TABLE articles ADD COLUMN removed_at TEXT;
ALTER TABLE articles ADD COLUMN http_etag TEXT;
ALTER TABLE articles ADD COLUMN http_last_modified TEXT;
ALTER TABLE articles ADD COLUMN checks_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN next_check_at TEXT;
ALTER TABLE articles ADD COLUMN revision_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX articles_next_check_at ON articles (next_check_at);

CREATE TABLE revisions (
    id INTEGER PRIMARY KEY,
    article_pk INTEGER NOT NULL REFERENCES articles (pk),
    seen_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    changed TEXT NOT NULL,
    title TEXT,
    lead TEXT,
    body_text TEXT,
    body_html TEXT,
    tags TEXT,
    published_at TEXT,
    author TEXT,
    source_url TEXT,
    content_hash TEXT NOT NULL
);
CREATE INDEX revisions_article_pk ON revisions (article_pk);

CREATE TABLE crawl_runs (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    mode TEXT NOT NULL,
    arguments TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    exit_code INTEGER,
    resumes INTEGER NOT NULL DEFAULT 0,
    cursor INTEGER,
    high_water TEXT,
    pages_fetched INTEGER NOT NULL DEFAULT 0,
    listing_pages INTEGER NOT NULL DEFAULT 0,
    articles_new INTEGER NOT NULL DEFAULT 0,
    articles_updated INTEGER NOT NULL DEFAULT 0,
    articles_unchanged INTEGER NOT NULL DEFAULT 0,
    articles_not_modified INTEGER NOT NULL DEFAULT 0,
    articles_removed INTEGER NOT NULL DEFAULT 0,
    articles_absent INTEGER NOT NULL DEFAULT 0,
    http_errors INTEGER NOT NULL DEFAULT 0,
    extraction_failures INTEGER NOT NULL DEFAULT 0,
    extraction_fallbacks INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX crawl_runs_site_status ON crawl_runs (site, status);
ALTER TABLE failed_pages ADD COLUMN run_id INTEGER REFERENCES crawl_runs (id);
"""

RAW_CAPTURE = """
ALTER TABLE articles ADD COLUMN warc_file TEXT;
ALTER TABLE articles ADD COLUMN warc_offset INTEGER;
ALTER TABLE articles ADD COLUMN warc_length INTEGER;
ALTER TABLE articles ADD COLUMN warc_digest TEXT;
ALTER TABLE articles ADD COLUMN fetched_at TEXT;
ALTER TABLE revisions ADD COLUMN warc_file TEXT;
ALTER TABLE revisions ADD COLUMN warc_offset INTEGER;
ALTER TABLE revisions ADD COLUMN warc_length INTEGER;
ALTER TABLE revisions ADD COLUMN warc_digest TEXT;
ALTER TABLE revisions ADD COLUMN fetched_at TEXT;
"""

STEMMED_SEARCH = """
DROP TRIGGER articles_fts_insert;
DROP TRIGGER articles_fts_delete;
DROP TRIGGER articles_fts_update;
DROP TABLE articles_fts;
-- Stems of title, lead and body (see archive/search.py), kept in step by the writer: plain
-- FTS5 with the stock tokenizer, so the file searches in any SQLite; contentless, since the
-- text is in articles (snippets are cut from there), so it costs the index alone.
CREATE VIRTUAL TABLE articles_search USING fts5(
    title, lead, body, content='', tokenize="unicode61 remove_diacritics 0"
);
"""

RETRIES = """
ALTER TABLE crawl_runs ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
"""

TAG_COUNTS = """
-- How many articles carry each tag, kept by triggers: the commonest tags without a scan of
-- article_tags, which at the whole site's size is hundreds of thousands of rows.
ALTER TABLE tags ADD COLUMN article_count INTEGER NOT NULL DEFAULT 0;
UPDATE tags SET article_count = (SELECT count(*) FROM article_tags WHERE tag_id = tags.id);
CREATE INDEX tags_article_count ON tags (article_count);
CREATE TRIGGER article_tags_count_insert AFTER INSERT ON article_tags BEGIN
    UPDATE tags SET article_count = article_count + 1 WHERE id = NEW.tag_id;
END;
CREATE TRIGGER article_tags_count_delete AFTER DELETE ON article_tags BEGIN
    UPDATE tags SET article_count = article_count - 1 WHERE id = OLD.tag_id;
END;
CREATE TRIGGER article_tags_count_update AFTER UPDATE OF tag_id ON article_tags BEGIN
    UPDATE tags SET article_count = article_count - 1 WHERE id = OLD.tag_id;
    UPDATE tags SET article_count = article_count + 1 WHERE id = NEW.tag_id;
END;
"""

FIELDS_AND_BACKOFF = """
-- Which evidence each field of an article was read from (JSON: field -> source), its language,
-- and per run the pages read in a layout no profile knows, and whether the run archived all
-- it listed (such a run moves the incremental stop mark, whatever its exit code). A failed
-- page waits longer after each failed attempt before it is asked again (`next_retry_at`),
-- the longest when its failure is permanent.
ALTER TABLE articles ADD COLUMN field_sources TEXT NOT NULL DEFAULT '{}';
ALTER TABLE articles ADD COLUMN language TEXT;
CREATE INDEX articles_language ON articles (language);
ALTER TABLE crawl_runs ADD COLUMN unknown_layout INTEGER NOT NULL DEFAULT 0;
ALTER TABLE crawl_runs ADD COLUMN complete INTEGER NOT NULL DEFAULT 0;
UPDATE crawl_runs SET complete = 1 WHERE status = 'finished';
ALTER TABLE failed_pages ADD COLUMN next_retry_at TEXT;
ALTER TABLE failed_pages ADD COLUMN permanent INTEGER NOT NULL DEFAULT 0;
CREATE INDEX failed_pages_site_next_retry_at ON failed_pages (site, next_retry_at);
"""


def _index_existing_articles(conn: sqlite3.Connection) -> None:
    """Fill the stemmed index from the articles already archived."""
    from .search import index_row

    rows = conn.execute("SELECT pk, title, lead, body_text FROM articles").fetchall()
    for pk, title, lead, body in rows:
        index_row(conn, pk, (title, lead, body))


PER_LANGUAGE_STEMS = """
-- Each article's stems in its own language (see archive/search.py), where they were all
-- Russian: the index is emptied here and filled again after this script.
INSERT INTO articles_search (articles_search) VALUES ('delete-all');
"""


def _index_in_each_language(conn: sqlite3.Connection) -> None:
    """Fill the stemmed index again, each article stemmed in its own language."""
    from .search import index_row

    rows = conn.execute("SELECT pk, title, lead, body_text, language FROM articles").fetchall()
    for pk, title, lead, body, language in rows:
        index_row(conn, pk, (title, lead, body, language))


DISCOVERY = """
-- Sites read by their address: the sitemaps and feeds their articles were found in, with
-- what a rerun needs to ask only what changed (the lastmod an index gave, the validators of
-- the last answer, the newest entry seen); and every page a crawl judged, article or not,
-- with the lastmod it was listed with: a page judged no article is not fetched again as a
-- candidate, and a listed article is fetched again only when its lastmod moves.
CREATE TABLE discovery_sources (
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent TEXT,
    lastmod TEXT,
    newest TEXT,
    http_etag TEXT,
    http_last_modified TEXT,
    entries INTEGER NOT NULL DEFAULT 0,
    checked_at TEXT NOT NULL
);
CREATE INDEX discovery_sources_site ON discovery_sources (site);
CREATE TABLE judged_pages (
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    article_id TEXT,
    not_article TEXT,
    lastmod TEXT,
    judged_at TEXT NOT NULL
);
CREATE INDEX judged_pages_site ON judged_pages (site, not_article);
"""

# The writer of a shared crawl: the last entry of each Redis stream it committed, written in the
# same transaction as what the entry holds, so that an entry delivered again is not applied twice.
STREAM_POSITIONS = """
CREATE TABLE stream_positions (
    stream TEXT PRIMARY KEY,
    last_id TEXT NOT NULL,
    written_at TEXT NOT NULL
);
"""

# Each entry is a SQL script, and maybe a function run after it, applied once, in order, in one
# transaction with its version bump.
MIGRATIONS: tuple[tuple[str, Callable[[sqlite3.Connection], None] | None], ...] = (
    (INITIAL, None),
    (PROVENANCE_AND_AUDIT, None),
    (HISTORY_AND_RUNS, None),
    (RAW_CAPTURE, None),
    (STEMMED_SEARCH, _index_existing_articles),
    (RETRIES, None),
    (TAG_COUNTS, None),
    (FIELDS_AND_BACKOFF, None),
    (PER_LANGUAGE_STEMS, _index_in_each_language),
    (DISCOVERY, None),
    (STREAM_POSITIONS, None),
)
LATEST_VERSION = len(MIGRATIONS)
# The tables each schema version must have: a version whose tables are missing is damaged.
REQUIRED_TABLES = {
    1: ("articles", "tags", "article_tags", "images", "articles_fts"),
    2: ("articles", "tags", "article_tags", "images", "articles_fts", "removals", "failed_pages"),
    3: (
        "articles", "tags", "article_tags", "images", "articles_fts", "removals", "failed_pages",
        "revisions", "crawl_runs",
    ),
}  # fmt: skip
REQUIRED_TABLES[4] = REQUIRED_TABLES[3]
REQUIRED_TABLES[5] = tuple(
    "articles_search" if table == "articles_fts" else table for table in REQUIRED_TABLES[4]
)
REQUIRED_TABLES[6] = REQUIRED_TABLES[5]
REQUIRED_TABLES[7] = REQUIRED_TABLES[6]
REQUIRED_TABLES[8] = REQUIRED_TABLES[7]
REQUIRED_TABLES[9] = REQUIRED_TABLES[8]
REQUIRED_TABLES[10] = (*REQUIRED_TABLES[9], "discovery_sources", "judged_pages")
REQUIRED_TABLES[11] = (*REQUIRED_TABLES[10], "stream_positions")
