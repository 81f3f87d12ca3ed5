"""Scale-out: any number of `nianbao crawl --redis URL` workers share one crawl through Redis.

scrapy-redis gives the shared request queue (a sorted set by priority) and the shared duplicate
filter. Alone it loses a killed worker's requests: `pop` removes a request from the queue, and the
duplicate filter marked its URL seen when it was queued, so nobody fetches it again. Here a popped
request becomes a *lease* (owner, serialized request, priority in three hashes), acknowledged when
the engine has finished with it (its response went through the spider and the item pipelines, or
it failed for good, or a retry/redirect replacing it is queued). Each worker refreshes a heartbeat
key with a TTL; the leases of a worker whose key expired go back to the queue. A worker exits only
when the queue is empty, no lease is outstanding and the start requests were seeded (once, by the
first worker, in one atomic script).

Keys, under `<prefix>:run:<run_id>:` (prefix NIANBAO_REDIS_PREFIX): `requests` (sorted set),
`dupefilter` (set), `seeded`, `lease:owner` / `lease:body` / `lease:score` (hashes by lease id),
`lease:next`, `worker:<id>` (heartbeats), `stats` (per-site counters of acknowledged work),
`finished` (the worker that ends the run writes the outputs and the run summary). `<prefix>:current`
names the run workers join; the finishing worker clears it, so the next night starts a new run.
`<prefix>:named:<name>` names the run of a given NIANBAO_REDIS_RUN (kept a week).
Plain Redis (the scripts touch keys they are not given: not for Redis Cluster).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import socket
from typing import TYPE_CHECKING, Any

import redis
from scrapy.crawler import Crawler
from scrapy.http import Request
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from pipeline.crawl.context import context_of, new_run_id

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger("nianbao.distributed")

META_LEASE = "nianbao_lease"  # the lease id of a request popped from the shared queue
STATS_PREFIX = "nianbao/"  # the run summary's counters, merged across workers
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
_RUN_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")


class DistributedError(ValueError):
    """Redis unreachable or its URL malformed: the crawl cannot start."""


def worker_id() -> str:
    """Unique across machines and restarts; readable in logs and WARC file names."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(2)}"


def connect(url: str) -> redis.Redis:
    if not url.startswith(REDIS_SCHEMES):
        raise DistributedError(f"--redis {url!r}: expected a redis://, rediss:// or unix:// URL")
    try:
        server = redis.Redis.from_url(url, socket_connect_timeout=10, socket_timeout=30)
        server.ping()
    except (redis.RedisError, ValueError) as exc:
        raise DistributedError(f"--redis {url}: {exc}") from None
    return server


def join_run(url: str, prefix: str, name: str = "") -> str:
    """The run the workers share. Unnamed: the current run, or a new one this worker starts (a
    worker starting after the run ended begins the next). Named (NIANBAO_REDIS_RUN, e.g. the date
    of the night): the run of that name for a week, so a late worker joins it, finds it ended and
    stops, instead of starting another."""
    if name and not _RUN_NAME.fullmatch(name):
        raise DistributedError(f"NIANBAO_REDIS_RUN {name!r}: letters, digits, '.', '_' and '-' only")
    server = connect(url)
    key, ttl = (f"{prefix}:named:{name}", 7 * 24 * 3600) if name else (f"{prefix}:current", None)
    while True:
        server.set(key, new_run_id(), nx=True, ex=ttl)
        current = server.get(key)
        if current:  # else the run ended in between: start a new one
            return current.decode() if isinstance(current, bytes) else str(current)


def distributed_settings(url: str, prefix: str, run_id: str) -> dict[str, Any]:
    """The Scrapy settings of a worker of run `run_id` (scrapy-redis reads REDIS_URL and the keys;
    its queue class and persistence are in pipeline/settings.py)."""
    base = run_base(prefix, run_id)
    return {
        "REDIS_URL": url,
        "SCHEDULER": "pipeline.crawl.distributed.LeasingScheduler",
        "SCHEDULER_QUEUE_KEY": f"{base}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{base}:dupefilter",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
    }


def run_base(prefix: str, run_id: str) -> str:
    return f"{prefix}:run:{run_id}"


class RunKeys:
    """The Redis keys of one run, derived from its queue key (`<base>:requests`)."""

    def __init__(self, queue_key: str) -> None:
        self.base = queue_key.rsplit(":", 1)[0]
        self.queue = queue_key
        self.dupefilter = f"{self.base}:dupefilter"
        self.seeded = f"{self.base}:seeded"
        self.owner = f"{self.base}:lease:owner"
        self.body = f"{self.base}:lease:body"
        self.score = f"{self.base}:lease:score"
        self.next = f"{self.base}:lease:next"
        self.worker_prefix = f"{self.base}:worker:"
        self.stats = f"{self.base}:stats"
        self.finished = f"{self.base}:finished"
        self.prefix = self.base.split(":run:", 1)[0]
        self.current = f"{self.prefix}:current"
        self.run_id = self.base.rsplit(":", 1)[1]

    def run_keys(self) -> list[str]:
        return [self.queue, self.dupefilter, self.seeded, self.owner, self.body, self.score]


# Pop the best request and lease it to ARGV[1], atomically.
_LEASE = """
local popped = redis.call('ZPOPMIN', KEYS[1])
if #popped == 0 then return false end
local id = tostring(redis.call('INCR', KEYS[5]))
redis.call('HSET', KEYS[2], id, ARGV[1])
redis.call('HSET', KEYS[3], id, popped[1])
redis.call('HSET', KEYS[4], id, popped[2])
return {id, popped[1]}
"""
# Acknowledge a lease, if it is still this worker's (it may have been reaped and re-queued).
_ACK = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1
"""
# Re-queue the leases of every worker whose heartbeat key is gone (ARGV[2]: only this owner).
_REQUEUE = """
local owners = redis.call('HGETALL', KEYS[1])
local n = 0
for i = 1, #owners, 2 do
  local id, owner = owners[i], owners[i + 1]
  local gone = redis.call('EXISTS', ARGV[1] .. owner) == 0
  if owner == ARGV[2] or (ARGV[2] == '' and gone) then
    redis.call('ZADD', KEYS[4], redis.call('HGET', KEYS[3], id), redis.call('HGET', KEYS[2], id))
    redis.call('HDEL', KEYS[1], id)
    redis.call('HDEL', KEYS[2], id)
    redis.call('HDEL', KEYS[3], id)
    n = n + 1
  end
end
return n
"""
# Seed the start requests once per run: ARGV = worker, then (fingerprint, score, body) triples.
_SEED = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return -1 end
local n = 0
for i = 2, #ARGV, 3 do
  if redis.call('SADD', KEYS[3], ARGV[i]) == 1 then
    redis.call('ZADD', KEYS[2], ARGV[i + 1], ARGV[i + 2])
    n = n + 1
  end
end
return n
"""
# Forget the current run if it is this one (the next worker to start begins a new run).
_END_RUN = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""


class LeasedQueue(PriorityQueue):
    """scrapy-redis' priority queue whose pop leases the request instead of dropping it."""

    worker = ""  # set by the scheduler when it opens

    def __init__(self, server: redis.Redis, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.keys = RunKeys(self.key)
        self._lease = server.register_script(_LEASE)

    def pop(self, timeout: int = 0) -> Request | None:
        keys = self.keys
        leased = self._lease(
            keys=[keys.queue, keys.owner, keys.body, keys.score, keys.next], args=[self.worker]
        )
        if not leased:
            return None
        lease_id, data = leased
        request: Request = self._decode_request(data)
        request.meta[META_LEASE] = lease_id.decode()
        return request


class LeasingScheduler(Scheduler):
    """scrapy-redis' scheduler with leases, heartbeats, acknowledgements and a shared finish."""

    def __init__(self, server: redis.Redis, **kwargs: Any) -> None:
        super().__init__(server, **kwargs)
        self.leases: set[str] = set()
        self.finisher = False  # this worker saw the run end first: it writes outputs and summary
        self.lease_timeout = 60.0
        self.flushed: dict[str, int] = {}
        self._ack = server.register_script(_ACK)
        self._requeue = server.register_script(_REQUEUE)
        self._end_run = server.register_script(_END_RUN)
        self.poll_interval = 0.5
        self._beat: task.LoopingCall | None = None
        self._poll: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeasingScheduler:
        scheduler: LeasingScheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.lease_timeout = crawler.settings.getfloat("NIANBAO_LEASE_TIMEOUT")
        scheduler.poll_interval = crawler.settings.getfloat("NIANBAO_REDIS_POLL_INTERVAL")
        return scheduler

    @property
    def keys(self) -> RunKeys:
        return self.queue.keys

    def open(self, spider: Any) -> None:
        super().open(spider)
        self.worker = context_of(self.crawler).worker
        self.queue.worker = self.worker
        self._beat = task.LoopingCall(self.heartbeat)
        self._beat.start(self.lease_timeout / 3, now=True)
        # An idle worker asks the shared queue again soon (the engine's own heartbeat is 5 s).
        self._poll = task.LoopingCall(self._wake)
        self._poll.start(self.poll_interval, now=False)

    def heartbeat(self) -> None:
        """Say this worker is alive, and re-queue the leases of workers that are not. A Redis
        error is logged and counted, and the next beat tries again (an exception would stop the
        loop, and this worker's leases would be taken from it)."""
        keys = self.keys
        try:
            self.server.set(keys.worker_prefix + self.worker, b"1", px=int(self.lease_timeout * 1000))
            requeued = self._requeue(
                keys=[keys.owner, keys.body, keys.score, keys.queue], args=[keys.worker_prefix, ""]
            )
        except redis.RedisError as exc:
            logger.error("worker %s: heartbeat failed: %s", self.worker, exc)
            self.stats.inc_value("nianbao/redis/heartbeat_failed")
            return
        if requeued:
            logger.warning("re-queued %d requests leased by workers that stopped", requeued)
            self.stats.inc_value("nianbao/redis/requeued", requeued)

    def _wake(self) -> None:
        engine = self.crawler.engine
        if engine._slot is not None:  # Scrapy has no public "look at the scheduler again"
            engine._slot.nextcall.schedule()

    def next_request(self) -> Request | None:
        request = super().next_request()
        if request is not None:
            self.leases.add(request.meta[META_LEASE])
        return request

    def finish(self, request: Request) -> None:
        """The engine is done with `request`: acknowledge its lease together with the counters
        it moved (so the merged run summary counts acknowledged work)."""
        lease_id = request.meta.get(META_LEASE)
        if lease_id not in self.leases:
            return
        self.leases.discard(lease_id)
        keys = self.keys
        with self.server.pipeline(transaction=True) as pipe:
            self._ack(keys=[keys.owner, keys.body, keys.score], args=[lease_id, self.worker], client=pipe)
            for name, delta in self._counter_deltas().items():
                pipe.hincrby(keys.stats, name, delta)
            acknowledged = pipe.execute()[0]
        if not acknowledged:
            logger.warning("lease %s of %s was re-queued before it finished", lease_id, request.url)
            self.stats.inc_value("nianbao/redis/lease_lost")

    def _counter_deltas(self) -> dict[str, int]:
        assert self.stats is not None
        now = {
            k: v
            for k, v in self.stats.get_stats().items()
            if k.startswith(STATS_PREFIX) and not k.startswith("nianbao/redis/") and isinstance(v, int)
        }
        deltas = {k: v - self.flushed.get(k, 0) for k, v in now.items() if v != self.flushed.get(k, 0)}
        self.flushed = now
        return deltas

    def has_pending_requests(self) -> bool:
        keys = self.keys
        with self.server.pipeline(transaction=True) as pipe:
            queued, leased, seeded = pipe.zcard(keys.queue).hlen(keys.owner).exists(keys.seeded).execute()
        if queued or leased or not seeded:
            return True
        self._claim_finish()
        return False

    def _claim_finish(self) -> None:
        """The run is over (nothing queued or leased): the first worker to see it ends the run."""
        keys = self.keys
        if self.finisher or not self.server.set(keys.finished, self.worker.encode(), nx=True):
            return
        self.finisher = True
        self._end_run(keys=[keys.current], args=[keys.run_id])
        logger.info("run %s ended: this worker writes the outputs and the run summary", keys.run_id)

    def merge_counters(self, stats: StatsCollector) -> None:
        """Replace this worker's per-site counters by the run's (every worker's acknowledged work)."""
        merged = {k.decode(): int(v) for k, v in self.server.hgetall(self.keys.stats).items()}
        for name in [k for k in stats.get_stats() if k.startswith(STATS_PREFIX)]:
            if not name.startswith("nianbao/redis/"):
                stats.set_value(name, merged.pop(name, 0))
        for name, value in merged.items():
            stats.set_value(name, value)

    def close(self, reason: str) -> None:
        for loop in (self._beat, self._poll):
            if loop is not None and loop.running:
                loop.stop()
        keys = self.keys
        if self.leases:  # stopped early (Ctrl-C, CLOSESPIDER_*): hand the work back at once
            requeued = self._requeue(
                keys=[keys.owner, keys.body, keys.score, keys.queue], args=[keys.worker_prefix, self.worker]
            )
            logger.info("handed %d leased requests back to the queue", requeued)
        self.server.delete(keys.worker_prefix + self.worker)
        if self.finisher:  # kept a day for inspection, then gone
            for key in [*keys.run_keys(), keys.next, keys.stats, keys.finished]:
                self.server.expire(key, 24 * 3600)
        super().close(reason)


def seed(crawler: Crawler, requests: list[Request]) -> int:
    """Queue the start requests unless the run was seeded (-1); returns how many were queued."""
    scheduler = crawler.engine.scheduler
    assert isinstance(scheduler, Scheduler)
    keys = RunKeys(scheduler.queue.key)
    args: list[Any] = [context_of(crawler).worker]
    for request in requests:
        request.meta.setdefault("is_start_request", True)
        encoded = scheduler.queue._encode_request(request)  # the queue's own format
        args += [scheduler.df.request_fingerprint(request), -request.priority, encoded]
    script = scheduler.server.register_script(_SEED)
    seeded = int(script(keys=[keys.seeded, keys.queue, keys.dupefilter], args=args))
    if seeded >= 0:
        logger.info("seeded run %s with %d start requests", keys.run_id, seeded)
    return seeded
