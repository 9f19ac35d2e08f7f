"""Re-encrypt every integration's secrets under the first FIELD_ENCRYPTION_KEYS entry.

Rows are locked one at a time and already-current rows are skipped, so the command can run
beside live traffic, be interrupted and be run again. When it reports nothing left, the old
keys can be removed from FIELD_ENCRYPTION_KEYS.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from exporthub.crypto import DecryptionError, is_encrypted_with_primary_key, rotate
from integrations.models import Integration


class Command(BaseCommand):
    help = "Re-encrypt all stored secrets under the newest encryption key."

    def handle(self, *args: Any, **options: Any) -> None:
        rotated = current = 0
        failed: list[int] = []
        ids = Integration.objects.exclude(encrypted_secrets="").values_list("pk", flat=True)
        for pk in ids.order_by("pk").iterator():
            with transaction.atomic():
                row = (
                    Integration.objects.select_for_update()
                    .filter(pk=pk)
                    .only("pk", "encrypted_secrets")
                    .first()
                )
                if row is None or not row.encrypted_secrets:
                    continue  # deleted or cleared meanwhile
                if is_encrypted_with_primary_key(row.encrypted_secrets):
                    current += 1
                    continue
                try:
                    token = rotate(row.encrypted_secrets)
                except DecryptionError:
                    failed.append(pk)
                    continue
                Integration.objects.filter(pk=pk).update(encrypted_secrets=token)
                rotated += 1
        self.stdout.write(f"Re-encrypted {rotated} integration(s); {current} already current.")
        if failed:
            raise CommandError(
                f"No configured key decrypts integration(s) {', '.join(map(str, failed))}; "
                "keep the old keys until this is resolved."
            )
