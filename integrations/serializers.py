"""JSON shapes of the integrations API (SPEC §7); business rules live in the forms."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from feeds.catalog import FEED_CHOICES, compression_help

from .destinations import DESTINATION_CHOICES
from .fields import CONFIG_KEYS
from .models import Integration, State


class StrictSerializer(serializers.Serializer[Any]):
    """Unknown keys are an error, so a typo never silently drops a setting."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})
        return super().to_internal_value(data)


def _text(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(required=False, allow_null=True, allow_blank=True, **kwargs)


class ConfigSerializer(StrictSerializer):
    bucket = _text()
    region = _text()
    sse = _text(help_text="none, sse-s3 or sse-kms")
    kms_key_id = _text()
    endpoint_url = _text()
    auth_mode = _text(help_text="S3: access_key, platform, assume_role; GCS: key, platform")
    role_arn = _text()
    service_account_email = _text(read_only=True)
    storage_account = _text()
    container = _text()
    directory = _text()
    manifest_path = _text()
    feed_path = _text()
    format = _text(help_text="protobuf, protobuf-delimited or avro")
    compression = _text(help_text=compression_help())
    notification_emails = serializers.ListField(
        child=serializers.CharField(), required=False, allow_null=True
    )


class SecretsSerializer(StrictSerializer):
    access_key = _text(write_only=True)
    secret_key = _text(write_only=True)
    sas_token = _text(write_only=True)
    service_account_key = _text(write_only=True)


class IntegrationSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=100)
    feed = serializers.ChoiceField(choices=FEED_CHOICES)
    destination = serializers.ChoiceField(choices=DESTINATION_CHOICES)
    state = serializers.ChoiceField(choices=State.choices, read_only=True)
    config = ConfigSerializer(required=False)
    secrets = SecretsSerializer(required=False, write_only=True)
    secret_hints = serializers.DictField(
        child=serializers.CharField(), read_only=True, help_text="Masked hints, e.g. …XYZ1."
    )
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance: Integration) -> dict[str, Any]:
        return {
            "id": instance.pk,
            "name": instance.name,
            "feed": instance.feed,
            "destination": instance.destination,
            "state": instance.state,
            "config": {key: instance.config.get(key) for key in CONFIG_KEYS},
            "secret_hints": instance.secret_hints,
            "created_at": serializers.DateTimeField().to_representation(instance.created_at),
            "updated_at": serializers.DateTimeField().to_representation(instance.updated_at),
        }


class VerificationStepSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    ok = serializers.BooleanField(allow_null=True, help_text="null while the step has not run.")
    status = serializers.ChoiceField(choices=["pending", "passed", "failed", "skipped"])
    code = serializers.CharField(help_text="The provider's error code, when failed.")
    detail = serializers.CharField()
    hint = serializers.CharField(help_text="What to fix, when failed.")


class VerificationSerializer(serializers.Serializer[Any]):
    """Documents verification_json(); the views build the JSON themselves."""

    id = serializers.IntegerField()
    integration = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["running", "passed", "failed"])
    steps = VerificationStepSerializer(many=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
