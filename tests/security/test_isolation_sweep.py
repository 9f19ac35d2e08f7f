"""Every URL pattern, found by walking the resolver (a new route is covered without editing
this file; a route with a parameter of an unknown kind fails until it is mapped below):

- an outsider (Admin of another tenant) gets 404 for this tenant's pages, and for this tenant's
  objects under their own tenant's URL;
- a Viewer gets 403 for every write;
- an anonymous visitor is sent to the login page (pages) or gets 401 (API);
- another tenant's API key gets 404 for this tenant's objects; a Viewer key 403 for writes.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from exporthub.tenancy.models import ApiKey, Membership, Tenant, User
from feeds.models import ExportRun, IcebergTable
from integrations.models import Verification
from tests.support.integrations import make_integration
from tests.support.routes import TENANT_PREFIX, fill, patterns
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db
WRITES = ("post", "put", "patch", "delete")
# Not tenant-scoped by design: login/logout/password links, Django's admin (staff only, own
# login), the health check, the published schemas (same for everyone, login required).
PUBLIC_PREFIXES = ("accounts/", "admin/", "healthz", "schemas/", "api/schema")


@pytest.fixture
def world(tenant: Tenant, other_tenant: Tenant, admin_user: User, viewer_user: User,
          outsider: User) -> dict[str, Any]:  # fmt: skip
    integration = make_integration(tenant, "s3", "standard_feed")
    verification = Verification.objects.create(integration=integration)
    run = ExportRun.objects.create(integration=integration, window_start=timezone.now(),
                                   window_end=timezone.now() + timedelta(hours=1))  # fmt: skip
    key, _ = ApiKey.issue(tenant, "admin", "victim key")
    membership = Membership.objects.get(user=viewer_user)
    endpoint = Endpoint(integration=integration, kind="webhook", url_hint="https://h/…", events=[])
    endpoint.set_secrets("https://hooks.example.com/victim", "whsec_victim")
    endpoint.save()
    values = {
        "tenant_slug": tenant.slug,
        "pk": str(integration.pk),
        "verification_id": str(verification.pk),
        "endpoint_id": str(endpoint.pk),
        "run_id": str(run.pk),
        "feed": "clicks",
        "destination": "s3",
        "kind": "proto",
    }
    objects = {"member": membership.pk, "api-key": key.pk, "verification": verification.pk}
    return {"values": values, "objects": objects, "tenant": tenant, "other": other_tenant}


def _values_for(name: str, world: dict[str, Any], slug: str) -> dict[str, str]:
    values = {**world["values"], "tenant_slug": slug}
    for prefix, pk in world["objects"].items():
        if name.startswith(prefix):
            values["pk"] = str(pk)
    return values


def _tenant_routes(world: dict[str, Any], slug: str) -> list[tuple[str, str]]:
    routes = []
    for route, pattern in patterns():
        if route.startswith(TENANT_PREFIX):
            routes.append(
                (pattern.name or route, fill(route, _values_for(pattern.name or "", world, slug)))
            )
    assert len(routes) >= 15, routes  # the walk found the tenant pages
    return routes


def test_every_tenant_page_is_404_to_an_outsider_and_login_to_anonymous(
    world: dict[str, Any], outsider_client: Client
) -> None:
    anonymous = Client()
    for name, url in _tenant_routes(world, world["tenant"].slug):
        for method in ("get", *WRITES):
            answer = getattr(outsider_client, method)(url)
            assert answer.status_code == 404, (name, method, url, answer.status_code)
            answer = getattr(anonymous, method)(url)
            assert answer.status_code == 302, (name, method, url, answer.status_code)
            assert answer["Location"].startswith("/accounts/login/"), (name, url)


def test_this_tenants_objects_are_404_under_the_outsiders_own_tenant(
    world: dict[str, Any], outsider_client: Client
) -> None:
    for name, url in _tenant_routes(world, world["other"].slug):
        if "<" in url or not re.search(r"/\d+", url):
            continue  # no object of this tenant in the URL
        for method in ("get", "post"):
            answer = getattr(outsider_client, method)(url)
            assert answer.status_code == 404, (name, method, url, answer.status_code)


def test_every_write_is_403_to_a_viewer(world: dict[str, Any], viewer_client: Client) -> None:
    for name, url in _tenant_routes(world, world["tenant"].slug):
        for method in WRITES:
            answer = getattr(viewer_client, method)(url)
            assert answer.status_code == 403, (name, method, url, answer.status_code)


def test_every_api_route_checks_the_key_and_its_tenant(world: dict[str, Any]) -> None:
    _, outsider_key = ApiKey.issue(world["other"], "admin", "outsider")
    _, viewer_key = ApiKey.issue(world["tenant"], "viewer", "viewer")
    anonymous = Client()
    outsider = Client(HTTP_AUTHORIZATION=f"Bearer {outsider_key}")
    viewer = Client(HTTP_AUTHORIZATION=f"Bearer {viewer_key}")
    checked = 0
    for route, pattern in patterns():
        if not route.startswith("api/v1/"):
            continue
        if "<format>" in route:
            continue  # DRF's format-suffix variants of the same views
        url = fill(route, _values_for(pattern.name or "", world, world["tenant"].slug))
        checked += 1
        for method in ("get", *WRITES):
            answer = getattr(anonymous, method)(url, content_type="application/json")
            assert answer.status_code == 401, (route, method, answer.status_code)
        if re.search(r"/\d+", url):
            for method in ("get", *WRITES):
                answer = getattr(outsider, method)(url, content_type="application/json")
                assert answer.status_code in (404, 405), (route, method, answer.status_code)
        for method in WRITES:
            answer = getattr(viewer, method)(url, content_type="application/json")
            assert answer.status_code in (403, 405), (route, method, answer.status_code)
    assert checked >= 5


def test_every_iceberg_catalog_route_checks_the_key_and_its_tenant(world: dict[str, Any]) -> None:
    """The Iceberg catalog (/iceberg/v1/…): 401 without a key, 404 for this tenant's namespace
    and table to another tenant's key, 405 for every write (it is read-only), whatever the role."""
    integration_id = int(world["values"]["pk"])
    IcebergTable.objects.create(
        tenant=world["tenant"], integration_id=integration_id, table_uuid=uuid.uuid4(),
        metadata_location="s3://victim-lake/t/metadata/v1.metadata.json",
        metadata={"format-version": 2}, committed_at=timezone.now(),
    )  # fmt: skip
    values = {
        "namespace": world["tenant"].slug.replace("-", "_"),
        "table": f"standard_feed_{integration_id}",
        "view": "v",
    }
    _, outsider_key = ApiKey.issue(world["other"], "admin", "outsider")
    _, admin_key = ApiKey.issue(world["tenant"], "admin", "admin")
    anonymous = Client()
    outsider = Client(HTTP_AUTHORIZATION=f"Bearer {outsider_key}")
    admin = Client(HTTP_AUTHORIZATION=f"Bearer {admin_key}")
    checked = 0
    for route, _pattern in patterns():
        if not route.startswith("iceberg/"):
            continue
        url = fill(route, values)
        checked += 1
        for method in ("get", "head", *WRITES):
            answer = getattr(anonymous, method)(url, content_type="application/json")
            assert answer.status_code == 401, (route, method, answer.status_code)
        if "<namespace>" in route:
            for method in ("get", "head", *WRITES):
                answer = getattr(outsider, method)(url, content_type="application/json")
                assert answer.status_code in (404, 405), (route, method, answer.status_code)
                assert victim_not_in(answer), (route, method)
        for method in WRITES:
            answer = getattr(admin, method)(url, content_type="application/json")
            assert answer.status_code == 405, (route, method, answer.status_code)
    assert checked >= 10


def victim_not_in(answer: Any) -> bool:
    return b"victim-lake" not in answer.content
