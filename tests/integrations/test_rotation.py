"""`manage.py rotate_encryption_keys`: re-encrypt under the first key, then old keys can go."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.test import override_settings

from exporthub.tenancy.models import Tenant
from integrations.models import Integration
from tests.support.integrations import CANARY_SECRET_KEY, make_integration

pytestmark = pytest.mark.django_db
OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _rotate() -> str:
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    return out.getvalue()


def test_it_reencrypts_every_row_so_old_keys_can_be_dropped(tenant: Tenant) -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD]):
        for feed in ("clicks", "conversions"):
            make_integration(tenant, "s3", feed)
        before = list(Integration.objects.values_list("encrypted_secrets", flat=True))
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD]):
        assert "Re-encrypted 2 integration(s); 0 already current." in _rotate()
        assert "Re-encrypted 0 integration(s); 2 already current." in _rotate()
    after = list(Integration.objects.values_list("encrypted_secrets", flat=True))
    assert set(before).isdisjoint(after)
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW]):
        for integration in Integration.objects.all():
            assert integration.get_secrets()["secret_key"] == CANARY_SECRET_KEY


def test_it_fails_loudly_on_rows_no_key_decrypts(tenant: Tenant) -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD]):
        integration = make_integration(tenant, "s3", "clicks")
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=[NEW]),
        pytest.raises(CommandError, match=str(integration.pk)),
    ):
        _rotate()
    assert Integration.objects.get().encrypted_secrets == integration.encrypted_secrets
