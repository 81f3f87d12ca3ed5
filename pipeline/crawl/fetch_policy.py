"""What the crawl may fetch at all, whatever a site links to or redirects to: THE fetch policy.

Only http and https; never an address that is not on the public internet (loopback, private,
link-local, multicast, reserved — a link or a redirect to 127.0.0.1, 10.x or 169.254.169.254 is
how a crawler is made to read internal services), checked on the addresses the host name
resolves to, for every request and so for every redirect hop. Hosts given with `--allow-host`
(loopback replicas in tests and the demo) are the only exceptions, by exact `host:port`.

Two places apply it: `middlewares.FetchPolicyMiddleware`, first in the downloader chain, refuses and counts
(`refused/<reason>` in the run summary); `PolicyResolver`, the crawl's DNS resolver, refuses
again at connection time, so a name that resolves differently the second time (DNS rebinding)
still cannot reach an internal address.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import DNSLookupError
from twisted.internet.threads import deferToThread

from pipeline.crawl.urls import host_of

if TYPE_CHECKING:
    from twisted.internet.defer import Deferred

ALLOWED_SCHEMES = frozenset({"http", "https"})
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def address_refusal(address: Address) -> str | None:
    """Why an address must not be fetched from (None for a public one)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link_local"
    if address.is_multicast:
        return "multicast"
    if address.is_unspecified or address.is_reserved:
        return "reserved"
    if address.is_private:
        return "private"
    return None if address.is_global else "reserved"  # shared, documentation, benchmarking …


def literal_address(host: str) -> Address | None:
    """The address a URL host spells directly (`127.0.0.2`, `[::1]`), else None (a name)."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


@dataclass
class FetchPolicy:
    allowed_hosts: frozenset[str] = frozenset()  # `host:port` exactly as --allow-host gives them
    _answers: dict[str, list[Address]] = field(default_factory=dict)  # host name -> addresses

    @property
    def allowed_names(self) -> frozenset[str]:
        """The host names of the allowed hosts, without port or brackets (what a resolver sees)."""
        return frozenset(urlsplit(f"http://{h}/").hostname or h for h in self.allowed_hosts)

    def url_refusal(self, url: str) -> str | None:
        """The refusal a URL earns before any DNS lookup, if any."""
        parts = urlsplit(url)
        if parts.scheme.lower() not in ALLOWED_SCHEMES:
            return "scheme"
        try:
            host = host_of(url)
        except ValueError:
            return "bad_url"
        if not parts.hostname:
            return "bad_url"
        if host in self.allowed_hosts:
            return None
        literal = literal_address(parts.hostname)
        return address_refusal(literal) if literal is not None else None

    def needs_lookup(self, url: str) -> bool:
        parts = urlsplit(url)
        return host_of(url) not in self.allowed_hosts and literal_address(parts.hostname or "") is None

    async def resolved_refusal(self, host: str) -> str | None:
        """The refusal the addresses of a host name earn (the first lookup is kept for the run)."""
        if host not in self._answers:
            self._answers[host] = await maybe_deferred_to_future(deferToThread(_lookup, host))
        for address in self._answers[host]:
            reason = address_refusal(address)
            if reason:
                return reason
        return None


def policy_of(spider: Any) -> FetchPolicy:
    """The policy of a spider's run: the crawl's (its CrawlContext), else one from the spider's
    `allow_hosts` (`nianbao discover`), else the strict default. Every spider has one."""
    ctx_policy = getattr(getattr(spider, "ctx", None), "fetch_policy", None)
    if isinstance(ctx_policy, FetchPolicy):
        return ctx_policy
    policy = getattr(spider, "fetch_policy", None)
    if not isinstance(policy, FetchPolicy):
        policy = FetchPolicy(allowed_hosts(getattr(spider, "allow_hosts", ())))
        if spider is not None:
            spider.fetch_policy = policy
    return policy


def _lookup(host: str) -> list[Address]:
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []  # the download itself will fail and say so (fetch_DNSLookupError)
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def allowed_hosts(hosts: Iterable[str]) -> frozenset[str]:
    return frozenset(h.strip().lower() for h in hosts if h.strip())


class PolicyResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing names that resolve to an address the policy refuses
    (unless allowed): the connection-time half of the policy. Scrapy builds one per process,
    from the CrawlerProcess, so the policies are those of the process's crawls."""

    owner: Any

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> PolicyResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.owner = crawler
        return resolver

    def getHostByName(self, name: str, timeout: Any = (1, 3, 11, 45)) -> Deferred[str]:
        deferred = super().getHostByName(name, timeout)
        deferred.addCallback(self._check, name)
        return deferred

    def _allowed_names(self) -> frozenset[str]:
        crawlers = getattr(self.owner, "crawlers", None) or [self.owner]
        spiders = [getattr(c, "spider", None) for c in crawlers]
        return frozenset().union(*(policy_of(s).allowed_names for s in spiders if s is not None))

    def _check(self, address: str, name: str) -> str:
        literal = literal_address(address)
        reason = address_refusal(literal) if literal is not None else None
        if reason and name.lower() not in self._allowed_names():
            raise DNSLookupError(f"{name} resolves to a {reason} address ({address}): refused")
        return address
