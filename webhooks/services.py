"""Adding and removing endpoints (with audit entries, never the URL or the secret), and the
test event."""

from __future__ import annotations

import base64
import secrets as random

from django.core.exceptions import ValidationError
from django.db import transaction

from exporthub.tenancy.auditlog import Actor, record
from integrations.models import Integration

from . import events
from .addresses import checked_url, url_hint
from .models import Endpoint, Message

MAX_ENDPOINTS = 10  # per integration: each is a request for every event


def clean_events(kind: str, chosen: list[str] | None) -> list[str]:
    if not chosen:
        return events.default_events(kind)
    unknown = sorted(set(chosen) - set(events.EVENTS))
    if unknown:
        raise ValidationError(f"Unknown event(s): {', '.join(unknown)}.")
    return [event for event in events.EVENTS if event in chosen]


def add_endpoint(
    integration: Integration, kind: str, url: str, chosen: list[str] | None, actor: Actor
) -> tuple[Endpoint, str]:
    """The new endpoint and its signing secret, returned once and shown once."""
    if kind not in Endpoint.Kind.values:
        raise ValidationError({"kind": ["Choose webhook or slack."]})
    try:
        selected = clean_events(kind, chosen)
    except ValidationError as exc:
        raise ValidationError({"events": exc.messages}) from None
    try:
        checked = checked_url(url, kind)
    except ValidationError as exc:
        raise ValidationError({"url": exc.messages}) from None
    if integration.webhooks.count() >= MAX_ENDPOINTS:
        raise ValidationError(f"An integration has at most {MAX_ENDPOINTS} webhooks.")
    secret = "whsec_" + base64.b64encode(random.token_bytes(32)).decode()
    endpoint = Endpoint(integration=integration, kind=kind, events=selected)
    endpoint.url_hint = url_hint(checked)
    endpoint.set_secrets(checked, secret)
    with transaction.atomic():
        endpoint.save()
        record(
            integration.tenant, "webhook.created", actor, target_type="webhook",
            target_id=endpoint.pk, target_label=endpoint.url_hint,
            changes={"integration": integration.pk, "kind": kind, "events": selected},
        )  # fmt: skip
    return endpoint, secret


def remove_endpoint(endpoint: Endpoint, actor: Actor) -> None:
    with transaction.atomic():
        record(
            endpoint.integration.tenant, "webhook.deleted", actor, target_type="webhook",
            target_id=endpoint.pk, target_label=endpoint.url_hint,
            changes={"integration": endpoint.integration_id},
        )  # fmt: skip
        endpoint.delete()


def send_test(endpoint: Endpoint) -> Message:
    payload = events.body(
        events.TEST, endpoint.integration, {"message": "A test event from ExportHub."}
    )
    with transaction.atomic():
        return events.send_to(endpoint, events.TEST, payload)
