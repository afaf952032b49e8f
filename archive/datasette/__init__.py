"""Datasette configuration for an archive: metadata, templates and plugins."""
