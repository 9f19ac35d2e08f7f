"""A PostgreSQL database of a test's own, for the processes it starts (probes, workers), which the
suite's test database (in memory on SQLite, inside a transaction on PostgreSQL) cannot serve."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse

import psycopg
import pytest

# Where a scratch database goes when the suite itself runs on SQLite.
LOCAL_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
NAME_BYTES = 63  # PostgreSQL's longest name (NAMEDATALEN - 1)


def suite_postgres() -> str | None:
    """DATABASE_URL when it names PostgreSQL (as in CI), else None (the suite runs on SQLite)."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@contextmanager
def scratch_postgres(purpose: str, server: str | None = None) -> Iterator[str]:
    """The URL of a new database on `server` (the suite's PostgreSQL, else LOCAL_SERVER), dropped
    after; the test fails, naming the server, when PostgreSQL does not answer there. Named for
    the suite's database, `purpose` and a random part, so that no other test or checkout using
    the same server can reach it."""
    parsed = urlparse(server or suite_postgres() or LOCAL_SERVER)
    owner = parsed.path.lstrip("/")
    if owner in {"", "postgres"}:
        owner = "exporthub"
    # PostgreSQL cuts a name at 63 bytes: the suite database's part gives way, never the rest.
    own = f"_{purpose}_{uuid.uuid4().hex[:8]}"
    name = owner.encode()[: NAME_BYTES - len(own.encode())].decode(errors="ignore") + own
    admin = parsed._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is needed at {parsed.hostname}:{parsed.port} ({exc}); "
                    "start it, or set DATABASE_URL to a PostgreSQL server.")  # fmt: skip
    try:
        yield parsed._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
