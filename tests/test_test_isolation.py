"""What one test leaves in the shared cache (a password lockout, a throttle count) must not reach
the next test, nor a test on the other xdist worker: with `REDIS_URL` set (CI) the cache is one
Redis database for both workers, whose user ids overlap, and it outlives the test's transaction.
Both tests run on one worker, in this order."""

from __future__ import annotations

import pytest
from django.core.cache import cache

pytestmark = [pytest.mark.xdist_group("test_isolation"), pytest.mark.django_db]
KEY = "password-check-failures:1"


def test_a_lockout_left_in_the_cache_by_one_test() -> None:
    cache.set(KEY, 99, 600)
    assert cache.get(KEY) == 99


def test_is_not_seen_by_the_next_test() -> None:
    assert cache.get(KEY) is None, "the previous test's lockout of user 1 is still in the cache"
