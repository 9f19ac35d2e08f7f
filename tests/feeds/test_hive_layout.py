"""Raw feeds' Hive-style layout end to end (S3 and GCS stand-ins): `dt=YYYY-MM-DD/hour=HH/`
folders for the files and their completion manifests, seed 000's Year/Month/Day folders left as
they were, the page's preview and the API's field, and one directory for one export whatever
its layout (the page, the API and validation: tests/integrations/test_layout_and_filters.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from importlib import import_module

import pytest

from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun
from integrations.models import Integration
from tests.integrations.destinations.s3.buckets import new_bucket, objects
from tests.support.exports import active, events, run_exports
from tests.support.integrations import make_integration

from .readers import read_csv_gz

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # two windows, then the next day


def test_hive_layout_puts_files_and_manifests_in_dt_and_hour_folders_on_s3(
    s3_env: str, tenant: Tenant
) -> None:
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "clicks", T0, bucket=bucket, layout="hive",
                         completion_manifests="on")  # fmt: skip
    events(tenant, "clicks", 90, T0, T0 + timedelta(minutes=45))
    run_exports("2026-11-23T00:16:00Z")
    files = objects(s3_env, bucket)
    assert sorted(files) == [
        "exports/clicks/_manifests/dt=2026-11-22/hour=23/2026-11-22-23-30.manifest.json",
        "exports/clicks/_manifests/dt=2026-11-22/hour=23/2026-11-22-23-45.manifest.json",
        "exports/clicks/_manifests/dt=2026-11-23/hour=00/2026-11-23-00-00.manifest.json",
        "exports/clicks/dt=2026-11-22/hour=23/2026-11-22-23-30.csv.gz",
        "exports/clicks/dt=2026-11-22/hour=23/2026-11-22-23-45.csv.gz",
        "exports/clicks/dt=2026-11-23/hour=00/2026-11-23-00-00.csv.gz",
    ]
    manifest = json.loads(
        files["exports/clicks/_manifests/dt=2026-11-23/hour=00/2026-11-23-00-00.manifest.json"]
    )
    assert manifest["path"] == "/exports/clicks/dt=2026-11-23/hour=00"
    assert [f["name"] for f in manifest["files"]] == ["2026-11-23-00-00.csv.gz"]
    run = ExportRun.objects.filter(integration=integration).order_by("window_start").last()
    assert run is not None and run.path == "/exports/clicks/dt=2026-11-23/hour=00"
    rows = sum(len(read_csv_gz(data)) - 1 for key, data in files.items() if key.endswith(".gz"))
    assert rows == 90


def test_hive_layout_on_gcs_with_parquet(tenant: Tenant, request: pytest.FixtureRequest) -> None:
    fields, read_back = import_module("tests.integrations.destinations.gcs.standin").live(request)
    active(tenant, "gcs", "conversions", T0, directory="/lake/conversions", layout="hive",
           format="parquet", **fields)  # fmt: skip
    events(tenant, "conversions", 20, T0, T0 + timedelta(minutes=15))
    run_exports("2026-11-22T23:46:00Z")
    assert sorted(read_back()) == [
        "lake/conversions/dt=2026-11-22/hour=23/2026-11-22-23-30.parquet"
    ]


@pytest.mark.parametrize("layout", ["ymd", None], ids=["chosen", "saved-before-the-choice"])
def test_the_year_month_day_layout_is_unchanged(
    s3_env: str, tenant: Tenant, layout: str | None
) -> None:
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "clicks", T0, bucket=bucket, layout=layout or "ymd")
    if layout is None:  # as stored before layouts existed
        config = {k: v for k, v in integration.config.items() if k != "layout"}
        Integration.objects.filter(pk=integration.pk).update(config=config)
    run_exports("2026-11-23T00:16:00Z")
    assert sorted(objects(s3_env, bucket)) == [
        "exports/clicks/2026/11/22/2026-11-22-23-30.csv.gz",
        "exports/clicks/2026/11/22/2026-11-22-23-45.csv.gz",
        "exports/clicks/2026/11/23/2026-11-23-00-00.csv.gz",
    ]


def test_one_directory_holds_one_raw_export_whatever_the_layouts(tenant: Tenant) -> None:
    first = make_integration(tenant, "s3", "clicks", bucket="shared-bucket", layout="ymd")
    assert isinstance(first, Integration)
    errors = make_integration(tenant, "s3", "conversions", name="other", bucket="shared-bucket",
                              directory="/exports/clicks", layout="hive")  # fmt: skip
    assert "already exports to this directory" in str(errors["directory"])
