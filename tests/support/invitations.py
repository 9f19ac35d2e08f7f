"""Inviting someone through the Members page, as an Admin does."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client

from exporthub.tenancy.models import Tenant


def members_url(tenant: Tenant, suffix: str = "") -> str:
    return f"/t/{tenant.slug}/members/{suffix}"


def invite(admin_client: Client, tenant: Tenant, email: str, role: str, capture: Any) -> str:
    """Invite through the page; the path of the link the invitee gets."""
    with capture(execute=True):
        response = admin_client.post(
            members_url(tenant), {"email": email, "role": role}, follow=True
        )
    assert f"Invited {email.lower()}: they join once they accept." in response.content.decode()
    link = re.search(r"https?://\S+/invitations/\S+/", str(mail.outbox[-1].body))
    assert link, mail.outbox[-1].body
    return "/" + link.group(0).split("/", 3)[3]
