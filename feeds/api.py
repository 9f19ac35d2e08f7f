"""The feed routes of the API: bulk ingestion (all rows or none), runs, reprocessing an hour,
backfilling a range."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from exporthub.allocator import cycles_uncollected
from exporthub.api.parsers import JSONParser
from exporthub.api.throttling import INGEST, WRITE
from exporthub.metrics import INGESTED_EVENTS, REJECTED_BATCHES
from exporthub.tenancy.auditlog import actor_for
from integrations.catalog import FEEDS
from integrations.models import get_integration

from .ingestion.marks import IngestionTooSlow, store_marked
from .ingestion.parsing import parse_events
from .ingestion.store import store_events
from .models import ExportRun
from .runs.on_demand import backfills
from .runs.on_demand.queued import QueueFull
from .runs.on_demand.reprocessing import ReprocessingRefused, request_reprocessing
from .tasks import export_run

ROW_ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "line": {"type": "integer"},
        "field": {"type": "string"},
        "message": {"type": "string"},
    },
    "required": ["line", "field", "message"],
}


class EventIngestView(APIView):
    parser_classes: list[type] = []  # the body is read as a stream, within the size limit
    throttle_classes = INGEST

    @extend_schema(
        request={"application/json": {"type": "array", "items": {"type": "object"}},
                 "application/x-ndjson": {"type": "string"}},
        responses={
            202: inline_serializer("Accepted", {"accepted": serializers.IntegerField()}),
            # Spelled out: drf-spectacular documents `many=True` error serializers as one object.
            400: {"type": "array", "items": ROW_ERROR_SCHEMA},
            404: None,
            413: None,
            503: None,
        },
    )  # fmt: skip
    def post(self, request: Request, feed: str) -> Response:
        """Store a JSON array or JSON lines of events; one bad row rejects the whole batch."""
        if feed not in FEEDS:
            return Response({"detail": "No such feed."}, status=status.HTTP_404_NOT_FOUND)
        limit = settings.INGEST_MAX_BYTES
        declared = request.META.get("CONTENT_LENGTH") or "0"
        oversized = declared.isdigit() and int(declared) > limit
        body = b"" if oversized or not request.stream else request.stream.read(limit + 1)
        if oversized or len(body) > limit:
            REJECTED_BATCHES.labels(feed=feed, reason="too_large").inc()
            return Response(
                {"detail": f"The body exceeds {limit} bytes; send smaller batches."},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        with cycles_uncollected():
            rows, errors = parse_events(feed, body)
        if errors:
            REJECTED_BATCHES.labels(feed=feed, reason="invalid").inc()
            return Response(
                [error.as_json() for error in errors], status=status.HTTP_400_BAD_REQUEST
            )
        tenant = request.auth.tenant  # type: ignore[union-attr]
        try:
            # Received when its mark is committed (ingestion.marks): the schedule closes a raw
            # window only once no ingestion that could still add rows to it is in flight.
            with cycles_uncollected():
                count = store_marked(
                    tenant.pk, feed, lambda at: store_events(tenant, feed, ((r, at) for r in rows))
                )
        except IngestionTooSlow:
            REJECTED_BATCHES.labels(feed=feed, reason="too_slow").inc()
            return Response(
                {"detail": "Storing the batch took too long; nothing was stored. Send it again."},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": "5"},
            )
        INGESTED_EVENTS.labels(feed=feed).inc(count)
        return Response({"accepted": count}, status=status.HTTP_202_ACCEPTED)


def _queue_full(full: QueueFull) -> Response:
    headers = {"Retry-After": str(full.retry_after)}
    return Response(
        {"detail": str(full)}, status=status.HTTP_429_TOO_MANY_REQUESTS, headers=headers
    )


class FileSerializer(serializers.Serializer[dict[str, object]]):
    name = serializers.CharField()
    bytes = serializers.IntegerField()
    md5 = serializers.CharField()


class RunSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    processed_on = serializers.DateTimeField(allow_null=True)
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    rows = serializers.IntegerField()
    files = FileSerializer(many=True)
    destination = serializers.CharField(
        help_text="Bucket or container written to (s3://…, gs://…, azure://account/container)."
    )
    path = serializers.CharField()
    manifest = serializers.CharField()
    error = serializers.SerializerMethodField()
    retrying_since = serializers.SerializerMethodField(
        help_text="A failed run still being retried: its first failed attempt since it last "
        "succeeded; null otherwise."
    )
    next_attempt_at = serializers.DateTimeField(
        allow_null=True, help_text="When a failed run is tried next; null when it waits."
    )

    def get_error(self, run: ExportRun) -> str | None:
        return f"{run.error_code}: {run.error_message}" if run.error_code else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_retrying_since(self, run: ExportRun) -> str | None:
        if run.status != ExportRun.Status.FAILED or run.failing_since is None:
            return None
        return serializers.DateTimeField().to_representation(run.failing_since)


class RunListView(APIView):
    @extend_schema(responses={200: RunSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        """Runs of an integration, newest window first (`?status=` filters, `?limit=` ≤ 500)."""
        integration = get_integration(request.auth.tenant, pk)  # type: ignore[union-attr]
        runs = ExportRun.objects.filter(integration=integration)
        if request.query_params.get("status"):
            runs = runs.filter(status=request.query_params["status"])
        limit = request.query_params.get("limit", "100")
        runs = runs[: min(int(limit), 500) if limit.isdigit() else 100]
        return Response(RunSerializer(list(runs), many=True).data)


class ReprocessSerializer(serializers.Serializer[dict[str, object]]):
    hour = serializers.DateTimeField(help_text="The data hour, ISO 8601 with timezone.")


class ReprocessView(APIView):
    parser_classes = [JSONParser]
    throttle_classes = WRITE

    @extend_schema(request=ReprocessSerializer, responses={202: RunSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Export an hour again (Admin keys): a new run, path and manifest; nothing overwritten."""
        integration = get_integration(request.auth.tenant, pk)  # type: ignore[union-attr]
        payload = ReprocessSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            run = request_reprocessing(
                integration, payload.validated_data["hour"], actor_for(request)
            )
        except ReprocessingRefused as refusal:
            raise serializers.ValidationError({"hour": [str(refusal)]}) from None
        except QueueFull as full:
            return _queue_full(full)
        transaction.on_commit(lambda: export_run.delay(run.pk))
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class BackfillRequestSerializer(serializers.Serializer[dict[str, object]]):
    start = serializers.DateTimeField(help_text="First instant, ISO 8601 with timezone (UTC).")
    end = serializers.DateTimeField(help_text="End, exclusive; at most the last closed window.")


class BackfillSerializer(serializers.Serializer[Any]):  # reads a backfills.BackfillProgress
    id = serializers.IntegerField(source="backfill.pk")
    start = serializers.DateTimeField(source="backfill.start")
    end = serializers.DateTimeField(source="backfill.end")
    requested_at = serializers.DateTimeField(source="backfill.requested_at")
    windows = serializers.IntegerField(source="total", help_text="Windows it exports.")
    done = serializers.IntegerField(help_text="Of those, exported so far.")
    skipped = serializers.IntegerField(help_text="Of those, past the retention before their turn.")
    running = serializers.BooleanField()
    reprocessed = serializers.IntegerField(
        source="backfill.reprocessed",
        help_text="Log-level hours exported before, exported again as a new generation.",
    )
    delivered_before = serializers.ListField(
        child=serializers.DateTimeField(), source="backfill.delivered_before",
        help_text="Raw windows already delivered, left alone.",
    )  # fmt: skip
    queued_before = serializers.ListField(
        child=serializers.DateTimeField(), source="backfill.queued_before",
        help_text="Windows already waiting or running, left to the schedule.",
    )  # fmt: skip


class BackfillView(APIView):
    parser_classes = [JSONParser]

    def get_throttles(self) -> list[Any]:
        return [throttle() for throttle in WRITE] if self.request.method == "POST" else []

    @extend_schema(responses={200: BackfillSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        """The integration's backfills, newest first, with their progress (at most 20)."""
        integration = get_integration(request.auth.tenant, pk)  # type: ignore[union-attr]
        found = backfills.progress_of(list(integration.backfills.all()[:20]))
        return Response(BackfillSerializer(found, many=True).data)

    @extend_schema(request=BackfillRequestSerializer, responses={202: BackfillSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Export a past range (Admin keys): windows never exported under their usual names,
        log-level hours exported before as new generations; delivered raw windows are left
        alone. One backfill at a time per integration, behind the live schedule."""
        integration = get_integration(request.auth.tenant, pk)  # type: ignore[union-attr]
        payload = BackfillRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            backfill = backfills.request_backfill(
                integration, payload.validated_data["start"], payload.validated_data["end"],
                actor_for(request),
            )  # fmt: skip
        except backfills.BackfillRefused as refusal:
            raise serializers.ValidationError({"detail": [str(refusal)]}) from None
        except QueueFull as full:
            return _queue_full(full)
        return Response(
            BackfillSerializer(backfills.progress(backfill)).data, status=status.HTTP_202_ACCEPTED
        )
