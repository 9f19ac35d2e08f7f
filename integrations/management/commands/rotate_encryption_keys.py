"""Re-encrypt every stored secret under the first FIELD_ENCRYPTION_KEYS entry: integrations'
credentials, and any other model's `encrypted_secrets` (webhook URLs and signing secrets).

Rows are locked one at a time and already-current rows are skipped, so the command can run
beside live traffic, be interrupted and be run again. When it reports nothing left, the old
keys can be removed from FIELD_ENCRYPTION_KEYS.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from exporthub.crypto import DecryptionError, is_encrypted_with_primary_key, rotate
from integrations.models import Integration

FIELD = "encrypted_secrets"


def _encrypted_models() -> list[type[models.Model]]:
    """Integration first, then every other model that keeps secrets the same way."""
    others = [
        model
        for model in apps.get_models()
        if model is not Integration and any(f.name == FIELD for f in model._meta.fields)
    ]
    return [Integration, *others]


def _rotate(model: type[models.Model]) -> tuple[int, int, list[int]]:
    rotated = current = 0
    failed: list[int] = []
    manager = model._default_manager
    ids = manager.exclude(**{FIELD: ""}).values_list("pk", flat=True)
    # Every id first: a read left open across the writes below keeps an old snapshot, and on
    # SQLite (WAL) writing from it fails at once after a worker beside us commits.
    for pk in list(ids.order_by("pk")):
        with transaction.atomic():
            row = manager.select_for_update().filter(pk=pk).only("pk", FIELD).first()
            token = getattr(row, FIELD, "") if row is not None else ""
            if not token:
                continue  # deleted or cleared meanwhile
            if is_encrypted_with_primary_key(token):
                current += 1
                continue
            try:
                new_token = rotate(token)
            except DecryptionError:
                failed.append(pk)
                continue
            manager.filter(pk=pk).update(**{FIELD: new_token})
            rotated += 1
    return rotated, current, failed


class Command(BaseCommand):
    help = "Re-encrypt all stored secrets under the newest encryption key."

    def handle(self, *args: Any, **options: Any) -> None:
        failures = []
        for model in _encrypted_models():
            rotated, current, failed = _rotate(model)
            name = str(model._meta.verbose_name)
            self.stdout.write(f"Re-encrypted {rotated} {name}(s); {current} already current.")
            if failed:
                failures.append(f"{name}(s) {', '.join(map(str, failed))}")
        if failures:
            raise CommandError(
                f"No configured key decrypts {'; '.join(failures)}; "
                "keep the old keys until this is resolved."
            )
