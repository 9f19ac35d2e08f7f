"""Logs (one key=value line per record), the metrics endpoint, the stopped-scheduler alarm."""

from __future__ import annotations

from .core import env

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "kv": {
            "format": "time=%(asctime)s level=%(levelname)s logger=%(name)s msg=%(message)r",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "kv"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}
# /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, it is off (404).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# The beat ticks at least every 5 minutes; twice that without one is a stopped scheduler.
SCHEDULER_STALE_SECONDS = env.int("SCHEDULER_STALE_SECONDS", default=600)
