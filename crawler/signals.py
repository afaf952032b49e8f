"""Newsarchive's own Scrapy signals."""

# Sent by the archive pipeline just before it commits a batch: raw capture must be on disk
# before the database rows that point to it.
before_commit = object()
