"""Run a Verify synchronously, as the worker would, and pick out its failing step."""

from __future__ import annotations

from typing import Any

from exporthub.tenancy.auditlog import Actor
from integrations.models import Integration, Verification
from integrations.verify.runs import run_verification, start_verification


def verify(integration: Integration) -> Verification:
    verification, created = start_verification(integration, Actor.system(), enqueue=False)
    assert created
    return run_verification(verification.pk)


def failed_step(verification: Verification) -> dict[str, Any]:
    failed = [step for step in verification.steps if step["status"] == "failed"]
    assert failed, f"expected a failed step in {verification.steps}"
    return failed[0]
