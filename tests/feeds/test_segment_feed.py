"""The second log-level feed, defined only in the registry: ingested through its route, exported
hourly to each stand-in in each log-level format, read back by readers ExportHub does not write
with, and served by the same pages and schema downloads as the first."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import ApiKey, Role, Tenant
from feeds.demo.synthetic import Generator
from feeds.runs import clock
from feeds.schema.columns import stored_columns
from feeds.schema.published import FOLDER
from integrations.destinations import REGISTRY
from integrations.models import Integration
from tests.support.clouds import live_destination
from tests.support.exports import active, run_exports, valid_manifest

from .conftest import ON_THE_SPARK_WORKER
from .readers import message_row, read_avro, read_delimited

pytestmark = pytest.mark.django_db
FEED = "segment_feed"
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
SEQUENCE_FILE_VALUES = "org.apache.hadoop.io.BytesWritable"
# The vendor's public log-level segment feed (Xandr's "Segment Feed"), its columns in its order.
PUBLIC_COLUMNS = [
    "date_time", "user_id_64", "member_id", "segment_id", "is_daily_unique",
    "is_monthly_unique", "value", "partition_time_millis",
]  # fmt: skip
HOUR_MILLIS = 1_795_341_600_000  # 2026-11-22T10:00:00Z, the hour every row falls in


def _ingest(tenant: Tenant, count: int) -> list[tuple[Any, ...]]:
    """Synthetic segment loads sent as JSON lines through `POST /api/v1/events/segment_feed`."""
    rows = [row for row, _ in Generator(FEED, 11).rows(count, HOUR, HOUR + timedelta(hours=1))]
    names = [column.name for column in stored_columns(FEED)]
    lines = [
        {
            n: v.isoformat() if isinstance(v, datetime) else v
            for n, v in zip(names, row, strict=True)
        }
        for row in rows
    ]
    body = "\n".join(json.dumps(line) for line in lines)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(tenant, Role.ADMIN, 'ingest')[1]}")
    with clock.simulated(HOUR + timedelta(minutes=59)):  # received within the hour
        response = api.post(f"/api/v1/events/{FEED}", body, content_type="application/x-ndjson")
    assert response.status_code == 202 and response.json() == {"accepted": count}
    return rows


def _read(data_format: str, data: bytes, tmp_path: Path, spark: Any) -> list[tuple[Any, ...]]:
    if data_format == "avro":  # the Apache avro reader, with the published schema as reader's
        return [tuple(record[n] for n in PUBLIC_COLUMNS) for record in read_avro(data)]
    if data_format == "protobuf":  # Hadoop's own SequenceFile reader
        path = tmp_path / "part.seq"
        path.write_bytes(data)
        from feeds.schema.derived import message_class

        values = spark.sequenceFile(str(path), None, SEQUENCE_FILE_VALUES).values().collect()
        return [message_row(FEED, message_class(FEED).FromString(bytes(v))) for v in values]
    import gzip

    return [message_row(FEED, m) for m in read_delimited(gzip.decompress(data), FEED)]


FORMATS = [("avro", "DEFLATE"), ("protobuf", "SNAPPY"), ("protobuf-delimited", "GZIP")]
# Every registered cloud and every format, each at least once; Hadoop reads protobuf.
CASES = [
    pytest.param(
        list(REGISTRY)[n % len(REGISTRY)], data_format, compression,
        marks=[ON_THE_SPARK_WORKER] if data_format == "protobuf" else [],
    )
    for n in range(max(len(REGISTRY), len(FORMATS)))
    for data_format, compression in [FORMATS[n % len(FORMATS)]]
]  # fmt: skip


@pytest.mark.parametrize(("destination", "data_format", "compression"), CASES)
def test_the_segment_feed_reaches_every_cloud_in_every_log_level_format(
    tenant: Tenant,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    destination: str,
    data_format: str,
    compression: str,
) -> None:
    fields, read_back = live_destination(destination, request)
    active(tenant, destination, FEED, HOUR, format=data_format, compression=compression, **fields)
    sent = _ingest(tenant, 300)
    run_exports("2026-11-22T11:11:00Z")
    files = read_back()
    ((name, body),) = [(k, v) for k, v in files.items() if k.startswith("manifests/")]
    manifest = valid_manifest(body)
    timestamp = manifest["processed_on"]
    assert name == f"manifests/segment_feed-998-2026112210-{timestamp}.json"
    assert manifest["path"] == f"/feeds/segment_feed/2026/11/22/10/{timestamp}"
    assert manifest["feed_type"] == FEED
    assert manifest["feed_properties"]["data_format"] == data_format
    assert manifest["feed_properties"]["compression_type"] == compression
    spark = request.getfixturevalue("spark") if data_format == "protobuf" else None
    rows: list[tuple[Any, ...]] = []
    for entry in manifest["files"]:
        data = files[f"feeds/segment_feed/2026/11/22/10/{timestamp}/{entry['name']}"]
        assert entry["checksum"] == hashlib.md5(data).hexdigest()
        rows += _read(data_format, data, tmp_path, spark)
    key = repr  # rows hold None, so they sort by their text
    published = [(*row, _partition_time(data_format)) for row in sent]
    assert sorted(rows, key=key) == sorted(published, key=key)


def _partition_time(data_format: str) -> Any:
    """partition_time_millis as read back: Avro's timestamp-millis is an instant to its reader."""
    return HOUR if data_format == "avro" else HOUR_MILLIS


def test_it_publishes_the_vendors_columns_in_their_order_with_their_types() -> None:
    avsc = json.loads((FOLDER / f"{FEED}.avsc").read_text())
    assert [field["name"] for field in avsc["fields"]] == PUBLIC_COLUMNS
    assert avsc["fields"][-1]["type"] == {"type": "long", "logicalType": "timestamp-millis"}
    proto = (FOLDER / f"{FEED}.proto").read_text()
    declared = re.findall(r"^  (?:optional )?(\w+) (\w+) = (\d+);$", proto, re.MULTILINE)
    assert [name for _, name, _ in declared] == PUBLIC_COLUMNS
    assert declared[-1] == ("int64", "partition_time_millis", "8")


def test_the_pages_and_schema_downloads_serve_the_segment_feed(
    tenant: Tenant, admin_client: Client
) -> None:
    form = admin_client.get(f"/t/{tenant.slug}/integrations/new/s3/{FEED}/")
    assert form.status_code == 200 and "Manifest path" in form.content.decode()
    integration = active(tenant, "s3", FEED, HOUR, bucket="not-contacted", format="avro",
                         compression="SNAPPY")  # fmt: skip
    assert isinstance(integration, Integration)
    page = admin_client.get(f"/t/{tenant.slug}/integrations/{integration.pk}/").content.decode()
    assert "Segment feed" in page and f"/schemas/{FEED}.proto" in page and "Backfill" in page
    for kind in ("proto", "avsc"):
        served = admin_client.get(f"/schemas/{FEED}.{kind}")
        assert served.status_code == 200
        assert served.content.decode() == (FOLDER / f"{FEED}.{kind}").read_text()
