"""Errors answer in the client's language: JSON under /api/, the HTML page elsewhere."""

from __future__ import annotations

import pytest
from django.test import Client

from exporthub.tenancy.models import ApiKey, Role, Tenant

pytestmark = pytest.mark.django_db


def test_an_unknown_api_url_answers_json_404(tenant: Tenant) -> None:
    key = ApiKey.issue(tenant, Role.ADMIN, "ci")[1]
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").post("/api/v1/integrations/-5/reprocess")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_an_unknown_page_answers_the_html_404(admin_client: Client) -> None:
    response = admin_client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
