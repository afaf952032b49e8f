"""The registry of supported sites: one entry per site, its spider named after it."""

from __future__ import annotations

from dataclasses import dataclass

from .exceptions import UnknownSite


@dataclass(frozen=True)
class Site:
    """A news site: where it lives and what it is called."""

    name: str
    title: str
    base_url: str
    domains: tuple[str, ...]


SITES = {
    "sdelanounas": Site(
        name="sdelanounas",
        title="Сделано у нас",
        base_url="https://sdelanounas.ru",
        domains=("sdelanounas.ru", "www.sdelanounas.ru"),
    ),
}


def get_site(name: str) -> Site:
    """The site of that name, or UnknownSite listing the names there are."""
    try:
        return SITES[name]
    except KeyError:
        known = ", ".join(sorted(SITES))
        raise UnknownSite(f"unknown site {name!r}; known sites: {known}") from None
