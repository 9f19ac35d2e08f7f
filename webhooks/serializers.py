"""JSON shapes of the webhooks API (SPEC §9)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from .events import EVENTS
from .models import Endpoint


class EndpointSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    integration = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=Endpoint.Kind.values, default=Endpoint.Kind.WEBHOOK)
    url = serializers.CharField(
        write_only=True, max_length=2000, help_text="https; shown back masked as url_hint."
    )
    url_hint = serializers.CharField(read_only=True)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=list(EVENTS)),
        required=False,
        help_text="Default: every event for webhooks; all but window.delivered for Slack.",
    )
    created_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance: Endpoint) -> dict[str, Any]:
        return {
            "id": instance.pk,
            "integration": instance.integration_id,
            "kind": instance.kind,
            "url_hint": instance.url_hint,
            "events": instance.events,
            "created_at": instance.created_at.isoformat(),
        }


class CreatedEndpointSerializer(EndpointSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="The signing secret (whsec_…), shown once: verify webhook-signature with it.",
    )
