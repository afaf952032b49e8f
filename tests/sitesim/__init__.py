"""A local copy of sdelanounas.ru for tests and benchmarks, built from the real fixtures."""

from .corpus import Corpus, SimArticle
from .server import SiteSimulator

__all__ = ["Corpus", "SimArticle", "SiteSimulator"]
