"""Scrapy settings for Newsarchive, and Newsarchive's own settings, in one place.

Polite defaults are for the real site: robots.txt obeyed, AutoThrottle on, at most two requests
at a time per domain, a User-Agent that names the project. `LOOPBACK_SETTINGS` replaces the
throttling for a mirror or simulator on this machine. Any of these can be changed for one run
with `newsarchive crawl --setting KEY=VALUE`.
"""

from crawler import __version__

PROJECT_URL = "https://github.com/newsarchive/newsarchive"

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
USER_AGENT = f"Newsarchive/{__version__} (+{PROJECT_URL})"

ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_TIMEOUT = 30.0  # seconds; a float, so that --setting DOWNLOAD_TIMEOUT=0.5 is valid
DNS_TIMEOUT = 60.0  # Scrapy's default, as a float for the same reason
# Caps on the body as sent and, for gzip and deflate, as decompressed (a gzip bomb stops here).
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True  # a body cut short is an error to retry, never a page
RETRY_TIMES = 3  # 5xx, 429, timeouts and cut bodies; delays in NEWSARCHIVE_RETRY_*
REDIRECT_MAX_TIMES = 5  # more is a loop
METAREFRESH_ENABLED = False  # a page's <meta refresh> must not steer the crawler anywhere
# A page the spider judges a failure (an error page served with 200) is retried with its
# retry count and redirect history, on purpose.
META_COPY_WARN_SKIP_KEYS = [
    "retry_times", "redirect_urls", "redirect_times", "redirect_ttl", "redirect_reasons",
]  # fmt: skip
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy starts this many asyncio tasks per response to process its output; our callbacks yield
# a dozen results at most and the pipeline never waits, so one task does the work of 100.
CONCURRENT_ITEMS = 1
LOG_LEVEL = "WARNING"

ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
EXTENSIONS = {"crawler.progress.ProgressLine": 500}
# The boundary is checked before anything is sent; raw capture sits next to the downloader, so
# it sees redirects, errors and compressed bodies.
DOWNLOADER_MIDDLEWARES = {
    "crawler.boundary.SiteBoundary": 50,
    "crawler.politeness.CrawlDelay": 120,  # after robots.txt (100), which reads Crawl-delay
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.retry.BackoffRetry": 550,
    "crawler.capture.WarcCapture": 950,
}
# Only encodings raw capture can read back (gzip, deflate).
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "ru",
    "Accept-Encoding": "gzip, deflate",
}

# Newsarchive's own settings, alphabetical.
NEWSARCHIVE_BATCH_SIZE = 100  # articles written per transaction
NEWSARCHIVE_DB = "archive.db"  # the archive the pipeline writes to
NEWSARCHIVE_EXTRACT_WORKERS = 1  # processes parsing pages beside the crawl (0: in the crawl's)
NEWSARCHIVE_FAILURE_MIN_PAGES = 20  # article pages seen before the failure share is judged
NEWSARCHIVE_FAILURE_SHARE = 0.05  # more extraction failures than this ends with exit code 3
NEWSARCHIVE_KNOWN_STREAK = 20  # incremental: stop after this many archived, unchanged entries
NEWSARCHIVE_LEASE_SECONDS = 40  # shared crawl: a dead crawler's requests are queued again in
# at most this and a third of it (under a minute)
NEWSARCHIVE_LEASE_TRIES = 3  # … at most this often; then it is dropped, and said so
NEWSARCHIVE_LINK_DEPTH = 3  # a links walk follows links this far from the home page
NEWSARCHIVE_LINK_MAX_PAGES = 2000  # … and asks at most this many pages per run
NEWSARCHIVE_PROGRESS_INTERVAL = 10.0  # seconds between progress lines on stderr (0: none)
NEWSARCHIVE_RECHECK_AFTER = "3600,86400,604800,2592000"  # recheck delays after publication, s
NEWSARCHIVE_RECHECK_LIMIT = 1000  # at most this many due articles rechecked per run
NEWSARCHIVE_RETRY_DELAY = 2.0  # seconds before the first retry; doubles with each retry
NEWSARCHIVE_RETRY_FAILED_AFTER = "0,86400,604800,2592000"  # a failed page's next try: after
# the 1st, 2nd, 3rd, later failure (s; 0: the next run); a permanent failure waits the last
NEWSARCHIVE_RETRY_MAX_DELAY = 120.0  # cap on a retry's delay, Retry-After included
NEWSARCHIVE_REDIS_URL = ""  # shared crawl: the Redis of its frontier (`crawl --redis`)
NEWSARCHIVE_RUN_ID = None  # the crawl_runs row of this run (set by `newsarchive crawl`)
NEWSARCHIVE_SHARED_END_WAIT = 60.0  # shared crawl: how long its end waits for the writer, s
NEWSARCHIVE_SHARED_FLUSH_SECONDS = 1.0  # … how often a crawler sends what it has, at least
NEWSARCHIVE_SHARED_RUN = ""  # … which run (set by `newsarchive crawl --redis`)
NEWSARCHIVE_SHARED_SITE = ""  # … of which site (likewise)
NEWSARCHIVE_WARC = True  # write every response to WARC
NEWSARCHIVE_WARC_DIR = ""  # where (default: `<db stem>-warc/` beside the archive)
NEWSARCHIVE_WARC_MAX_SIZE = 1_000_000_000  # bytes; a new file starts past this

# What a crawler of a shared crawl uses instead of the archive file: the frontier in Redis (with
# leases), results sent to the writer's stream, the run's end agreed on with the other crawlers.
SHARED_SETTINGS = {
    "SCHEDULER": "crawler.leases.SharedScheduler",
    "ITEM_PIPELINES": {"crawler.stream.StreamPipeline": 300},
    "SPIDER_MIDDLEWARES": {"crawler.shared_crawler.SharedRole": 10},
    "EXTENSIONS": {
        "crawler.progress.ProgressLine": 500,
        "crawler.shared_crawler.SharedRunWatch": 600,
    },
}
SHARED_WARC_DIR = "newsarchive-warc"  # where a crawler of a shared crawl writes raw capture

LOOPBACK_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "NEWSARCHIVE_RETRY_DELAY": 0.1,
}
