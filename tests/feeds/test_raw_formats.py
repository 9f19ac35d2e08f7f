"""Raw feeds in Parquet and JSON Lines (issue 22): the same folder tree and window names, read
back by independent readers (pyarrow and DuckDB for Parquet, `json` for JSON Lines) with exact
values for every column type; CSV.gz stays the default."""

from __future__ import annotations

import gzip
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import duckdb
import pyarrow.parquet as pq
import pytest
from django.test import Client

from exporthub.tenancy.models import ApiKey, Role, Tenant
from feeds.formats.values import csv_text
from feeds.schema.columns import COLUMNS
from integrations.models import Integration
from tests.integrations.destinations.s3.buckets import new_bucket, objects
from tests.support.exports import active, events, run_exports
from tests.support.integrations import api_client, form_data
from tests.support.integrations import make_integration as make

from .readers import read_csv_gz

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
FEEDS = ("clicks", "conversions")  # between them every column type: int64, int32, string,
# timestamp, decimal, bool, with nulls


def _export(
    s3_env: str, tenant: Tenant, feed: str, **config: str
) -> tuple[dict[str, bytes], list[Any]]:
    bucket = new_bucket(s3_env)
    active(tenant, "s3", feed, T0, bucket=bucket, directory=f"/{feed}", completion_manifests="on",
           **config)  # fmt: skip
    sent = events(tenant, feed, 400, T0, T0 + timedelta(minutes=15))
    run_exports("2026-11-22T10:16:00Z")
    return objects(s3_env, bucket), sent


def _by_first_column(rows: list[Any]) -> list[Any]:
    return sorted(rows, key=lambda row: row[0])


def _manifest(files: dict[str, bytes], feed: str) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(
        files[f"{feed}/_manifests/2026/11/22/2026-11-22-10-00.manifest.json"]
    )
    return manifest


@pytest.mark.parametrize("feed", FEEDS)
@pytest.mark.parametrize("compression", ["ZSTD", "SNAPPY"])
def test_parquet_windows_read_back_exactly_with_pyarrow_and_duckdb(
    s3_env: str, tenant: Tenant, feed: str, compression: str, tmp_path: Path
) -> None:
    files, sent = _export(s3_env, tenant, feed, format="parquet", compression=compression)
    data = files[f"{feed}/2026/11/22/2026-11-22-10-00.parquet"]
    table = pq.read_table(io.BytesIO(data))
    names = [column.name for column in COLUMNS[feed]]
    assert table.column_names == names
    metadata = pq.ParquetFile(io.BytesIO(data)).metadata
    assert metadata.row_group(0).column(0).compression == compression
    rows = [tuple(record[name] for name in names) for record in table.to_pylist()]
    assert _by_first_column(rows) == _by_first_column([tuple(r) for r in sent])
    path = tmp_path / "window.parquet"
    path.write_bytes(data)
    with duckdb.connect() as db:
        read = db.execute("SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
        types = dict(
            db.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()[i][:2]
            for i in range(len(names))
        )
    # DuckDB reads timestamps with a time zone in the session's zone; compare instants.
    normalised = [
        tuple(v.astimezone(UTC) if isinstance(v, datetime) else v for v in row) for row in read
    ]
    assert _by_first_column(normalised) == _by_first_column([tuple(r) for r in sent])
    assert types["event_time"] == "TIMESTAMP WITH TIME ZONE"
    manifest = _manifest(files, feed)
    assert manifest["feed_properties"]["data_format"] == "parquet"
    assert manifest["feed_properties"]["compression_type"] == compression
    assert [f["name"] for f in manifest["files"]] == ["2026-11-22-10-00.parquet"]


@pytest.mark.parametrize("feed", FEEDS)
def test_json_lines_windows_carry_values_as_the_ingestion_api_takes_them(
    s3_env: str, tenant: Tenant, feed: str
) -> None:
    files, sent = _export(s3_env, tenant, feed, format="jsonl")
    lines = gzip.decompress(files[f"{feed}/2026/11/22/2026-11-22-10-00.jsonl.gz"]).splitlines()
    records = [json.loads(line) for line in lines]
    names = [column.name for column in COLUMNS[feed]]
    assert all(list(record) == names for record in records)

    def as_json(value: Any) -> Any:
        if value is None or isinstance(value, bool | int | str):
            return value
        return csv_text(value)  # timestamps: ISO 8601 UTC with µs; decimals: plain strings

    expected = [tuple(as_json(v) for v in row) for row in sent]
    assert _by_first_column([tuple(r[n] for n in names) for r in records]) == _by_first_column(
        expected
    )
    assert _manifest(files, feed)["feed_properties"]["data_format"] == "jsonl"


def test_csv_gz_stays_the_default_through_the_api(tenant: Tenant) -> None:
    api: Client = api_client(ApiKey.issue(tenant, Role.ADMIN, "ci")[1])
    body: dict[str, Any] = {
        "name": "Clicks", "feed": "clicks", "destination": "s3",
        "config": {"bucket": "acme-exports", "region": "us-west-2", "directory": "/clicks",
                   "notification_emails": ["a@acme.example"]},
        "secrets": {"access_key": "AKIAEXAMPLE000000000", "secret_key": "s" * 40},
    }  # fmt: skip
    created = api.post("/api/v1/integrations", body, "application/json")
    assert created.status_code == 201, created.content
    assert created.json()["config"]["format"] == "csv"
    assert created.json()["config"]["compression"] == "GZIP"
    body["name"], body["config"]["directory"] = "Clicks in Parquet", "/parquet"
    body["config"] |= {"format": "parquet"}
    parquet = api.post("/api/v1/integrations", body, "application/json").json()
    assert (parquet["config"]["format"], parquet["config"]["compression"]) == ("parquet", "ZSTD")


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"format": "parquet", "compression": "GZIP"}, "compression"),
        ({"format": "jsonl", "compression": "ZSTD"}, "compression"),
        ({"format": "avro"}, "format"),  # a log-level format
    ],
)
def test_a_raw_format_takes_only_its_compressions(
    tenant: Tenant, fields: dict[str, str], error: str
) -> None:
    from integrations.forms.registry import form_class

    form = form_class("s3")(form_data("s3", "clicks", **fields), tenant=tenant, feed="clicks")
    assert not form.is_valid() and error in form.errors


@pytest.mark.parametrize("compression", ["object", 7, {"a": 1}])
@pytest.mark.parametrize("data_format", [None, "parquet"])
def test_a_compression_no_format_knows_is_a_400_not_a_500(
    tenant: Tenant, compression: object, data_format: str | None
) -> None:
    """Found by the schema fuzzer: a raw feed's unknown compression with no format chosen made
    `clean` look up the compressions of format ''."""
    api: Client = api_client(ApiKey.issue(tenant, Role.ADMIN, "ci")[1])
    config: dict[str, Any] = {"bucket": "acme-exports", "region": "us-west-2",
                              "directory": "/clicks", "notification_emails": ["a@acme.example"],
                              "compression": compression}  # fmt: skip
    if data_format:
        config["format"] = data_format
    body = {"name": "Clicks", "feed": "clicks", "destination": "s3", "config": config,
            "secrets": {"access_key": "AKIAEXAMPLE000000000", "secret_key": "s" * 40}}  # fmt: skip
    answer = api.post("/api/v1/integrations", body, "application/json")
    assert answer.status_code == 400, answer.content
    assert answer.json() == {"config": {"compression": [ANY]}}
    assert not Integration.objects.filter(tenant=tenant).exists()


def test_integrations_saved_before_the_choice_state_csv(tenant: Tenant) -> None:
    import importlib

    from django.apps import apps

    integration = make(tenant, "s3", "clicks")
    config = {k: v for k, v in integration.config.items() if k not in ("format", "compression")}
    Integration.objects.filter(pk=integration.pk).update(config=config)
    migration = importlib.import_module("integrations.migrations.0005_raw_file_format")
    migration.state_csv(apps, None)
    integration.refresh_from_db()
    assert (integration.config["format"], integration.config["compression"]) == ("csv", "GZIP")


CHOSEN = ["event_time", "click_id", "cost", "is_unique"]  # reordered, four of the types


@pytest.mark.parametrize("data_format", ["csv", "parquet", "jsonl"])
def test_chosen_columns_round_trip_in_every_raw_format(
    s3_env: str, tenant: Tenant, data_format: str
) -> None:
    files, sent = _export(s3_env, tenant, "clicks", format=data_format, columns=", ".join(CHOSEN))
    names = [column.name for column in COLUMNS["clicks"]]
    wanted = _by_first_column([tuple(row[names.index(name)] for name in CHOSEN) for row in sent])
    base = "clicks/2026/11/22/2026-11-22-10-00"
    if data_format == "csv":
        table = read_csv_gz(files[f"{base}.csv.gz"])
        assert table[0] == CHOSEN
        assert _by_first_column([tuple(r) for r in table[1:]]) == _by_first_column(
            [tuple(csv_text(v) for v in row) for row in wanted]
        )
    elif data_format == "parquet":
        read = pq.read_table(io.BytesIO(files[f"{base}.parquet"]))
        assert read.column_names == CHOSEN
        rows = [tuple(r[n] for n in CHOSEN) for r in read.to_pylist()]
        assert _by_first_column(rows) == wanted
    else:
        lines = gzip.decompress(files[f"{base}.jsonl.gz"]).splitlines()
        assert all(list(json.loads(line)) == CHOSEN for line in lines)
        assert len(lines) == len(sent)


def test_columns_through_the_api_and_their_refusals(tenant: Tenant) -> None:
    api: Client = api_client(ApiKey.issue(tenant, Role.ADMIN, "ci")[1])
    body: dict[str, Any] = {
        "name": "Chosen", "feed": "clicks", "destination": "s3",
        "config": {"bucket": "acme-exports", "region": "us-west-2", "directory": "/chosen",
                   "notification_emails": ["a@acme.example"], "columns": CHOSEN},
        "secrets": {"access_key": "AKIAEXAMPLE000000000", "secret_key": "s" * 40},
    }  # fmt: skip
    created = api.post("/api/v1/integrations", body, "application/json")
    assert created.status_code == 201, created.content
    assert created.json()["config"]["columns"] == CHOSEN
    url = f"/api/v1/integrations/{created.json()['id']}"
    refused = api.patch(url, {"config": {"columns": ["click_id", "nope"]}}, "application/json")
    assert refused.status_code == 400 and "nope" in str(refused.json()["config"]["columns"])
    twice = api.patch(url, {"config": {"columns": ["cost", "cost"]}}, "application/json")
    assert twice.status_code == 400 and "twice" in str(twice.json())
    everything = api.patch(url, {"config": {"columns": []}}, "application/json")
    assert everything.status_code == 200, everything.content


def test_parquet_row_groups_hold_whole_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    from feeds.demo.synthetic import Generator
    from feeds.formats import parquet

    monkeypatch.setattr(parquet, "BATCH_ROWS", 3)
    monkeypatch.setattr(parquet, "ROW_GROUP_BYTES", 1)  # every batch fills a row group
    rows = [row for row, _ in Generator("clicks", 5).rows(10, T0, T0 + timedelta(minutes=15))]
    out = io.BytesIO()
    writer = parquet.ParquetWriter("clicks", out)
    writer.write_rows(rows)
    assert writer.close().rows == 10
    read = pq.ParquetFile(io.BytesIO(out.getvalue()))
    groups = [read.metadata.row_group(i).num_rows for i in range(read.metadata.num_row_groups)]
    assert groups == [3, 3, 3, 1]
    names = [column.name for column in COLUMNS["clicks"]]
    got = [tuple(r[n] for n in names) for r in read.read().to_pylist()]
    assert got == [tuple(row) for row in rows]
