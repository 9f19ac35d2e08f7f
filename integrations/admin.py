"""Operators see integrations read-only and without secrets; changes go through the product."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Integration


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin[Integration]):
    list_display = ("name", "tenant", "feed", "destination", "state", "updated_at")
    list_filter = ("state", "destination", "feed")
    search_fields = ("name", "tenant__name", "destination_key")
    fields = (
        "tenant", "name", "feed", "destination", "state", "state_changed_at", "config",
        "secret_hints", "created_at", "updated_at", "created_by", "updated_by",
    )  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
