"""THE Scrapy settings of nianbao (`scrapy.cfg` points here; `nianbao crawl` loads them too).

Politeness is the default: robots.txt obeyed, AutoThrottle on, at most 2 requests at a time per
host, a User-Agent that names the project and where to reach it. Tests and the benchmark switch it
off for loopback replicas through the runner's overrides (pipeline.crawl.runner.POLITENESS_OFF),
never by editing this file.
"""

from pipeline import limits

BOT_NAME = "nianbao"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

USER_AGENT = (
    "nianbao/0.1 (annual reports on open government information; +https://github.com/nianbao/nianbao)"
)
ROBOTSTXT_OBEY = True

# Scrapy 2.19 starts a code-executing control server and a telnet console by default.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False

# --- politeness -------------------------------------------------------------------------------
CONCURRENT_REQUESTS = 32  # many sites at once …
CONCURRENT_REQUESTS_PER_DOMAIN = 2  # … but never more than 2 in flight per host
DOWNLOAD_DELAY = 1.0  # the floor AutoThrottle never goes below
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 256 * 1024 * 1024
DOWNLOAD_WARNSIZE = 64 * 1024 * 1024

# --- retries: 5xx and timeouts, exponential backoff (pipeline.crawl.middlewares.BackoffRetry) --
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
NIANBAO_RETRY_BACKOFF = 2.0  # seconds before the first retry, doubled for each further one
NIANBAO_RETRY_BACKOFF_MAX = 60.0
NIANBAO_RETRY_AFTER_MAX = 120.0  # a server's Retry-After (429, 503) is honoured up to this many seconds
NIANBAO_ROBOTS_TIMEOUT = 30.0  # seconds for robots.txt; one that does not answer counts as absent

# --- scope: a crawl always ends ---------------------------------------------------------------
DEPTH_LIMIT = 250  # backstop only: list pages per site (NIANBAO_MAX_LIST_PAGES) bind first
NIANBAO_MAX_HOPS = 3  # sub-column levels below a start page
NIANBAO_MAX_LIST_PAGES = 200  # per site and run, unless the registry sets max_pages
URLLENGTH_LIMIT = 512
REDIRECT_MAX_TIMES = 5
MEDIA_ALLOW_REDIRECTS = True
COOKIES_ENABLED = True  # some CMSs keep paging state in a session cookie

# THE fetch policy's connection-time half: names resolving to internal addresses are refused.
TWISTED_DNS_RESOLVER = "pipeline.crawl.fetch_policy.PolicyResolver"

# Our own validator store replaces the HTTP cache (its RFC 2616 heuristic skips list pages).
HTTPCACHE_ENABLED = False

# --- the crawl's own parts --------------------------------------------------------------------
NIANBAO_PARSE_WORKERS = 0  # processes parsing documents during the crawl (0: one per core)
# Per-document budgets of those workers (their home is pipeline.limits; settable for one run).
NIANBAO_PARSE_MAX_SECONDS = limits.PARSE_MAX_SECONDS
NIANBAO_PARSE_MAX_MEMORY_BYTES = limits.PARSE_MAX_MEMORY_BYTES
NIANBAO_PRINT_SUMMARY = True  # print the per-site table and the datasets summary at the end (-q: off)

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,  # the scope guard knows sites
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,  # replaced by the backoff retry
    "pipeline.crawl.middlewares.FetchPolicyMiddleware": 40,
    "pipeline.crawl.middlewares.RobotsTxtBoundsMiddleware": 45,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,  # replaced by a fixed one
    "pipeline.crawl.middlewares.RobotsTxtMiddleware": 100,
    "pipeline.crawl.middlewares.ScopeGuardMiddleware": 50,
    "pipeline.crawl.middlewares.BackoffRetryMiddleware": 550,
    "pipeline.crawl.middlewares.ChallengeMiddleware": 560,
    "pipeline.crawl.middlewares.RedirectLoopMiddleware": 610,
    "pipeline.crawl.middlewares.ConditionalRequestMiddleware": 800,
    "pipeline.crawl.middlewares.SiteStatsMiddleware": 940,
    # Closer to the downloader than decompression (590) and the conditional middleware (800):
    # WARC records get the bytes and statuses (304) that went over the wire.
    "pipeline.crawl.warc.WarcMiddleware": 950,
}
ITEM_PIPELINES = {
    "pipeline.crawl.pipelines.ArchivePipeline": 100,
    "pipeline.crawl.pipelines.ParsePipeline": 200,
    "pipeline.crawl.pipelines.OutputsPipeline": 900,
}
EXTENSIONS = {
    "pipeline.crawl.summary.RunSummary": 500,
    "pipeline.crawl.shared.KillSwitch": 100,  # inert unless the test-only setting below is set
}
# Shared crawls (`--redis`): the start requests are queued once per run; inert in a crawl of its own.
SPIDER_MIDDLEWARES = {"pipeline.crawl.shared.SeedOnceMiddleware": 10}

# A response yields one item (its own body); Scrapy starts this many tasks per response.
CONCURRENT_ITEMS = 8

# --- scale-out (`nianbao crawl --redis URL`, pipeline.crawl.distributed) -----------------------
NIANBAO_REDIS_PREFIX = "nianbao"  # Redis key prefix: one prefix per independent set of workers
NIANBAO_REDIS_RUN = ""  # a name for the night's run (e.g. its date): late workers join, not restart
NIANBAO_LEASE_TIMEOUT = 60.0  # seconds without a heartbeat before a worker's requests are re-queued
NIANBAO_REDIS_POLL_INTERVAL = 0.5  # seconds between an idle worker's looks at the shared queue
NIANBAO_TEST_SIGKILL_AFTER_DOCUMENTS = 0  # tests only: a worker kills itself at its N-th document
# scrapy-redis's own settings, read by its scheduler only (`--redis` runs set SCHEDULER, REDIS_URL
# and the run's keys: pipeline.crawl.distributed.distributed_settings).
SCHEDULER_QUEUE_CLASS = "pipeline.crawl.distributed.LeasedQueue"  # pops lease, not drop
SCHEDULER_PERSIST = True  # the shared queue outlives any one worker

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
