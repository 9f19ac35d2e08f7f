"""Schemathesis against `/api/schema`: every operation, with generated (and broken) input, as an
Admin key of a tenant that has an integration and runs. No 5xx; every answer matches the schema."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance

from exporthub.tenancy.models import ApiKey, Role, Tenant
from exporthub.wsgi import application

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "30"))


@pytest.fixture
def admin_key(tenant: Tenant) -> str:
    return ApiKey.issue(tenant, Role.ADMIN, "fuzz")[1]


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Iterator[None]:
    """Requests go through the real WSGI handler, whose request signals would close the test's
    database connection (and its transaction); Django's test client disconnects them too."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def test_every_operation_answers_within_its_schema(admin_key: str) -> None:
    # Driven through schemathesis's strategies rather than its pytest plugin, which does not
    # support the pytest we run.
    schema = schemathesis.openapi.from_wsgi("/api/schema", application)
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # an operation the schema cannot describe
        operations.append(result.ok())
    assert len(operations) >= 5
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def answers_within_schema(case: Any) -> None:
            # Integration configs depend on the destination and feed, which the schema states
            # as free-form objects: a schema-valid body may still be refused (400, explained).
            case.call_and_validate(
                headers={"Authorization": f"Bearer {admin_key}"},
                excluded_checks=[positive_data_acceptance],
            )

        answers_within_schema()
