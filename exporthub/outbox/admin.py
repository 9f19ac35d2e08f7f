"""Operators see what waits in the outbox and why (bodies hold no secrets)."""

from __future__ import annotations

from django.contrib import admin

from .models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin[OutgoingEmail]):
    list_display = ("subject", "topic", "status", "attempts", "next_attempt_at", "created_at")
    list_filter = ("status", "topic")
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
