"""Downloader middlewares: the transport concerns of the crawl, one concern each.

Order (settings.DOWNLOADER_MIDDLEWARES; requests go up the numbers, responses come down):
  40 FetchPolicy   http(s) only, no internal addresses (pipeline.crawl.fetch_policy), every hop
  45 RobotsTxtBounds  robots.txt within a timeout; one that fails is a named error, not a stall
  50 ScopeGuard    refuse offsite and trap URLs (before robots.txt is even fetched for them)
 100 RobotsTxt     Scrapy's, with every waiter for a host's robots.txt getting its rules
 550 BackoffRetry  retry 5xx/timeouts after an exponential, non-blocking delay (or Retry-After)
 560 Challenge     a JS/cookie challenge served as a page is an error, not a document
 610 RedirectLoop  a redirect back into its own chain is a named error (before Scrapy follows it)
 800 Conditional   list pages: validators of the archived copy; a 304 replays that copy
 940 SiteStats     count every exchange per site
 950 Warc          (pipeline.crawl.warc) every exchange as WARC records, before decompression
"""

from __future__ import annotations

import logging
import random
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares import robotstxt as scrapy_robotstxt
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.asyncio import sleep
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from pipeline.crawl.context import CrawlContext, CrawlerComponent, context_of
from pipeline.crawl.fetch_policy import policy_of
from pipeline.crawl.items import KIND_LIST, META_KIND, META_REVALIDATED, META_SITE, META_TRUSTED
from pipeline.crawl.urls import canonical_url, host_of, join_url

if TYPE_CHECKING:
    from scrapy.robotstxt import RobotParser
    from scrapy.settings import BaseSettings

decisions = logging.getLogger("nianbao.decisions")
_T = TypeVar("_T")


class OutOfScope(IgnoreRequest):
    """Refused by the scope guard; `reason` names the rule (offsite, calendar, max_pages …)."""

    def __init__(self, reason: str, url: str) -> None:
        super().__init__(f"{reason}: {url}")
        self.reason = reason


class ChallengeDetected(IgnoreRequest):
    """The site answered with an anti-bot challenge page instead of content."""


class ScopeGuardMiddleware(CrawlerComponent):
    def process_request(self, request: Request) -> None:
        site_id = request.meta.get(META_SITE)
        if site_id is None:
            return None  # robots.txt, fetched by Scrapy for a host already in scope
        ctx = context_of(self.crawler)
        reason = ctx.scope.refusal(
            request.url,
            ctx.scopes[site_id],
            kind=request.meta.get(META_KIND, ""),
            trusted=request.meta.get(META_TRUSTED, False),
        )
        if reason is None:
            return None
        ctx.count(site_id, f"refused/{reason}")
        decisions.debug("refuse %s site=%s reason=%s", request.url, site_id, reason)
        if reason == "offsite":
            note_offsite_redirect(ctx, site_id, request)
        raise OutOfScope(reason, request.url)


def note_offsite_redirect(ctx: CrawlContext, site_id: str, request: Request) -> None:
    """A refused request the site itself redirected to another host: a move or a takeover, a health
    signal (`redirect_offsite`) whichever guard refused it."""
    origins = request.meta.get("redirect_urls")
    if origins and host_of(origins[0]) != host_of(request.url):
        ctx.error(site_id, "redirect_offsite", f"{origins[0]} -> {request.url}")


class FetchPolicyMiddleware(CrawlerComponent):
    """First downloader middleware: a refused request never reaches robots.txt or the network."""

    async def process_request(self, request: Request) -> None:
        policy = policy_of(self.crawler.spider)
        reason = policy.url_refusal(request.url)
        if reason is None and policy.needs_lookup(request.url):
            reason = await policy.resolved_refusal(urlsplit(request.url).hostname or "")
        if reason is None:
            return None
        site_id = request.meta.get(META_SITE)
        ctx = getattr(self.crawler.spider, "ctx", None)
        if isinstance(ctx, CrawlContext):  # the crawl counts; `nianbao discover` only refuses
            if site_id is not None:
                ctx.count(site_id, f"refused/{reason}")
                note_offsite_redirect(ctx, site_id, request)
            else:  # robots.txt of a host that redirects somewhere it must not
                ctx.run_error(f"refused_{reason}", request.url)
        decisions.debug("refuse %s site=%s reason=%s (fetch policy)", request.url, site_id, reason)
        raise OutOfScope(reason, request.url)


class RobotsTxtMiddleware(scrapy_robotstxt.RobotsTxtMiddleware):
    """Scrapy's robots.txt rules, obeyed by every request that waits for the file.

    Scrapy 2.19 hands each request that arrives while robots.txt is being fetched the pending
    Deferred through `asFuture`, which consumes its result: the first waiter gets the parser, the
    others None, and None means "allowed" (a worker of a shared crawl starting with 16 requests of
    one host fetched a Disallowed page). Here each waiter waits on its own Deferred, then reads
    the parser the stock code stored (or None after a failed download, as Scrapy intends).
    """

    async def robot_parser(self, request: Request) -> RobotParser | None:
        netloc = urlparse_cached(request).netloc
        pending = self._parsers.get(netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        fetched: Deferred[None] = Deferred()

        def relay(result: _T) -> _T:
            fetched.callback(None)
            return result

        pending.addBoth(relay)
        await maybe_deferred_to_future(fetched)
        parser = self._parsers.get(netloc)
        return None if isinstance(parser, Deferred) else parser


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry rules, with an exponential pause before each retry.

    The pause is awaited on the event loop, so other downloads go on meanwhile.
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("NIANBAO_RETRY_BACKOFF")
        self.cap = settings.getfloat("NIANBAO_RETRY_BACKOFF_MAX")
        self.retry_after_cap = settings.getfloat("NIANBAO_RETRY_AFTER_MAX")

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        asked = retry_after(response.headers.get("Retry-After"))
        result = super().process_response(request, response)
        if asked is not None and isinstance(result, Request):
            # The server said when (429, 503): that long, within the cap, not our own backoff.
            await sleep(min(asked, self.retry_after_cap))
            return result
        return await self._pause(result)

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:  # type: ignore[override]
        return await self._pause(super().process_exception(request, exception))

    async def _pause(self, result: _T) -> _T:
        if isinstance(result, Request) and self.base > 0:
            attempt = result.meta.get("retry_times", 1)
            delay = min(self.cap, self.base * 2 ** (attempt - 1))
            await sleep(delay * random.uniform(0.75, 1.25))  # jitter: retries of a burst spread out
        return result


def retry_after(value: bytes | None) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or an HTTP date), None if absent or
    unreadable."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text[:9])
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class RedirectLoop(IgnoreRequest):
    """A redirect back to a URL of its own chain (the duplicate filter would drop it silently)."""


class RedirectLoopMiddleware(CrawlerComponent):
    """Sees redirects before Scrapy's redirect middleware follows them: a loop is a named error."""

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if META_SITE not in request.meta or not 300 <= response.status < 400 or not location:
            return response
        target = join_url(request.url, location.decode("latin-1").strip())
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target is not None and canonical_url(target) in {canonical_url(u) for u in chain}:
            raise RedirectLoop(f"redirect loop: {' -> '.join([*chain, target])}")
        return response


class RobotsTxtBoundsMiddleware(CrawlerComponent):
    """robots.txt fetched within NIANBAO_ROBOTS_TIMEOUT, once: one that never answers is a named
    error of its site (robots_unavailable) and counts as absent, instead of a stall and a
    traceback."""

    def process_request(self, request: Request) -> None:
        if _is_robots(request):
            timeout = self.crawler.settings.getfloat("NIANBAO_ROBOTS_TIMEOUT")
            request.meta.setdefault("download_timeout", timeout)
            request.meta["dont_retry"] = True
        return None

    def process_exception(self, request: Request, exception: Exception) -> Response | None:
        if not _is_robots(request):
            return None
        ctx = getattr(self.crawler.spider, "ctx", None)
        host = host_of(request.url)
        detail = f"{request.url}: {type(exception).__name__}: {exception}"
        if isinstance(ctx, CrawlContext):
            for site_id, scope in ctx.scopes.items():
                if host in scope.hosts:
                    ctx.error(site_id, "robots_unavailable", detail)
        return Response(request.url, status=404, request=request)  # absent: Scrapy allows all


def _is_robots(request: Request) -> bool:
    return META_SITE not in request.meta and urlsplit(request.url).path == "/robots.txt"


# Anti-bot pages (quirk: JS cookie challenges that answer 412 or 200 until a script has run).
_CHALLENGE_WORDS = re.compile(
    rb"\xe5\xae\x89\xe5\x85\xa8\xe9\xaa\x8c\xe8\xaf\x81|"  # 安全验证
    rb"\xe4\xba\xba\xe6\x9c\xba\xe9\xaa\x8c\xe8\xaf\x81|"  # 人机验证
    rb"\xe8\xae\xbf\xe9\x97\xae\xe9\xaa\x8c\xe8\xaf\x81|"  # 访问验证
    rb"__jsl_clearance|acw_sc__v2|_waf_|please enable javascript",
    re.I,
)
_SCRIPTED = re.compile(rb"document\.cookie|eval\(|location\.(href|replace|reload)", re.I)
_TAGS = re.compile(rb"<script.*?</script>|<style.*?</style>|<[^>]+>|\s+", re.S | re.I)
_SMALL_PAGE = 16 * 1024


def challenge_reason(status: int, content_type: str, body: bytes) -> str | None:
    """Why a response is a challenge page rather than content (None if it is content)."""
    if "html" not in content_type.lower() and body.lstrip()[:1] != b"<":
        return None
    if len(body) > _SMALL_PAGE:
        return None
    if _CHALLENGE_WORDS.search(body):
        return "challenge wording"
    scripted = _SCRIPTED.search(body)
    if scripted and status in (202, 403, 412, 503, 521):
        return f"HTTP {status} with a script"
    if scripted and status == 200 and len(_TAGS.sub(b"", body)) < 200:
        return "a script and almost no text"
    return None


class ChallengeMiddleware(CrawlerComponent):
    def process_response(self, request: Request, response: Response) -> Response:
        if META_SITE not in request.meta:
            return response
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        reason = challenge_reason(response.status, content_type, response.body)
        if reason:
            raise ChallengeDetected(f"{reason}: {response.url}")
        return response


class ConditionalRequestMiddleware(CrawlerComponent):
    """List pages are fetched every run, but conditionally: a 304 costs no body, and the archived
    copy is handed to the spider instead. `Cache-Control: max-age=0` makes caches on the way
    revalidate too (the RFC 2616 heuristic would otherwise serve a stale list page for days)."""

    def process_request(self, request: Request) -> None:
        if request.meta.get(META_KIND) != KIND_LIST or request.method != "GET":
            return None
        request.headers.setdefault(b"Cache-Control", b"max-age=0")
        ctx = context_of(self.crawler)
        previous = None if ctx.full else ctx.state.get(request.url)
        if previous is None or not previous.sha256 or not (previous.etag or previous.last_modified):
            return None
        if previous.etag:
            request.headers[b"If-None-Match"] = previous.etag
        if previous.last_modified:
            request.headers[b"If-Modified-Since"] = previous.last_modified
        request.meta[META_REVALIDATED] = previous.sha256
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        sha256 = request.meta.get(META_REVALIDATED)
        if response.status != HTTPStatus.NOT_MODIFIED or not sha256:
            return response
        ctx = context_of(self.crawler)
        previous = ctx.state.get(request.url)
        body = ctx.archive.get(sha256)
        headers = Headers({"Content-Type": previous.content_type if previous else "text/html"})
        cls = responsetypes.from_args(headers=headers, url=response.url, body=body)
        return cls(
            url=response.url,
            status=200,
            headers=headers,
            body=body,
            flags=[*response.flags, "not_modified"],
            request=request,
            protocol=response.protocol,
        )


class SiteStatsMiddleware(CrawlerComponent):
    def process_response(self, request: Request, response: Response) -> Response:
        site_id = request.meta.get(META_SITE)
        if site_id is not None:
            context_of(self.crawler).count(site_id, "responses")
        return response
