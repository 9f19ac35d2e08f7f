"""A pending invitation dies when its inviter stops being an Admin (removed or made a Viewer), and
an Admin can revoke one from the Members page (issue 32)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import AuditEntry, Invitation, Membership, Role, Tenant, User
from tests.conftest import PASSWORD
from tests.support.invitations import invite as _invite
from tests.support.invitations import members_url as _url

pytestmark = pytest.mark.django_db

NEW = "mallory@acme.example"


@pytest.fixture
def second_admin(tenant: Tenant) -> tuple[User, Client]:
    user = User.objects.create_user(email="bob@acme.example", password=PASSWORD)
    Membership.objects.create(user=user, tenant=tenant, role=Role.ADMIN)
    client = Client()
    client.force_login(user)
    return user, client


def _accept_as_newcomer(path: str) -> Any:
    passphrase = "a-long-new-passphrase"
    return Client().post(path, {"new_password1": passphrase, "new_password2": passphrase})


def _membership_of(tenant: Tenant, email: str) -> Membership | None:
    return Membership.objects.filter(tenant=tenant, user__email=email).first()


def test_a_removed_admins_pending_admin_invitation_no_longer_makes_its_holder_an_admin(
    tenant: Tenant, admin_client: Client, second_admin: tuple[User, Client],
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    bob, bob_client = second_admin
    path = _invite(bob_client, tenant, NEW, "admin", django_capture_on_commit_callbacks)
    removal = _url(tenant, f"{_membership_of(tenant, bob.email).pk}/remove/")  # type: ignore[union-attr]
    assert admin_client.post(removal).status_code == 302
    assert _accept_as_newcomer(path).status_code == 404
    assert _membership_of(tenant, NEW) is None


def test_a_demoted_admins_pending_invitation_dies_too(
    tenant: Tenant, admin_client: Client, second_admin: tuple[User, Client],
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    bob, bob_client = second_admin
    path = _invite(bob_client, tenant, NEW, "admin", django_capture_on_commit_callbacks)
    role = _url(tenant, f"{_membership_of(tenant, bob.email).pk}/role/")  # type: ignore[union-attr]
    assert admin_client.post(role, {"role": "viewer"}).status_code == 302
    assert _accept_as_newcomer(path).status_code == 404
    assert _membership_of(tenant, NEW) is None
    assert NEW not in admin_client.get(_url(tenant)).content.decode()  # no longer pending


def test_an_admin_revokes_a_pending_invitation_and_it_is_audited(
    tenant: Tenant, admin_client: Client, viewer_client: Client, outsider_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    path = _invite(admin_client, tenant, NEW, "admin", django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(email=NEW)
    revoke = f"/t/{tenant.slug}/invitations/{invitation.pk}/revoke/"
    page = admin_client.get(_url(tenant)).content.decode()
    assert revoke in page  # the button
    assert viewer_client.post(revoke).status_code == 403
    assert outsider_client.post(revoke).status_code == 404
    other_tenant_url = f"/t/globex-media/invitations/{invitation.pk}/revoke/"
    assert outsider_client.post(other_tenant_url).status_code == 404  # not in that tenant
    answer = admin_client.post(revoke, follow=True)
    assert f"Revoked the invitation of {NEW}" in answer.content.decode()
    assert _accept_as_newcomer(path).status_code == 404
    assert _membership_of(tenant, NEW) is None
    entry = AuditEntry.objects.get(action="member.invitation_revoked")
    assert entry.target_label == NEW and entry.actor_label == "alice@acme.example"
