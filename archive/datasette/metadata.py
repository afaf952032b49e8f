"""Datasette metadata for an archive, generated for the database's actual name."""

from __future__ import annotations

from typing import Any

from archive.article import COLUMN_DESCRIPTIONS as ARTICLE_COLUMNS

# The site first: one archive holds many.
ARTICLE_FACETS = ["site", "category", "author", "published_month", "extraction_method"]


def build_metadata(database: str) -> dict[str, Any]:
    """Titles, descriptions, facets and search settings for the database named `database`."""
    return {
        "title": "Newsarchive",
        "description": "Archived news articles / Архив новостей",
        "databases": {
            database: {
                "title": "Архив новостей / News archive",
                "tables": {
                    "articles": {
                        "title": "Статьи / Articles",
                        "description_html": (
                            "Одна строка на статью / One row per article. Search finds word"
                            " forms in each article's language;"
                            ' <a href="/-/search">ranked search with snippets and'
                            ' feeds</a> · <a href="/-/charts">charts</a> ·'
                            ' <a href="/-/dumps">dumps</a>.'
                        ),
                        "sort_desc": "published_at",
                        "label_column": "title",
                        "fts_table": "articles_search",
                        "fts_pk": "pk",
                        "facets": ARTICLE_FACETS,
                        "facet_size": 60,
                        "columns": ARTICLE_COLUMNS,
                    },
                    "tags": {
                        "title": "Теги / Tags",
                        "description": "Tags by how many articles carry them: the archive's"
                        " commonest subjects first.",
                        "label_column": "name",
                        "sort_desc": "article_count",
                        "columns": {
                            "id": "Tag number",
                            "name": "Tag / Тег",
                            "article_count": "Articles with this tag / Статей с тегом",
                        },
                    },
                    "article_tags": {
                        "title": "Теги статей / Article tags",
                        "description": "Which article carries which tag; facet by tag_id "
                        "to count articles per tag.",
                        "facets": ["tag_id"],
                        "columns": {
                            "article_pk": "Article (articles.pk)",
                            "tag_id": "Tag (tags.id)",
                            "position": "Order of the tag on the page",
                        },
                    },
                    "images": {
                        "title": "Изображения / Images",
                        "description": "Images of each article, kept as links (never loaded"
                        " from the site), with credits and captions.",
                        "columns": {
                            "article_pk": "Article (articles.pk)",
                            "position": "Order in the article",
                            "url": "Image as shown inline",
                            "full_url": "Full-size image",
                            "credit": "Credit / Источник фото",
                            "caption": "Caption / Подпись",
                        },
                    },
                    "removals": {
                        "title": "Удалённые блоки / Removed boilerplate",
                        "description": "What extraction removed from each page, and by which "
                        "rule: the audit trail.",
                        "facets": ["rule", "kind"],
                        "columns": {
                            "article_pk": "Article (articles.pk)",
                            "rule": "Rule that removed the blocks / Правило",
                            "kind": "container (by markup) or signature (by its known text)",
                            "blocks": "How many blocks the rule removed from this page",
                            "sample": "The start of the first removed block's text",
                        },
                    },
                    "failed_pages": {
                        "title": "Неудачные страницы / Failed pages",
                        "description": "Pages that could not be archived, and why; each is "
                        "tried again on later runs after a longer wait each time (the longest "
                        "for a permanent failure), and leaves this table once archived.",
                        "facets": ["reason", "site", "permanent"],
                        "sort_desc": "last_failed_at",
                        "columns": {
                            "url": "The page",
                            "site": "Site",
                            "reason": "Why: no title, no body, no date, or fetch: <error>",
                            "first_failed_at": "First failure, UTC",
                            "last_failed_at": "Latest failure, UTC",
                            "attempts": "Crawls that failed on it",
                            "next_retry_at": "When a crawl tries it again, UTC",
                            "permanent": "1: no retry soon will fix it (a redirect loop, "
                            "off-site, too large, not an article); it waits the longest",
                            "run_id": "The run of the latest failure (crawl_runs.id)",
                        },
                    },
                    "revisions": {
                        "title": "Редакции / Revisions",
                        "description": "Earlier versions of edited articles: each row is the "
                        "version a recheck replaced, and which fields changed.",
                        "facets": ["reason"],
                        "sort_desc": "seen_at",
                        "columns": {
                            "article_pk": "Article (articles.pk)",
                            "seen_at": "When the change was seen, UTC",
                            "reason": "edit (the site changed it) or re-extraction",
                            "changed": "Fields that differ from the next version",
                            "content_hash": "Hash of this (old) version",
                        },
                    },
                    "crawl_runs": {
                        "title": "Обходы / Crawl runs",
                        "description": "Every crawl: mode, when, how it ended, what it fetched "
                        "and archived. A running row of a dead run is resumed by the next run.",
                        "facets": ["status", "mode", "site"],
                        "sort_desc": "id",
                    },
                },
                "queries": {
                    "edited_after_publication": {
                        "title": "Изменённые после публикации / Edited after publication",
                        "description": "Articles the site changed after they were archived,"
                        " the latest change first.",
                        "sql": (
                            "select a.pk, a.title, a.published_at, a.revision_count, "
                            "max(r.seen_at) as last_edit_seen, a.url from articles a "
                            "join revisions r on r.article_pk = a.pk where r.reason = 'edit' "
                            "group by a.pk order by last_edit_seen desc"
                        ),
                    },
                    "mentions_per_month": {
                        "title": "Упоминания по месяцам / A term's mentions per month",
                        "description_html": (
                            "Статьи, где есть слово (в любой форме), по месяцам; без слова —"
                            " все статьи / Articles (not mentions) containing the term in any"
                            " word form, per month; with no term, all articles. As a chart:"
                            ' <a href="/-/charts">Графики / Charts</a>.'
                        ),
                        "sql": (
                            "select a.published_month as month, count(*) as articles "
                            "from articles a where a.published_month is not null and ("
                            "trim(:term) = '' or a.pk in (select rowid from articles_search "
                            "where articles_search match escape_fts(:term))) "
                            "group by a.published_month order by month"
                        ),
                    },
                    "company_timeline": {
                        "title": "Компания во времени / A company (tag) on a timeline",
                        "description": "Every article with the tag, oldest first: pick a tag"
                        " below, or type one.",
                        "sql": (
                            "select a.published_at, a.title, a.category, a.pk from articles a "
                            "join article_tags at on at.article_pk = a.pk "
                            "join tags t on t.id = at.tag_id where t.name = :tag "
                            "order by a.published_at"
                        ),
                    },
                    "archived_per_run": {
                        "title": "Архивировано за обход / Articles archived per run",
                        "description": "What each crawl added, updated and found removed.",
                        "sql": (
                            "select id as run, started_at, mode, status, articles_new, "
                            "articles_updated, articles_removed, pages_fetched "
                            "from crawl_runs order by id"
                        ),
                    },
                    "articles_with_tag": {
                        "title": "Статьи с тегом / Articles with a tag",
                        "description": "Articles with the tag, newest first: pick a tag below.",
                        "sql": (
                            "select a.pk, a.published_at, a.title, a.author, a.url "
                            "from articles a join article_tags at on at.article_pk = a.pk "
                            "join tags t on t.id = at.tag_id where t.name = :tag "
                            "order by a.published_at desc"
                        ),
                    },
                },
            }
        },
    }
