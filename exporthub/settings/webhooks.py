"""Webhooks: when `run.failed` is sent, where deliveries may go, how long they are tried."""

from __future__ import annotations

from .core import env

# `run.failed` is sent when a run fails this many attempts; URLs must resolve to public
# addresses unless their host is listed here; deliveries are retried for WEBHOOK_RETRY_HOURS.
WEBHOOK_RUN_FAILED_ATTEMPTS = env.int("WEBHOOK_RUN_FAILED_ATTEMPTS", default=3)
WEBHOOK_ALLOWED_HOSTS = env.list("WEBHOOK_ALLOWED_HOSTS", default=[])
WEBHOOK_RETRY_HOURS = env.float("WEBHOOK_RETRY_HOURS", default=24.0)
# One delivery's total wall-clock bound: connect, TLS, the answer's headers and body together.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# Hosts a Slack endpoint may name: Slack's own, and any the operator adds (e.g. a proxy of theirs).
SLACK_WEBHOOK_HOSTS = ["hooks.slack.com", *env.list("SLACK_WEBHOOK_HOSTS", default=[])]
