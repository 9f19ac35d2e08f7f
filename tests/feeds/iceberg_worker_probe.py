"""Run by test_iceberg_worker_killed.py in processes of its own, on the scratch database the
killed worker uses too: `setup <bucket>` makes an active `iceberg` export with two hours of
events and exports the first; `state` reads what the database says of the table and the runs.
Each prints one JSON line."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exporthub.test_settings")
django.setup()

from django.core.management import call_command  # noqa: E402

from exporthub.tenancy.models import Tenant  # noqa: E402
from feeds.models import ExportRun, IcebergTable  # noqa: E402
from tests.support.exports import active, events, run_exports  # noqa: E402

HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
FIRST_DONE = "2026-11-22T11:11:00Z"  # the first hour's run
ICEBERG = {"format": "iceberg", "compression": "ZSTD", "table_path": "/lake/standard"}


def setup(bucket: str) -> dict[str, Any]:
    call_command("migrate", verbosity=0)
    tenant = Tenant.objects.create(name="Acme", slug="acme", seat_id=998)
    active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **ICEBERG)
    first = events(tenant, "standard_feed", 300, HOUR, HOUR + timedelta(hours=1))
    second = events(tenant, "standard_feed", 200, HOUR + timedelta(hours=1),
                    HOUR + timedelta(hours=2), seed=4)  # fmt: skip
    run_exports(FIRST_DONE)
    # auction_id_64, the first stored column: one per event.
    return {"first": [row[0] for row in first], "second": [row[0] for row in second]}


def state() -> dict[str, Any]:
    row = IcebergTable.objects.get()
    runs = ExportRun.objects.order_by("window_start")
    return {
        "metadata_location": row.metadata_location,
        "runs": [[run.window_start.isoformat(), run.status, run.attempts] for run in runs],
    }


if __name__ == "__main__":
    step = sys.argv[1]
    print(json.dumps(setup(sys.argv[2]) if step == "setup" else state()))
