"""One page as the field readers see it: its tree, its site's entry, what it says for machines.

Each reader answers `Found(value, source)`, the source naming the evidence it rests on
("json-ld", "meta", "microdata", "profile", "h1", "time", "text", "link", "registry" …), or
None when it has nothing; a field's chain is its readers in order of trust, the first answer
wins, and the source is kept beside the value in the archive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Generic, NamedTuple, TypeVar

from ..sites import Site
from ._boilerplate import Removals
from ._structured import Structured
from ._tree import Element

T = TypeVar("T")


class Found(NamedTuple, Generic[T]):
    """A field's value and the evidence it was read from."""

    value: T
    source: str


@dataclass
class Page:
    """A page being read: the tree (pruned as extraction goes), and what is known of it."""

    url: str
    site: Site
    tz: tzinfo | None
    root: Element
    data: Structured
    removals: Removals
    own_hosts: frozenset[str]
    title: Element | None = None
    body: Element | None = None  # the body as it will be kept
    live_body: Element | None = None  # the body's element in the tree, when it is one
    scope: Element | None = None  # the part of the page that is the article

    def region(self) -> Element:
        """Where the article's metadata is looked for: its scope, else the page's body."""
        if self.scope is not None:
            return self.scope
        body = self.root.find("body")
        return body if body is not None else self.root
