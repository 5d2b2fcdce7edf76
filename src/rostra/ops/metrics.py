"""Prometheus metrics: requests per route, comments by outcome, streams, pool use.

With several worker processes each writes its figures to a shared directory
(PROMETHEUS_MULTIPROC_DIR, set by `rostra serve`) and /metrics adds them up.
"""

import os
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter("rostra_http_requests_total", "HTTP requests", ["route", "method", "status"])
LATENCY = Histogram(
    "rostra_http_request_duration_seconds",
    "Time to answer HTTP requests",
    ["route", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
COMMENTS = Counter("rostra_comments_posted_total", "Comments posted, by outcome", ["outcome"])
OUTBOX_SENDS = Counter(
    "rostra_outbox_sends_total",
    "Mails and webhook deliveries taken from the outbox, by outcome",
    ["channel", "outcome"],
)
STREAMS = Gauge(
    "rostra_event_streams_open", "Open live-update streams", multiprocess_mode="livesum"
)
POOL_IN_USE = Gauge(
    "rostra_db_pool_in_use", "Database connections in use", multiprocess_mode="livesum"
)


API_PREFIX = "/api/v1"


def _route_label(scope: Scope) -> str:
    # The route template, never the raw path: ids in paths would make a new
    # series per comment. Routes of included routers carry their path
    # without the router's prefix.
    template = getattr(scope.get("route"), "path", None)
    if template is None:
        return "unmatched"
    if scope["path"].startswith(API_PREFIX + "/") and not template.startswith(API_PREFIX):
        return API_PREFIX + template
    return template


class RequestMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/metrics":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = _route_label(scope)
            REQUESTS.labels(route, scope["method"], str(status)).inc()
            LATENCY.labels(route, scope["method"]).observe(time.perf_counter() - started)


def render(open_streams: int, pool_in_use: int) -> tuple[bytes, str]:
    STREAMS.set(open_streams)
    POOL_IN_USE.set(pool_in_use)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
