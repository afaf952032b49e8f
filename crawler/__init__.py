"""Newsarchive's crawler: Scrapy settings, the Article schema, extraction, pipelines and CLI."""

__version__ = "0.1.0"
