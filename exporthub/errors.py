"""Error pages: HTML for people, JSON under /api/ (clients parse what the schema promises) and
the Iceberg REST spec's error model under /iceberg/ (Iceberg clients parse that one)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _iceberg(request: HttpRequest, code: int, message: str) -> HttpResponse | None:
    if not request.path.startswith("/iceberg/"):
        return None
    kind = "NotFoundException" if code == 404 else "ServerErrorException"
    return JsonResponse({"error": {"message": message, "type": kind, "code": code}}, status=code)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if iceberg := _iceberg(request, 404, "No such route in ExportHub's Iceberg catalog."):
        return iceberg
    if _wants_json(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if iceberg := _iceberg(request, 500, "Internal error; it has been logged."):
        return iceberg
    if _wants_json(request):
        return JsonResponse({"detail": "Internal error; it has been logged."}, status=500)
    return defaults.server_error(request)
