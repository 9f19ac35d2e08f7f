"""MAX_QUEUED_RUNS_PER_TENANT attacked: a reprocessed hour that failed as transient is still
work for the shared export workers (retried with backoff), but the cap stops counting it, and
the same hour may be reprocessed again beside it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from feeds.models import ExportRun
from feeds.runs import clock
from integrations.models import Integration
from tests.support.throttles import admin_key, ask, exported, throttled

pytestmark = pytest.mark.django_db
__all__ = ["exported"]  # the fixture, used by name


def _fails_as_transient(integration: Integration) -> None:
    """What a storage answering 503 SlowDown does to the tenant's newest reprocessed run."""
    run = ExportRun.objects.filter(integration=integration, generation__gt=0).latest("pk")
    ExportRun.objects.filter(pk=run.pk).update(
        status=ExportRun.Status.FAILED, error_code="SlowDown",
        next_attempt_at=clock.now() + timedelta(minutes=10),
    )  # fmt: skip


def test_it_reprocessed_hours_that_failed_as_transient_still_count_against_the_cap(
    exported: list[Integration], settings: Any
) -> None:
    settings.MAX_QUEUED_RUNS_PER_TENANT = 2
    one = exported[0]
    api = admin_key(one.tenant)
    answers = []
    for hour in ("10", "11", "12"):  # an hour already queued is refused by itself (below)
        answer = ask(api, one, "reprocess", hour=f"2026-11-22T{hour}:00Z")
        answers.append(answer.status_code)
        if answer.status_code == 202:
            _fails_as_transient(one)
    retried = ExportRun.objects.filter(
        integration=one, generation__gt=0, status=ExportRun.Status.FAILED,
        next_attempt_at__isnull=False,
    ).count()  # fmt: skip
    assert throttled(answer), (
        f"answers {answers}: {retried} reprocessed hours are waiting for a retry, past a cap of 2"
    )


def test_it_refuses_to_reprocess_an_hour_whose_reprocessing_waits_for_a_retry(
    exported: list[Integration], settings: Any
) -> None:
    one = exported[0]
    api = admin_key(one.tenant)
    assert ask(api, one, "reprocess", hour="2026-11-22T10:00Z").status_code == 202
    _fails_as_transient(one)
    again = ask(api, one, "reprocess", hour="2026-11-22T10:00Z")
    assert again.status_code == 400, f"queued again beside its retry (HTTP {again.status_code})"
