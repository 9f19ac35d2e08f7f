"""Project-wide diagnostic tasks."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="exporthub.ping")
def ping(token: str) -> str:
    """Answer a liveness probe so operators can prove a worker consumes the queue."""
    return f"pong:{token}"
