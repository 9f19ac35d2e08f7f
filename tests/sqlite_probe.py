"""Run by test_sqlite_beside_a_worker.py in its own process on a SQLite file (make run's database):
reads an hour's rows as a worker does while another worker commits to the same file, writes
the ledger between the reads; rotates the encryption keys of more rows than one fetch holds
while a worker commits; prints what happened as one JSON line."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from datetime import UTC, datetime, timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exporthub.test_settings")
django.setup()

from cryptography.fernet import Fernet  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import OperationalError, connection  # noqa: E402

from exporthub.tenancy.models import Tenant  # noqa: E402
from feeds.demo.synthetic import Generator  # noqa: E402
from feeds.formats import writer_class  # noqa: E402
from feeds.ingestion.store import store_events  # noqa: E402
from feeds.runs import reading  # noqa: E402
from integrations.models import Integration  # noqa: E402

HOUR = datetime(2026, 11, 22, 12, tzinfo=UTC)
ROWS = 3 * reading.CHUNK_ROWS + 17  # several chunks: the read is still going between them
SECRETS = 2100  # more than one fetch of Django's iterator (2 000)


def main() -> None:
    call_command("migrate", verbosity=0)
    tenant = Tenant.objects.create(name="Acme", slug="acme", seat_id=998)
    figures = {"journal_mode": _journal_mode(), **_hour_read(tenant), **_rotation(tenant)}
    print(json.dumps(figures))


def _hour_read(tenant: Tenant) -> dict[str, object]:
    events = Generator("standard_feed", 5).rows(ROWS, HOUR, HOUR + timedelta(hours=1))
    store_events(tenant, "standard_feed", events)
    rows, _ = reading.hour_rows(
        writer_class("avro"), "standard_feed", tenant.pk, HOUR - timedelta(hours=1),
        HOUR + timedelta(hours=2), HOUR + timedelta(days=1), filters=(),
    )  # fmt: skip
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=20)
    read, errors = 0, []
    for row in rows:
        read += 1
        if read % 1000:
            continue
        # Another worker's ledger write, committed while this one is between two rows …
        _commit(other, tenant, read)
        # … and this worker's own (a progress report, a lease, a part number).
        try:
            Tenant.objects.filter(pk=tenant.pk).update(slug=f"acme-{read}")
        except OperationalError as exc:
            errors.append(str(exc))
        assert row[0] is not None
    return {"rows": ROWS, "read": read, "ledger_errors": errors}


def _rotation(tenant: Tenant) -> dict[str, object]:
    """`rotate_encryption_keys` while a worker commits every few milliseconds."""
    old = Fernet(settings.FIELD_ENCRYPTION_KEYS[-1]).encrypt(b'{"secret_key": "x"}').decode()
    Integration.objects.bulk_create(
        Integration(tenant=tenant, name=f"export {n}", feed="clicks", destination="s3",
                    encrypted_secrets=old)
        for n in range(SECRETS)
    )  # fmt: skip
    done = threading.Event()

    def worker() -> None:
        other, commits = sqlite3.connect(connection.settings_dict["NAME"], timeout=20), 0
        while not done.wait(0.002):
            commits += 1
            _commit(other, tenant, commits)
        other.close()

    beside = threading.Thread(target=worker)
    beside.start()
    try:
        call_command("rotate_encryption_keys", verbosity=0)
        error = None
    except OperationalError as exc:
        error = str(exc)
    finally:
        done.set()
        beside.join()
    current = sum(
        token != old for token in Integration.objects.values_list("encrypted_secrets", flat=True)
    )
    return {"secrets": SECRETS, "rotated": current, "rotation_error": error}


def _commit(other: sqlite3.Connection, tenant: Tenant, n: int) -> None:
    """A write of another process, committed."""
    with other:
        other.execute("UPDATE tenancy_tenant SET name = ? WHERE id = ?", (f"Acme {n}", tenant.pk))


def _journal_mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        return str(cursor.fetchone()[0])


if __name__ == "__main__":
    main()
