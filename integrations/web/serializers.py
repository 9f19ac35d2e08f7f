"""JSON shapes of the integrations API (SPEC §7); business rules live in the forms."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ..catalog import FEED_CHOICES, FeedKind, compression_help, either, format_help
from ..destinations import DESTINATION_CHOICES, REGISTRY
from ..destinations.base import Setting
from ..fields import CONFIG_KEYS
from ..filters import MAX_CONDITIONS, OPERATORS
from ..models import Integration, State
from ..paths import LAYOUTS, layout
from .pages import figures_json


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


def _destination_settings(*, secret: bool) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
    """One serializer field per declared destination setting (Destination.settings); a key
    shared by clouds (bucket, auth_mode) is one field, its help naming each cloud's values."""
    by_name: dict[str, list[tuple[str, Setting]]] = {}
    for kind, destination in REGISTRY.items():
        for setting in destination.settings:
            if setting.secret == secret:
                by_name.setdefault(setting.name, []).append((kind, setting))
    fields: dict[str, serializers.Field[Any, Any, Any, Any]] = {}
    for name, declared in by_name.items():
        with_choices = [(kind, list(s.choices)) for kind, s in declared if s.choices]
        if len(with_choices) > 1:
            help_text = "; ".join(f"{kind.upper()}: {', '.join(v)}" for kind, v in with_choices)
        else:
            help_text = either(with_choices[0][1]) if with_choices else ""
        options: dict[str, Any] = {"help_text": help_text} if help_text else {}
        if secret:
            options["write_only"] = True
        elif any(s.read_only for _, s in declared):
            options["read_only"] = True
        fields[name] = _text(**options)
    return fields


ConfigSerializer = type(
    "ConfigSerializer",
    (StrictSerializer,),
    {
        **_destination_settings(secret=False),
        "directory": _text(),
        "manifest_path": _text(),
        "feed_path": _text(),
        "format": _text(help_text=format_help()),
        "compression": _text(help_text=compression_help()),
        "columns": serializers.ListField(
            child=serializers.CharField(),
            required=False,
            allow_null=True,
            help_text="Raw feeds: the columns of the files, in order; empty or absent: all.",
        ),
        "completion_manifests": serializers.BooleanField(
            required=False,
            allow_null=True,
            help_text="Raw feeds: also write a completion manifest per window under "
            "{directory}/_manifests/; false (the default): the files alone, as seed 000.",
        ),
        "layout": _text(
            help_text="Raw feeds: "
            + "; ".join(f"{name}: {label}" for name, label in LAYOUTS.items())
            + ". Absent: ymd."
        ),
        "filters": serializers.ListField(
            child=serializers.DictField(),
            required=False,
            allow_null=True,
            max_length=MAX_CONDITIONS,
            help_text="Every feed: export only the rows meeting all these conditions, each "
            '{"column", "op", "value"} (op eq, ne) or {"column", "op", "values": [...]} (op in, '
            f"not_in); ops: {', '.join(OPERATORS)}. Values typed as the column (numbers, "
            "true/false, text). [] or absent: every row.",
        ),
        "table_path": _text(
            help_text="Format iceberg: the table's folder (metadata/ and data/ below it)."
        ),
        "notification_emails": serializers.ListField(
            child=serializers.CharField(), required=False, allow_null=True
        ),
        "__module__": __name__,
    },
)
SecretsSerializer = type(
    "SecretsSerializer",
    (StrictSerializer,),
    {**_destination_settings(secret=True), "__module__": __name__},
)


class FreshnessSerializer(serializers.Serializer[Any]):
    p50_seconds = serializers.FloatField()
    p95_seconds = serializers.FloatField()
    windows = serializers.IntegerField(help_text="Windows measured.")


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
    freshness = FreshnessSerializer(
        read_only=True,
        allow_null=True,
        help_text="From window close to file complete over the last 7 days of scheduled "
        "windows; null before the first.",
    )

    def to_representation(self, instance: Integration) -> dict[str, Any]:
        return {
            "id": instance.pk,
            "name": instance.name,
            "feed": instance.feed,
            "destination": instance.destination,
            "state": instance.state,
            "config": config_json(instance),
            "secret_hints": instance.secret_hints,
            **figures_json(instance),
            "created_at": serializers.DateTimeField().to_representation(instance.created_at),
            "updated_at": serializers.DateTimeField().to_representation(instance.updated_at),
        }


def config_json(instance: Integration) -> dict[str, Any]:
    """Every config key; a raw feed's layout and every feed's filters with their defaults, so
    integrations saved before those existed read as they export."""
    config = {key: instance.config.get(key) for key in CONFIG_KEYS}
    config["filters"] = config["filters"] or []
    if instance.feed_info.kind == FeedKind.RAW:
        config["layout"] = layout(instance.config)
    return config


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
