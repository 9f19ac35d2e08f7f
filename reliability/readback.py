"""Reading the buckets back as a data engineer's loader would, and counting what went wrong."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

from .world import World


def _ids(feed: str, data_format: str, data: bytes) -> Iterator[Any]:
    """The first column (the event's id) of every row in one data file."""
    from feeds.schema.columns import COLUMNS

    key = COLUMNS[feed][0].name
    if data_format == "csv":
        import csv

        with gzip.open(io.BytesIO(data), "rt", encoding="utf-8", newline="") as text:
            rows = csv.reader(text)
            next(rows)  # header
            yield from (row[0] for row in rows)
    elif data_format == "avro":
        import fastavro

        yield from (str(record[key]) for record in fastavro.reader(io.BytesIO(data)))  # type: ignore[index, call-overload]
    else:
        from google.protobuf.internal.decoder import _DecodeVarint32

        from feeds.schema.derived import message_class

        raw, cls, position = gzip.decompress(data), message_class(feed), 0
        while position < len(raw):
            size, position = _DecodeVarint32(raw, position)
            yield str(getattr(cls.FromString(raw[position : position + size]), key))
            position += size


def _newest_per_hour(manifests: dict[str, dict[str, Any]]) -> list[str]:
    newest: dict[str, str] = {}
    for key, manifest in manifests.items():
        hour = manifest["hour"]
        if hour not in newest or manifest["processed_on"] > manifests[newest[hour]]["processed_on"]:
            newest[hour] = key
    return list(newest.values())


def check(world: World) -> dict[str, int]:
    """Lost and duplicated events, manifests and their files, stale -processing, per world."""
    from feeds.models import EVENT_MODELS
    from feeds.schema.columns import COLUMNS
    from integrations.catalog import FeedKind
    from integrations.models import Integration

    totals: Counter[str] = Counter()
    for integration in Integration.objects.filter(pk__in=world.integrations):
        feed = integration.feed
        # Every object of its bucket or container, read from the stand-in itself.
        objects = world.clouds[integration.destination].objects(integration.config)
        expected = Counter(
            str(value)
            for value in EVENT_MODELS[feed]
            ._default_manager.filter(tenant_id=integration.tenant_id)
            .values_list(COLUMNS[feed][0].name, flat=True)
        )
        if integration.feed_info.kind == FeedKind.RAW:
            manifests = [k for k in objects if k.endswith(".manifest.json")]
            data_format = "csv"
        else:
            manifests = [k for k in objects if k.startswith("manifests/") and k.endswith(".json")]
            data_format = integration.config["format"]
            totals["stale_processing"] += sum(k.endswith(".json-processing") for k in objects)
            failed = [k.removesuffix("-failed") for k in objects if k.endswith(".json-failed")]
            totals["failed_manifests"] += len(failed)
            # A -failed beside the .json of the same processing run: a failure, whatever the
            # cause (another run's step 1 renaming a live -processing, or one left by a worker
            # that died, or whose deletion failed, after the .json was written). Seed 004 makes
            # the suffixes exclusive and consumers purge by them: they would delete that hour.
            totals["false_failed_manifests"] += sum(k in objects for k in failed)
            hours = Counter(json.loads(objects[k])["hour"] for k in manifests)
            totals["hours_with_two_manifests"] += sum(1 for n in hours.values() if n > 1)
            # A consumer reads the newest manifest of each hour (seed 004): so does this count.
            manifests = _newest_per_hour({k: json.loads(objects[k]) for k in manifests})
        exported: Counter[Any] = Counter()
        referenced = set()
        for key in manifests:
            manifest = json.loads(objects[key])
            for entry in manifest["files"]:
                path = f"{manifest['path'].strip('/')}/{entry['name']}"
                referenced.add(path)
                body = objects.get(path)
                if body is None:
                    totals["missing_files"] += 1
                    continue
                if hashlib.md5(body).hexdigest() != entry["checksum"]:  # noqa: S324
                    totals["checksum_mismatches"] += 1
                exported.update(_ids(feed, data_format, body))
        if integration.feed_info.kind != FeedKind.RAW:
            # Files in a published hour's folder its manifest does not list (a dead slice
            # worker's part left behind would be one): a loader globbing the folder reads them.
            folders = tuple({json.loads(objects[k])["path"].strip("/") + "/" for k in manifests})
            totals["files_beside_published_parts"] += sum(
                1 for k in objects if folders and k.startswith(folders) and k not in referenced
            )
        totals["manifests"] += len(manifests)
        totals["data_files"] += len(referenced)
        totals["events_expected"] += sum(expected.values())
        totals["events_exported"] += sum(exported.values())
        totals["events_lost"] += sum((expected - exported).values())
        totals["events_duplicated"] += sum((exported - expected).values())
    return dict(totals)


def leaks(world: World) -> dict[str, int]:
    """Canary secrets found in what the run left behind: every broker command (messages and task
    results), every email, every worker log line. All should be 0."""
    from urllib.parse import quote

    places = {
        "broker_and_results": [world.redis.transcript],
        "emails": sorted((world.workdir / "mail").iterdir()),
        "worker_logs": sorted(world.workdir.glob("worker-*.log")),
    }
    found = {}
    for place, files in places.items():
        text = "".join(f.read_text(errors="replace") for f in files if f.exists())
        found[f"leaks_in_{place}"] = sum(
            text.count(c) + (text.count(quote(c, safe="")) if quote(c, safe="") != c else 0)
            for c in world.all_canaries()
        )
        found[f"bytes_searched_in_{place}"] = len(text)
    return found


def task_messages(world: World) -> dict[str, int]:
    """Every task message the broker received, decoded from the Redis transcript: their
    arguments must be ids (integers) or the scheduler's feed kind, and nothing else."""
    import ast
    import base64

    from exporthub.queues import QUEUES

    markers = [f'"LPUSH" "{queue}" ' for queue in QUEUES]  # each work class's queue
    messages = with_more_than_ids = 0
    for line in world.redis.transcript.read_text(errors="replace").splitlines():
        marker = next((marker for marker in markers if marker in line), None)
        if marker is None:
            continue
        quoted = line.split(marker, 1)[1]
        envelope = json.loads(ast.literal_eval("b" + quoted))  # redis-cli escapes like Python
        args, kwargs, _ = json.loads(base64.b64decode(envelope["body"]))
        messages += 1
        ids = args[0] if len(args) == 1 and type(args[0]) is list else args  # a dispatch batch
        allowed = all(type(a) is int for a in ids) or args in (["all"], ["raw"], ["log_level"])
        if not allowed or kwargs:
            with_more_than_ids += 1
    return {"task_messages": messages, "task_messages_with_more_than_ids": with_more_than_ids}
