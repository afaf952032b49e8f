"""No request leaves the site: other hosts and schemes are refused, whatever the flags."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from crawler.boundary import SiteBoundary
from spiders.sdelanounas import SdelanounasSpider


@pytest.fixture
def boundary() -> SiteBoundary:
    crawler = get_crawler(SdelanounasSpider)
    crawler.spider = SdelanounasSpider(base_url="http://127.0.0.1:8800")
    return SiteBoundary(crawler)


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/blogs/1/",
        "http://127.0.0.2:8800/blogs/1/",
        "file:///etc/passwd",
        "ftp://sdelanounas.ru/blogs/1/",
        "https://sdelanounas.ru.evil.example/",
    ],
)
def test_offsite_and_other_schemes_are_refused_even_without_the_filter(
    boundary: SiteBoundary, url: str
) -> None:
    with pytest.raises(IgnoreRequest, match="outside the site"):
        boundary.process_request(Request(url, dont_filter=True))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8800/blogs/?page=3",
        "https://sdelanounas.ru/blogs/5/",
        "https://www.sdelanounas.ru/",
    ],
)
def test_the_site_itself_is_allowed(boundary: SiteBoundary, url: str) -> None:
    assert boundary.process_request(Request(url)) is None
