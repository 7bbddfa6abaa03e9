"""Runtime configuration, read once from the environment (prefix ``BROADSHEET_``)."""

from __future__ import annotations

import os
from functools import lru_cache
from ipaddress import ip_network
from pathlib import Path
from typing import Literal

from limits import parse
from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_PATH = Path("var") / "broadsheet.db"
OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT"
# What a route class's freshness setting may say (each with a number of seconds).
FRESHNESS_DIRECTIVES = ("max-age", "s-maxage", "stale-while-revalidate", "stale-if-error")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BROADSHEET_", env_file=".env", extra="ignore")

    # DATABASE_URL is also accepted without the prefix: it is the de-facto convention.
    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_SQLITE_PATH}",
        validation_alias=AliasChoices("DATABASE_URL", "BROADSHEET_DATABASE_URL"),
    )
    debug: bool = False
    # "transaction": PostgreSQL is reached through PgBouncer in transaction mode, so no
    # connection-level state is used (api/db/pooler.py). "off": a direct connection.
    db_pooler: Literal["off", "transaction"] = "off"
    # Migrations connect here, directly to PostgreSQL (not through the pooler); unset:
    # database_url.
    migrations_database_url: str | None = None
    # Connection pool sizing (PostgreSQL, and SQLite files); its checkout wait -> 503 past it.
    pool_size: int = Field(default=10, ge=1, le=200)
    pool_max_overflow: int = Field(default=10, ge=0, le=200)
    pool_timeout_seconds: float = Field(default=5.0, gt=0)
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)
    # Short reads on SQLite run on the event loop's thread instead of aiosqlite's (api/db.py).
    sqlite_reads_on_loop: bool = True
    # Known queries the SQL plans cover skip strawberry's pipeline and per-field execution
    # (api.graphql.execution); off, every query runs on standard execution.
    graphql_compiled: bool = True
    # A JSON manifest of trusted GraphQL documents (hash -> document, or a list): when set,
    # only those run (api.graphql.persisted). Unset: any valid document, and APQ by hash.
    graphql_trusted_documents: Path | None = None
    # glibc malloc arenas for a serving process (api.edge.memory); 0 keeps glibc's default.
    malloc_arena_max: int = Field(default=2, ge=0, le=64)
    # Objects alive once the app has started stay out of the collector's passes.
    gc_freeze: bool = True
    cors_origins: list[str] = Field(default_factory=list)
    public_base_url: str = "http://127.0.0.1:8000"
    # Request bodies above this are refused with 413 before they are parsed.
    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    # A retry arriving while its first request still runs waits this long, then gets 409.
    idempotency_wait_seconds: float = Field(default=5.0, ge=0, le=60)
    # Reads are public unless this is set; writes always need a key with the write scope.
    require_key_for_reads: bool = False
    rate_limit_enabled: bool = True
    # `limits` notation ("600/minute", "10/second"); anonymous callers count per address.
    rate_limit_anonymous: str = "600/minute"
    rate_limit_keyed: str = "6000/minute"
    # When set, rate-limit counters live in Redis, shared by every worker.
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("REDIS_URL", "BROADSHEET_REDIS_URL")
    )
    # Keeps counters apart when several deployments share one Redis.
    rate_limit_prefix: str = "broadsheet"
    # Peers whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses, CIDR ranges or
    # "*"). Empty: nobody's, so no client can pick the address it is limited and logged by.
    trusted_proxies: list[str] = Field(default_factory=list)

    # --- Live stream (SSE /v1/stream and GraphQL subscriptions) ---
    # Caught up, a stream re-reads the changes log this often: other processes' writes.
    stream_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    stream_heartbeat_seconds: float = Field(default=15.0, gt=0, le=300)
    # Concurrent streams per worker; beyond it new ones get 503 with Retry-After.
    stream_max_connections: int = Field(default=100, ge=1)
    # A stream ends after this long and the client resumes with Last-Event-ID: proxies cut
    # long connections anyway, and an end keeps the contract fuzzer's calls finite.
    stream_max_seconds: float = Field(default=3600.0, gt=0)
    # Streams (SSE and subscriptions together) one client address may hold open per worker,
    # so that one client cannot take every slot.
    stream_max_per_client: int = Field(default=10, ge=1)
    # Open WebSockets per worker (idle ones included); one more is refused with 503.
    websocket_max_connections: int = Field(default=100, ge=1)
    # A WebSocket with no subscription running for this long is closed (code 4408).
    websocket_idle_seconds: float = Field(default=15.0, gt=0, le=3600)
    # --- Stories (api.domain.stories) ---
    # Articles are grouped into stories as they are written; off, writes skip it (benchmarks).
    stories_enabled: bool = True
    # Articles further apart than this (either way) are never compared for a story.
    story_window_hours: float = Field(default=72.0, gt=0, le=24 * 30)

    # --- Webhooks ---
    # Run the outbox workers (webhook deliveries, cache purges) inside `broadsheet serve`
    # (off: run `broadsheet worker`).
    webhook_worker: bool = True
    # Hosts, addresses or CIDR ranges a target may resolve to although private/loopback.
    webhook_allowed_hosts: list[str] = Field(default_factory=list)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    webhook_max_attempts: int = Field(default=8, ge=1, le=50)
    # Backoff before attempt n+1: random in [0, min(max, base * 2**(n-1))] ("full jitter").
    webhook_backoff_base_seconds: float = Field(default=30.0, ge=0)
    webhook_backoff_max_seconds: float = Field(default=6 * 3600.0, ge=0)
    # A claimed delivery is someone else's until then; a killed worker's claims expire.
    webhook_lease_seconds: float = Field(default=60.0, gt=0)
    webhook_poll_seconds: float = Field(default=1.0, gt=0)
    webhook_batch_size: int = Field(default=20, ge=1, le=500)
    # --- HTTP cache in front (docs/operations.md#behind-a-cache-or-cdn) ---
    # Public freshness per route class: the directives after "public, " (max-age for
    # browsers, s-maxage for shared caches, stale-while-revalidate, stale-if-error).
    cache_article: str = "max-age=60, s-maxage=300, stale-while-revalidate=60, stale-if-error=86400"
    cache_feed: str = "max-age=30, s-maxage=60, stale-while-revalidate=30, stale-if-error=86400"
    cache_syndication: str = (
        "max-age=60, s-maxage=300, stale-while-revalidate=60, stale-if-error=86400"
    )
    cache_catalog: str = (
        "max-age=300, s-maxage=3600, stale-while-revalidate=600, stale-if-error=86400"
    )
    cache_graphql: str = "max-age=30, s-maxage=60, stale-while-revalidate=30, stale-if-error=86400"
    # Cache endpoints each committed change sends purges to (by key); empty: none are sent.
    cache_purge_urls: list[str] = Field(default_factory=list)
    # PURGE or BAN, with the keys in this header (space-separated): the reference VCL takes
    # PURGE + xkey-purge (or xkey-softpurge) and BAN + xkey-purge.
    cache_purge_method: Literal["PURGE", "BAN"] = "PURGE"
    cache_purge_header: str = Field(default="xkey-purge", pattern=r"^[A-Za-z0-9-]{1,64}$")
    cache_purge_timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    cache_purge_max_attempts: int = Field(default=12, ge=1, le=100)
    # Backoff before attempt n+1, as for webhooks: random in [0, min(max, base * 2**(n-1))].
    cache_purge_backoff_base_seconds: float = Field(default=1.0, ge=0)
    cache_purge_backoff_max_seconds: float = Field(default=300.0, ge=0)
    # An idle purge worker looks for other processes' purges this often (its own process's
    # commits wake it at once).
    cache_purge_poll_seconds: float = Field(default=1.0, gt=0)
    cache_purge_batch_size: int = Field(default=200, ge=1, le=5000)

    # --- Observability: logs, metrics, tracing ---
    # One JSON object per log line (the per-request line included); "text" for a terminal.
    log_format: Literal["json", "text"] = "json"
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    # Prometheus exposition at /metrics; each worker has its own unless
    # PROMETHEUS_MULTIPROC_DIR is set (then any worker answers for all).
    metrics_enabled: bool = True
    # /metrics answers only a request with a valid API key (any scope).
    metrics_require_key: bool = False
    # One OpenTelemetry span per request; on by default when an OTLP endpoint is configured.
    tracing_enabled: bool = Field(default_factory=lambda: bool(os.environ.get(OTLP_ENDPOINT)))

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    # --- Reliability: time budgets, admission limits, shutdown (docs/configuration.md)
    # A request still unanswered after this gets 503 + Retry-After (its work is cancelled).
    request_timeout_seconds: float = Field(default=15.0, gt=0, le=600)
    # One SQL statement's budget (PostgreSQL statement_timeout; SQLite progress handler).
    statement_timeout_ms: int = Field(default=5000, ge=0)  # 0: no limit
    # Connecting to PostgreSQL: short, so an outage answers 503 fast instead of hanging.
    db_connect_timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    # Writing transactions at once per worker (api/db/write_lane.py); 0: the default, one
    # (reads keep their latency under bulk writes). Past the queue limit a write gets 503.
    write_concurrency: int = Field(default=0, ge=0, le=200)
    write_queue_limit: int = Field(default=64, ge=0, le=10_000)
    # Requests in progress per worker; one more is refused at once with 503 + Retry-After.
    max_concurrent_requests: int = Field(default=64, ge=1, le=10_000)
    # Idle keep-alive connections are closed after this (uvicorn timeout_keep_alive).
    keep_alive_timeout_seconds: int = Field(default=5, ge=1, le=300)
    # A request's line and headers must arrive within this (from the connection's start for
    # the first request, from its first byte for later ones), else 408 and the connection closes.
    header_timeout_seconds: float = Field(default=10.0, ge=0.1, le=300)
    # Request line plus headers above this: 431 and the connection closes (api/edge/slow_clients).
    max_header_bytes: int = Field(default=16 * 1024, ge=1024, le=1024 * 1024)
    # SIGTERM: stop accepting, let requests in flight finish for this long, then exit.
    graceful_shutdown_seconds: int = Field(default=30, ge=0, le=3600)

    # --- Read replicas (PostgreSQL streaming standbys; docs/moving-to-postgresql.md) ---
    # Reads go to a healthy replica; empty: every statement runs on database_url.
    replica_urls: list[str] = Field(default_factory=list)
    # A replica further behind than this is skipped until it catches up.
    replica_max_lag_seconds: float = Field(default=10.0, gt=0, le=3600)
    # How often each replica's health, lag and applied position are checked.
    replica_check_seconds: float = Field(default=1.0, gt=0, le=60)

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_proxies(cls, value: list[str]) -> list[str]:
        for entry in value:
            if entry != "*":
                try:
                    ip_network(entry, strict=False)
                except ValueError as exc:
                    raise ValueError(f"not an address or CIDR range: {entry!r}") from exc
        return value

    @field_validator("replica_urls")
    @classmethod
    def _postgres_replicas(cls, value: list[str]) -> list[str]:
        for url in value:
            if not url.startswith(("postgresql://", "postgresql+", "postgres://")):
                raise ValueError(f"a replica must be a PostgreSQL URL: {url.split('@')[-1]!r}")
        return value

    @field_validator(
        "cache_article", "cache_feed", "cache_syndication", "cache_catalog", "cache_graphql"
    )
    @classmethod
    def _valid_freshness(cls, value: str) -> str:
        for directive in value.split(","):
            name, _, seconds = directive.strip().partition("=")
            if name not in FRESHNESS_DIRECTIVES or not seconds.isdigit():
                raise ValueError(
                    f"not a list of {', '.join(FRESHNESS_DIRECTIVES)} with seconds: {value!r}"
                )
        return value

    @field_validator("cache_purge_urls")
    @classmethod
    def _valid_purge_urls(cls, value: list[str]) -> list[str]:
        for url in value:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"not an http(s) URL: {url!r}")
        return value

    @field_validator("rate_limit_anonymous", "rate_limit_keyed")
    @classmethod
    def _valid_limit(cls, value: str) -> str:
        try:
            parse(value)
        except ValueError as exc:
            raise ValueError(f"not a rate limit like '600/minute': {value!r}") from exc
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
