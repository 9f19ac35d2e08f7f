"""The shared cache's table (CACHES' database backend): throttle counts every process sees."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps: Any, schema_editor: Any) -> None:
    # Creates only the tables of database caches not yet there; nothing with Redis.
    call_command("createcachetable", database=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0006_user_sessions_epoch")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
