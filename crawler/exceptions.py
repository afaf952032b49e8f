"""The crawler's small vocabulary of errors; the CLI turns each into a one-line message."""


class NewsarchiveError(Exception):
    """Base class: a problem the user can fix, said in one line."""


class UnknownSite(NewsarchiveError):
    """No site profile has this name."""


class BadSiteEntry(NewsarchiveError):
    """A registry entry (a TOML file of crawler/registry/) cannot be read as a site."""


class BadBaseUrl(NewsarchiveError):
    """The base URL is not an absolute http(s) URL."""


class BadSetting(NewsarchiveError):
    """A --setting value is not of the type the setting needs."""


class SiteUnreachable(NewsarchiveError):
    """No connection to the site's host could be opened."""


class CrawlNotStarted(NewsarchiveError):
    """Scrapy could not start the crawl (its own error is logged above this line)."""


class PageUnavailable(NewsarchiveError):
    """A page to extract could not be read: no such file, refused by robots.txt, an error."""


class ExtractionFailed(NewsarchiveError):
    """A page does not match its site profile: a required field is missing."""

    def __init__(self, reason: str, url: str) -> None:
        super().__init__(f"{reason}: {url}")
        self.reason = reason
        self.url = url

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        """Rebuilt from its reason and URL, so that it crosses to the crawl from a worker."""
        return ExtractionFailed, (self.reason, self.url)


class NotAnArticle(NewsarchiveError):
    """A candidate page of a site read by its address is no article (a listing, a section…)."""

    def __init__(self, reason: str, url: str) -> None:
        super().__init__(f"not an article ({reason}): {url}")
        self.reason = reason
        self.url = url

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return NotAnArticle, (self.reason, self.url)


class UnsupportedPlan(NewsarchiveError):
    """A crawl option that the site's way of discovery cannot follow."""


class SharedRunDiffers(NewsarchiveError):
    """A shared crawl of the site is running with other options than this crawler's."""


class BadSchedule(NewsarchiveError):
    """The schedule file cannot be read or one of its entries is wrong."""
