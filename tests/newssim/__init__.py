"""Simulated news sites of several kinds (WordPress, Atom blog, link-only, off-site canonical,
robots rules, RIA Novosti, Kommersant) for end-to-end tests of discovery by sitemap, feed and
links, each described exactly by its ground truth."""

from .server import NewsServer, RunningNewsSite, start_news_site
from .site import KINDS, Expected, NewsSite

__all__ = ["KINDS", "Expected", "NewsServer", "NewsSite", "RunningNewsSite", "start_news_site"]
