"""The one Article schema: what extraction gives, what the archive stores, what Datasette says.

Extraction fills an `Article`; `crawler.normalise.to_record` adds the derived columns
(`DERIVED`); the archive stores the record (`ARTICLE_COLUMNS`, its images and removals in
tables of their own) and keeps its own columns beside it (`KEPT`). Each column's description,
which Datasette shows, is given where the column is defined; nothing else lists them.
Migrations (`archive/schema.py`) are frozen history: they add columns, never read this list.
"""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any


def described(description: str, default: Any = MISSING, factory: Any = None) -> Any:
    """A field with its column's description (required unless given a default or factory)."""
    if factory is not None:
        return field(default_factory=factory, metadata={"description": description})
    return field(default=default, metadata={"description": description})


@dataclass
class Image:
    """A picture of an article: kept as data, never as body text."""

    url: str
    full_url: str | None = None
    credit: str | None = None
    caption: str | None = None


@dataclass
class Removal:
    """Blocks one boilerplate rule removed from a page: the audit trail of extraction."""

    rule: str
    kind: str  # "container" (matched by markup) or "signature" (matched by its known text)
    blocks: int
    sample: str  # the start of the first removed block's text


@dataclass
class Article:
    """An article as extracted from one page, before normalisation adds hashes and counts."""

    site: str = described("Site / Сайт")
    native_id: str = described("Id of the article on its site / Номер на сайте")
    url: str = described("Original page / Исходная страница")
    title: str = described("Title / Заголовок")
    body_text: str = described(
        "Body as plain text, paragraphs separated by a blank line / Текст статьи"
    )
    body_html: str = described("Body as sanitised HTML / Текст статьи в HTML (очищенный)")
    lead: str | None = described("Lead paragraph / Лид", None)
    published_at: str | None = described(
        "Published, in the site's time zone with its offset / Дата публикации", None
    )
    published_at_source: str | None = described(
        "Where the date was read: json-ld, meta, microdata, time or text / Источник даты", None
    )
    modified_at: str | None = described("Last modified, as the page says / Дата изменения", None)
    modified_at_source: str | None = described(
        "Where the modification date was read / Источник даты изменения", None
    )
    author: str | None = described("Author as shown on the site / Автор", None)
    author_login: str | None = described("Author's login on the site / Логин автора", None)
    category: str | None = described("Category / Рубрика", None)
    tags: list[str] = described(
        "Tags as a JSON list (see article_tags to filter) / Теги", factory=list
    )
    source_url: str | None = described("Original source the article cites / Первоисточник", None)
    images: list[Image] = field(default_factory=list)  # the table images
    comment_count: int | None = described("Comments when last seen / Число комментариев", None)
    rating: int | None = described("Rating when last seen / Рейтинг", None)
    language: str | None = described("Language, ISO 639-1 / Язык", None)
    removals: list[Removal] = field(default_factory=list)  # the table removals
    # "profile" (a layout profile of the site found the body) or "fallback" (the generic reader)
    extraction_method: str = described(
        "profile (known layout) or fallback (generic detection) / Способ", "profile"
    )
    field_sources: dict[str, str] = described(
        "Where each field was read (JSON: field -> json-ld, meta, profile, h1, time, text,"
        " link …) / Источник каждого поля",
        factory=dict,
    )
    # Set by the crawler, never by extraction: the response's validators, its raw capture.
    http_etag: str | None = described("ETag of the last response, for conditional rechecks", None)
    http_last_modified: str | None = described(
        "Last-Modified of the last response, for conditional rechecks", None
    )
    warc_file: str | None = described(
        "WARC file holding the raw response of this version (see `newsarchive raw`)", None
    )
    warc_offset: int | None = described("Byte offset of the response record in that file", None)
    warc_length: int | None = described("Length of the (gzipped) response record", None)
    warc_digest: str | None = described(
        "WARC payload digest (sha1, base32) of the response body as received", None
    )
    fetched_at: str | None = described(
        "When this version's response was received, UTC / Когда загружено", None
    )

    @property
    def id(self) -> str:
        """The archive-wide key: `<site>:<native id>`."""
        return f"{self.site}:{self.native_id}"

    def to_dict(self) -> dict[str, Any]:
        """Plain data (images as dicts), as stored in golden files and passed to the archive."""
        return asdict(self)


# Columns of a record that normalisation derives from the Article.
DERIVED = {
    "id": "Archive key / Ключ: <site>:<id on the site>",
    "published_month": "Month of publication, YYYY-MM / Месяц публикации",
    "word_count": "Words in the body / Слов в тексте",
    "image_count": "Images / Изображений",
    "content_hash": "SHA-256 of title, lead, body, tags, date, author and source",
    "extractor_version": "Extractor version that produced this row / Версия экстрактора",
    "boilerplate_removed": "Rules that removed blocks from the page (see removals) / Что удалено",
}
# Columns the archive keeps of each article beside its record.
KEPT = {
    "pk": "Row number / Номер строки (stable; used by the search index)",
    "first_seen_at": "First archived, UTC / Впервые сохранено",
    "last_seen_at": "Last seen by a crawl, UTC / Последняя проверка",
    "removed_at": "When the site stopped serving it (404/410); kept, never deleted / Снята",
    "checks_done": "Rechecks made since it was first archived / Перепроверок",
    "next_check_at": "Next recheck for edits, UTC (empty: none planned) / Следующая проверка",
    "revision_count": "Earlier versions kept in revisions / Число редакций",
}
# The columns of the articles table a record fills; `images` and `removals` have tables.
ARTICLE_COLUMNS = (
    *(item.name for item in fields(Article) if "description" in item.metadata),
    *DERIVED,
)
# Every column of the articles table, with what it holds.
COLUMN_DESCRIPTIONS = {
    **KEPT,
    **{item.name: item.metadata["description"] for item in fields(Article) if item.metadata},
    **DERIVED,
}
