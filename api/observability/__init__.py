"""Observability: request ids, one JSON log line per request, Prometheus metrics, tracing."""

from api.observability.app import ObservedStarlette, Telemetry, metrics_routes

__all__ = ["ObservedStarlette", "Telemetry", "metrics_routes"]
