"""The scratch PostgreSQL databases that tests starting processes of their own use
(tests/support/scratch_databases.py): each its own, dropped after, and a test without
PostgreSQL fails saying where it looked."""

from __future__ import annotations

from urllib.parse import urlparse

import psycopg
import pytest

from tests.support.scratch_databases import LOCAL_SERVER, scratch_postgres, suite_postgres


def _databases() -> set[str]:
    admin = urlparse(suite_postgres() or LOCAL_SERVER)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


def test_it_gives_a_database_of_its_own_and_drops_it_after() -> None:
    with scratch_postgres("scratch_check") as first, scratch_postgres("scratch_check") as second:
        names = {urlparse(url).path.lstrip("/") for url in (first, second)}
        assert len(names) == 2 and all("_scratch_check_" in name for name in names)
        with psycopg.connect(first) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == (
                urlparse(first).path.lstrip("/"),
            )
        assert names <= _databases()
    assert not names & _databases()


def test_it_fails_the_test_naming_the_server_when_no_postgresql_answers() -> None:
    with (
        pytest.raises(pytest.fail.Exception, match=r"PostgreSQL is needed at 127\.0\.0\.1:1 "),
        scratch_postgres("scratch_check", "postgres://postgres@127.0.0.1:1/postgres"),
    ):
        pass


def test_it_keeps_each_database_its_own_under_a_long_suite_database_name() -> None:
    # PostgreSQL cuts names at 63 bytes, on creating and on connecting: the random part went first.
    long_named = urlparse(suite_postgres() or LOCAL_SERVER)._replace(
        path="/exporthub_" + "a-rather-long-branch-name" * 3
    )
    with (
        scratch_postgres("scratch_check", long_named.geturl()) as first,
        scratch_postgres("scratch_check", long_named.geturl()) as second,
    ):
        names = [urlparse(url).path.lstrip("/") for url in (first, second)]
        assert names[0] != names[1]
        for url, name in zip((first, second), names, strict=True):
            with psycopg.connect(url) as conn:
                assert conn.execute("SELECT current_database()").fetchone() == (name,)
    assert not set(names) & _databases()
