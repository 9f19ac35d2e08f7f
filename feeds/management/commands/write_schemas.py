"""`manage.py write_schemas`: regenerate feeds/schema/published/ after editing the columns."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from feeds.schema.published import FOLDER, expected_files


class Command(BaseCommand):
    help = "Write the .proto and .avsc file of every feed from the feed registry."

    def handle(self, *args: Any, **options: Any) -> None:
        FOLDER.mkdir(exist_ok=True)
        for path, content in expected_files().items():
            path.write_text(content)
            self.stdout.write(f"Wrote {path.relative_to(FOLDER.parent.parent)}")
