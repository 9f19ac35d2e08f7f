"""The Members page: add, invite with a set-password link, change role, remove, last Admin."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client

from exporthub.tenancy.models import AuditEntry, Membership, Role, Tenant, User
from tests.conftest import PASSWORD
from tests.support.invitations import invite as _invite
from tests.support.invitations import members_url as _url

pytestmark = pytest.mark.django_db


def test_a_new_person_sets_a_password_from_the_invitation_and_lands_in_the_tenant(
    tenant: Tenant, admin_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    path = _invite(admin_client, tenant, "New@Acme.example", "viewer",
                   django_capture_on_commit_callbacks)  # fmt: skip
    assert not User.objects.filter(email="new@acme.example").exists()  # nothing until accepted
    (email,) = mail.outbox
    assert email.to == ["new@acme.example"] and "Acme Ads" in email.subject
    assert isinstance(email, EmailMultiAlternatives)
    assert "Accept the invitation" in str(email.alternatives[0][0])
    newcomer = Client()
    assert "Set password and join" in newcomer.get(path).content.decode()
    final = newcomer.post(
        path, {"new_password1": "a-long-new-passphrase", "new_password2": "a-long-new-passphrase"},
        follow=True,
    )  # fmt: skip
    assert final.redirect_chain[-1][0] == f"/t/{tenant.slug}/"
    user = User.objects.get(email="new@acme.example")
    assert user.check_password("a-long-new-passphrase")
    assert Membership.objects.get(user=user, tenant=tenant).role == Role.VIEWER
    assert Client().get(path).status_code == 404  # the link works once
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "member.invited" in actions and "member.joined" in actions


def test_someone_with_an_account_joins_only_by_accepting_as_themselves(
    tenant: Tenant, admin_client: Client, outsider: User, viewer_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    path = _invite(
        admin_client, tenant, outsider.email, "admin", django_capture_on_commit_callbacks
    )
    assert not Membership.objects.filter(user=outsider, tenant=tenant).exists()  # no consent yet
    assert outsider.check_password(PASSWORD)
    assert Client().get(path)["Location"].startswith("/accounts/login/")
    somebody_else = Client()
    somebody_else.force_login(viewer_user)
    assert somebody_else.post(path).status_code == 403
    invitee = Client()
    invitee.force_login(outsider)
    assert "Join Acme Ads" in invitee.get(path).content.decode()
    assert invitee.post(path)["Location"] == f"/t/{tenant.slug}/"
    assert Membership.objects.get(user=outsider, tenant=tenant).role == Role.ADMIN


def test_the_page_answers_the_same_whether_or_not_the_address_has_an_account(
    tenant: Tenant, admin_client: Client, outsider: User, django_capture_on_commit_callbacks: Any
) -> None:
    """No account oracle: the message, the members page and the audit entry do not differ."""
    pages, entries = [], []
    for email in (outsider.email, "nobody-yet@globex.example"):
        with django_capture_on_commit_callbacks(execute=True):
            answer = admin_client.post(_url(tenant), {"email": email, "role": "viewer"},
                                       follow=True)  # fmt: skip
        pages.append(answer.content.decode().replace(email, "EMAIL"))
        entries.append(AuditEntry.objects.order_by("-pk").values("action", "changes").first())
    assert entries[0] == entries[1]
    first, second = (re.search(r'role="status".*?</', page, re.S) for page in pages)
    assert first and second and first.group(0) == second.group(0)


def test_adding_a_member_twice_or_a_bad_address_is_an_error_next_to_the_field(
    tenant: Tenant, admin_client: Client, viewer_user: User
) -> None:
    response = admin_client.post(_url(tenant), {"email": viewer_user.email, "role": "admin"})
    assert response.status_code == 400
    assert "already a member" in response.content.decode()
    assert Membership.objects.get(user=viewer_user).role == Role.VIEWER
    response = admin_client.post(_url(tenant), {"email": "not an address", "role": "admin"})
    assert response.status_code == 400 and "valid email" in response.content.decode()
    response = admin_client.post(_url(tenant), {"email": "a@b.example", "role": "owner"})
    assert response.status_code == 400
    assert not User.objects.filter(email="a@b.example").exists()


def test_admin_changes_a_role_and_it_is_audited(
    tenant: Tenant, admin_client: Client, viewer_user: User
) -> None:
    membership = Membership.objects.get(user=viewer_user)
    response = admin_client.post(_url(tenant, f"{membership.pk}/role/"), {"role": "admin"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN
    entry = AuditEntry.objects.get(action="member.role_changed")
    assert entry.changes == {"role": {"old": "viewer", "new": "admin"}}


def test_the_last_admin_can_be_neither_demoted_nor_removed(
    tenant: Tenant, admin_client: Client, admin_user: User, viewer_user: User
) -> None:
    own = Membership.objects.get(user=admin_user)
    response = admin_client.post(_url(tenant, f"{own.pk}/role/"), {"role": "viewer"}, follow=True)
    assert "last Admin" in response.content.decode()
    response = admin_client.post(_url(tenant, f"{own.pk}/remove/"), follow=True)
    assert "last Admin" in response.content.decode()
    own.refresh_from_db()
    assert own.role == Role.ADMIN

    # With a second Admin, the first may step down and then leave.
    other = Membership.objects.get(user=viewer_user)
    admin_client.post(_url(tenant, f"{other.pk}/role/"), {"role": "admin"})
    response = admin_client.post(_url(tenant, f"{own.pk}/role/"), {"role": "viewer"})
    assert response.status_code == 302 and response["Location"] == f"/t/{tenant.slug}/"
    own.refresh_from_db()
    assert own.role == Role.VIEWER


def test_removing_a_member_asks_first_then_removes(
    tenant: Tenant, admin_client: Client, viewer_user: User
) -> None:
    membership = Membership.objects.get(user=viewer_user)
    page = admin_client.get(_url(tenant, f"{membership.pk}/remove/"))
    assert page.status_code == 200 and "will lose access" in page.content.decode()
    assert admin_client.post(_url(tenant, f"{membership.pk}/remove/")).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert User.objects.filter(pk=viewer_user.pk).exists()
    assert AuditEntry.objects.filter(action="member.removed").exists()


def test_viewer_sees_the_list_but_no_controls_and_cannot_write(
    tenant: Tenant, viewer_client: Client, admin_user: User, viewer_user: User
) -> None:
    page = viewer_client.get(_url(tenant))
    html = page.content.decode()
    assert page.status_code == 200 and admin_user.email in html
    assert "Add member" not in html and "Remove" not in html
    admin = Membership.objects.get(user=admin_user)
    assert (
        viewer_client.post(_url(tenant), {"email": "x@y.example", "role": "admin"}).status_code
        == 403
    )
    assert (
        viewer_client.post(_url(tenant, f"{admin.pk}/role/"), {"role": "viewer"}).status_code == 403
    )
    assert viewer_client.post(_url(tenant, f"{admin.pk}/remove/")).status_code == 403
    assert viewer_client.get(_url(tenant, f"{admin.pk}/remove/")).status_code == 403
    assert Membership.objects.get(pk=admin.pk).role == Role.ADMIN


def test_members_of_another_tenant_are_404(
    tenant: Tenant, other_tenant: Tenant, admin_client: Client, outsider: User
) -> None:
    foreign = Membership.objects.get(user=outsider)
    assert admin_client.post(_url(tenant, f"{foreign.pk}/remove/")).status_code == 404
    assert (
        admin_client.post(_url(tenant, f"{foreign.pk}/role/"), {"role": "viewer"}).status_code
        == 404
    )
    assert admin_client.get(_url(other_tenant)).status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()
