"""`/healthz`: is the database reachable, is the broker reachable; and what the apps report
(the scheduler's last tick), which does not make the web unhealthy: a load balancer should
not take the web out because the beat stopped, an alert should (docs/operations.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .celery import app

# Reports other apps add (name -> a function returning JSON), e.g. the scheduler's last tick.
REPORTS: dict[str, Callable[[], dict[str, Any]]] = {}


def _check_database() -> dict[str, object]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        # The class name is enough to act on; messages may carry hosts or user names.
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def _check_broker() -> dict[str, object]:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=3)
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(check["ok"] for check in checks.values())
    reports = {name: report() for name, report in REPORTS.items()} if healthy else {}
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks, **reports},
        status=200 if healthy else 503,
    )
