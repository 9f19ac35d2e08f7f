"""One benchmark case per process (`python -m bench.cases <case> <rows>`), so each reports its
own peak RSS; prints one JSON record per measurement."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exporthub.settings")
django.setup()

from bench import (  # noqa: E402
    app_cases,
    export_cases,
    freshness_cases,
    parallel_cases,
    partition_cases,
)

FORMATS = export_cases.LOG_LEVEL_FORMATS
CASES: dict[str, Callable[[int], None]] = {
    "export_csv_gz": export_cases.export_csv_gz,
    "export_parquet": export_cases.export_raw("parquet"),
    "export_jsonl": export_cases.export_raw("jsonl"),
    "export_csv_gz_filtered": export_cases.filtered("csv_gz"),
    "export_avro_deflate_filtered": export_cases.filtered("avro_deflate"),
    "export_iceberg": export_cases.export_iceberg,
    "naive_csv_gz": export_cases.naive_csv_gz,
    "ceiling_csv_copy": export_cases.ceiling_csv_copy,
    **{f"export_{key}": export_cases.log_level(key) for key in FORMATS},
    **{
        f"baselines_{key}": export_cases.log_level_baselines(key)
        for key in export_cases.LOG_LEVEL_FORMATS
    },
    "scheduler_tick": app_cases.scheduler_tick,
    "pages": app_cases.pages,
    "ingestion": app_cases.ingestion,
    "generate": app_cases.generate,
    "freshness": export_cases.freshness,
    "freshness_raw_windows": freshness_cases.freshness_raw_windows,
    "retention_drop": partition_cases.retention_drop,
    "hour_read": partition_cases.hour_read,
    "parallel_hour": parallel_cases.parallel_hour,
}

if __name__ == "__main__":
    CASES[sys.argv[1]](int(sys.argv[2]))
