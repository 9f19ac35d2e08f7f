"""The migrations describe the models as they are: a model changed without its migration
(segment_feed joined the feed choices of `Integration.feed` without one) would land unseen in
whichever migration is generated next, for an unrelated change."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_its_migration() -> None:
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, verbosity=1)
    except SystemExit:
        pytest.fail(f"models changed without a migration:\n{out.getvalue()}")
