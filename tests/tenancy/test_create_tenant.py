"""`manage.py create_tenant`: the happy path and every kind of bad input."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from exporthub.tenancy.models import Membership, Role, Tenant, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _create(**overrides: object) -> str:
    options: dict[str, object] = {
        "name": "Acme Ads",
        "seat_id": 998,
        "admin_email": "Alice@Acme.example",
        "admin_password": PASSWORD,
    }
    options.update(overrides)
    out = StringIO()
    args = [f"--{key.replace('_', '-')}={value}" for key, value in options.items()]
    call_command("create_tenant", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_tenant_with_an_admin() -> None:
    output = _create()
    tenant = Tenant.objects.get()
    assert (tenant.name, tenant.slug, tenant.seat_id) == ("Acme Ads", "acme-ads", 998)
    user = User.objects.get()
    assert user.email == "alice@acme.example"
    assert user.check_password(PASSWORD)
    assert Membership.objects.get().role == Role.ADMIN
    assert "slug acme-ads" in output
    assert PASSWORD not in output


def test_it_makes_an_existing_user_admin_without_touching_the_password() -> None:
    _create()
    output = _create(name="Second Seat", seat_id=999, admin_password="another-pass-12345")
    user = User.objects.get()
    assert user.check_password(PASSWORD)
    assert user.memberships.count() == 2
    assert "password is unchanged" in output


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "acme ads"}, "already exists"),
        ({"name": "Acme-Ads!"}, "slug 'acme-ads' already exists"),
        ({"name": "Other", "seat_id": 998}, "Seat id 998 already belongs"),
    ],
)
def test_it_rejects_duplicates(overrides: dict[str, object], message: str) -> None:
    _create()
    with pytest.raises(CommandError, match=message):
        _create(admin_email="bob@example.com", **overrides)
    assert Tenant.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"seat_id": 0}, "between 1 and 2147483647"),
        ({"seat_id": -5}, "between 1 and 2147483647"),
        ({"seat_id": 2**31}, "between 1 and 2147483647"),
        ({"name": "!!!"}, "at least one letter or digit"),
        ({"admin_email": "not-an-email"}, "valid email"),
        ({"admin_password": "123"}, "too short"),
        ({"admin_password": "password"}, "too common"),
    ],
)
def test_it_rejects_bad_values(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        _create(**overrides)
    assert not Tenant.objects.exists()
    assert not User.objects.exists()


def test_it_rejects_a_seat_id_that_is_not_a_number() -> None:
    with pytest.raises(CommandError, match="invalid int value"):
        _create(seat_id="abc")
