"""A hostile tenant's row filters: a body nested deeper than the parser recurses is a 400 on
every route that parses JSON, never a 500; values full of SQL metacharacters select exactly the
rows holding them, on every reader of the window."""

from __future__ import annotations

import gzip
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.test import Client

from exporthub.tenancy.models import ApiKey, Role, Tenant
from feeds.demo.synthetic import Generator
from feeds.ingestion.store import store_events
from feeds.models import ExportRun
from feeds.schema.columns import stored_columns
from integrations.filters import as_lines
from integrations.models import Integration
from tests.feeds.readers import read_csv_gz
from tests.integrations.destinations.s3.buckets import new_bucket, objects
from tests.support.exports import active, run_exports
from tests.support.iceberg_spec import read_rows, read_spec_table
from tests.support.integrations import api_client, make_integration

pytestmark = pytest.mark.django_db
DEPTH = 100_000  # far past Python's recursion limit, far below the body size limit
NESTED = "[" * DEPTH + "]" * DEPTH


@pytest.fixture
def admin(tenant: Tenant) -> Client:
    return api_client(ApiKey.issue(tenant, Role.ADMIN, "hostile")[1])


def _filters_body() -> str:
    body: dict[str, Any] = {
        "name": "std", "feed": "standard_feed", "destination": "s3",
        "config": {"bucket": "acme-exports", "region": "eu-west-1", "manifest_path": "/m",
                   "feed_path": "/f/%TIMESTAMP%", "format": "avro", "compression": "NONE",
                   "filters": [{"column": "event_type", "op": "eq", "value": "NESTED"}]},
        "secrets": {"access_key": "AKIAEXAMPLE0000000001", "secret_key": "s" * 40},
    }  # fmt: skip
    return json.dumps(body).replace('"NESTED"', NESTED)


def test_a_filter_nested_past_the_recursion_limit_is_a_400_on_create(admin: Client) -> None:
    answer = admin.post("/api/v1/integrations", _filters_body(), content_type="application/json")
    assert answer.status_code == 400, answer.content[:300]
    assert "JSON" in answer.json()["detail"]
    assert not Integration.objects.exists()


@pytest.mark.parametrize("route", ["", "/reprocess", "/backfill"])
def test_a_body_nested_past_the_recursion_limit_is_a_400_on_every_json_route(
    admin: Client, tenant: Tenant, route: str
) -> None:
    integration = make_integration(tenant, "s3", "standard_feed")
    body = '{"config": {"filters": ' + NESTED + "}}"
    url = f"/api/v1/integrations/{integration.pk}{route}"
    method = admin.patch if not route else admin.post
    answer = method(url, body, content_type="application/json")
    assert answer.status_code == 400, answer.content[:300]


# Text a query built by formatting would break on: quotes, backslashes (E'' strings, COPY's
# escapes, `\N`), psycopg's placeholders, dollar quoting, a comment, non-ASCII, four-byte UTF-8.
HOSTILE_VALUES = [
    "O'Brien\\",
    "100%s %(x)s %% %b",
    "$$; DROP TABLE feeds_click; $$",
    "\\N",
    "E'\\x00' -- ",
    'Ünïcødé ☃ "quoted", comma 😀',
]
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def _ids(data_format: str, files: dict[str, bytes], bucket: str) -> list[str]:
    if data_format == "iceberg":
        table = read_rows(files, read_spec_table(files, f"s3://{bucket}", "lake/clicks"))
        return [str(record["click_id"]) for record in table.to_pylist()]
    (data,) = [v for k, v in files.items() if "clicks" in k]
    if data_format == "csv":
        return [row[0] for row in read_csv_gz(data)[1:]]
    if data_format == "jsonl":
        return [json.loads(line)["click_id"] for line in gzip.decompress(data).splitlines()]
    return [str(r["click_id"]) for r in pq.read_table(io.BytesIO(data)).to_pylist()]


@pytest.mark.parametrize("data_format", ["csv", "jsonl", "parquet", "iceberg"])
def test_filter_values_full_of_sql_metacharacters_select_exactly_their_rows_on_every_reader(
    s3_env: str, tenant: Tenant, data_format: str
) -> None:
    # Each reader (COPY csv, JSON rendered by the server, binary COPY, the Iceberg writer's
    # rows; the ORM on SQLite) must match the values as text, byte for byte.
    sub1 = [column.name for column in stored_columns("clicks")].index("sub1")
    pairs = list(
        Generator("clicks", 5).rows(len(HOSTILE_VALUES) * 3, T0, T0 + timedelta(minutes=10))
    )
    decoys = ["O'Brien", "100", "\\\\N", "Unicode"]
    chosen = [*HOSTILE_VALUES, *HOSTILE_VALUES, *decoys]
    stored = [
        ((*row[:sub1], chosen[n % len(chosen)], *row[sub1 + 1 :]), at)
        for n, (row, at) in enumerate(pairs)
    ]
    store_events(tenant, "clicks", stored)
    bucket = new_bucket(s3_env)
    where = {"table_path": "/lake/clicks"} if data_format == "iceberg" else {}
    config = {"format": data_format, **where}
    if data_format in ("csv", "jsonl"):
        config["compression"] = "GZIP"
    integration = active(
        tenant, "s3", "clicks", T0, bucket=bucket,
        filters=as_lines([{"column": "sub1", "op": "in", "values": HOSTILE_VALUES}]),
        **config,
    )  # fmt: skip
    assert integration.config["filters"][0]["values"] == HOSTILE_VALUES
    run_exports("2026-11-22T10:16:00Z")
    kept = sorted(str(row[0]) for row, _ in stored if row[sub1] in HOSTILE_VALUES)
    assert 0 < len(kept) < len(stored)
    assert sorted(_ids(data_format, objects(s3_env, bucket), bucket)) == kept
    run = ExportRun.objects.get(integration=integration)
    assert (run.status, run.rows) == ("succeeded", len(kept))
