"""Sending a stored message: claimed with a conditional update (one worker at a time), signed
as Standard Webhooks says, retried with jittered exponential backoff until the receiver answers
2xx or WEBHOOK_RETRY_HOURS pass, never after. At least once: a worker killed after the
receiver's 2xx but before its commit sends the same `webhook-id` again after its lease, which
outlasts any delivery still in flight.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from exporthub import outbound, queues
from exporthub.metrics import WEBHOOK_ATTEMPTS
from exporthub.retry import RetriedRows, jittered_backoff

from . import slack
from .addresses import target
from .models import Attempt, Endpoint, Message

logger = logging.getLogger(__name__)
Status = Message.Status
LEASE_MARGIN = timedelta(seconds=30)
WAIT = timedelta(seconds=40)  # at most, for a message whose tenant has every place taken
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=2)


def lease() -> timedelta:
    """Longer than a delivery can last: the notifications class's hard time limit ends one
    before, whatever the receiver does, so the sweep never sends a message still in flight."""
    return queues.hard_limit(queues.NOTIFICATIONS) + LEASE_MARGIN


ROWS = RetriedRows(Message, waiting=Status.PENDING, working=Status.SENDING, lease=lease)


def give_up_overdue() -> int:
    """Due messages older than WEBHOOK_RETRY_HOURS (workers were down, say) fail unsent."""
    oldest = timezone.now() - timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    overdue = Message.objects.filter(ROWS.due(), created_at__lt=oldest)
    return overdue.update(status=Status.FAILED, lease_expires_at=None)


def due_by_tenant() -> dict[int, list[int]]:
    """The due messages' ids, oldest first, by tenant."""
    rows = Message.objects.filter(ROWS.due()).order_by("pk")
    due: dict[int, list[int]] = {}
    for tenant_id, pk in rows.values_list("endpoint__integration__tenant_id", "pk"):
        due.setdefault(tenant_id, []).append(pk)
    return due


def tenant_of(message_id: int) -> int | None:
    return (
        Message.objects.filter(pk=message_id)
        .values_list("endpoint__integration__tenant_id", flat=True)
        .first()
    )


def wait_for_a_place(message_id: int) -> str:
    """Its tenant has every place taken: the sweep hands it out again after WAIT, unclaimed."""
    Message.objects.filter(ROWS.due(), pk=message_id, status=Status.PENDING).update(
        next_attempt_at=timezone.now() + jittered_backoff(1, WAIT, WAIT)
    )
    return "waiting"


def deliver(message_id: int) -> str:
    """Send one message if it is due and no other worker has it; its status after."""
    if not ROWS.claim(message_id):
        return "not claimed"
    message = Message.objects.select_related("endpoint").get(pk=message_id)
    deadline = message.created_at + timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    if timezone.now() >= deadline:
        return _finish(message, Status.FAILED)
    began = time.monotonic()
    code, error = _send(message)
    latency = round((time.monotonic() - began) * 1000)
    Attempt.objects.create(message=message, status_code=code, latency_ms=latency, error=error)
    delivered = code is not None and 200 <= code < 300
    WEBHOOK_ATTEMPTS.labels(
        kind=message.endpoint.kind,
        event=message.event,
        outcome="delivered" if delivered else "failed",
    ).inc()
    if delivered:
        return _finish(message, Status.DELIVERED, delivered_at=timezone.now())
    retry_at = timezone.now() + jittered_backoff(message.attempts, FIRST_RETRY, MAX_RETRY)
    if retry_at > deadline:
        return _finish(message, Status.FAILED)
    logger.warning("webhook message %s not delivered (%s)", message.msg_id, error or code)
    return _finish(message, Status.PENDING, next_attempt_at=retry_at)


def _send(message: Message) -> tuple[int | None, str]:
    """The receiver's status code, or None and why there was none (never the URL: a Slack
    URL is a credential)."""
    endpoint: Endpoint = message.endpoint
    secrets = endpoint.get_secrets()
    try:
        where = target(secrets["url"], endpoint.kind)
    except ValidationError as exc:
        return None, " ".join(exc.messages)[:300]
    body, headers = _request(message, endpoint, secrets["secret"])
    answer = outbound.post(
        where,
        body,
        headers,
        seconds=settings.WEBHOOK_TIMEOUT_SECONDS,
        allowed=settings.WEBHOOK_ALLOWED_HOSTS,
    )
    if answer.status is None:
        return None, answer.error
    return answer.status, "" if answer.ok else f"HTTP {answer.status}"


def _request(message: Message, endpoint: Endpoint, secret: str) -> tuple[bytes, dict[str, str]]:
    headers = {"Content-Type": "application/json", "User-Agent": "ExportHub-Webhooks/1"}
    if endpoint.kind == Endpoint.Kind.SLACK:
        return json.dumps({"text": slack.text(message.payload)}).encode(), headers
    body = json.dumps(message.payload, separators=(",", ":"))
    sent_at = timezone.now()
    signature = Webhook(secret).sign(message.msg_id, sent_at, body)
    headers |= {
        "webhook-id": message.msg_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature,
    }
    return body.encode(), headers


def _finish(message: Message, status: str, **fields: object) -> str:
    Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=status, lease_expires_at=None, **fields
    )
    return status
