"""New / Configure / Delete in the browser, for every destination and feed, with roles."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import AuditEntry, Tenant
from integrations.destinations import REGISTRY
from integrations.models import Integration, State
from tests.support.integrations import CANARY_SECRET_KEY, form_data

pytestmark = pytest.mark.django_db
DESTINATIONS = list(REGISTRY)
FEEDS = ["clicks", "conversions", "standard_feed"]


def _create(
    client: Client, tenant: Tenant, destination: str, feed: str, **overrides: str
) -> Integration:
    url = f"/t/{tenant.slug}/integrations/new/{destination}/{feed}/"
    response = client.post(url, form_data(destination, feed, **overrides))
    assert response.status_code == 302, (
        response.context["form"].errors if response.context else response
    )
    return Integration.objects.get(
        tenant=tenant, name=form_data(destination, feed, **overrides)["name"]
    )


@pytest.mark.parametrize("feed", FEEDS)
@pytest.mark.parametrize("destination", DESTINATIONS)
def test_it_creates_every_destination_for_every_feed(
    admin_client: Client, tenant: Tenant, destination: str, feed: str
) -> None:
    integration = _create(admin_client, tenant, destination, feed)
    assert integration.state == State.NEW
    assert (integration.destination, integration.feed) == (destination, feed)
    assert integration.config["notification_emails"] == ["data@acme.example", "ops@acme.example"]
    assert set(integration.get_secrets()) == set(integration.destination_class.secret_fields)
    page = admin_client.get(f"/t/{tenant.slug}/integrations/{integration.pk}/").content.decode()
    assert "Not exporting yet" in page
    assert f"<title>{integration.name} · ExportHub</title>" in page
    assert integration.name in admin_client.get(f"/t/{tenant.slug}/").content.decode()


@pytest.mark.parametrize("destination", DESTINATIONS)
def test_it_shows_the_seed_labels_on_the_form(
    admin_client: Client, tenant: Tenant, destination: str
) -> None:
    page = admin_client.get(f"/t/{tenant.slug}/integrations/new/{destination}/standard_feed/")
    labels = {
        "s3": [
            "Bucket",
            "Region",
            "Access key",
            "Secret key",
            "Server-side encryption",
            "Endpoint URL",
        ],
        "gcs": ["Bucket", "Service account key (JSON)"],
        "azure": ["Storage account", "Container", "SAS token"],
    }[destination] + ["Manifest path", "Feed path", "Format", "Notification email"]
    html = page.content.decode()
    for label in labels:
        assert f">{label}</label>" in html


def test_it_shows_directory_for_raw_feeds(admin_client: Client, tenant: Tenant) -> None:
    html = admin_client.get(f"/t/{tenant.slug}/integrations/new/s3/clicks/").content.decode()
    assert ">Directory</label>" in html
    assert "Manifest path" not in html


def test_it_puts_errors_next_to_fields(admin_client: Client, tenant: Tenant) -> None:
    response = admin_client.post(
        f"/t/{tenant.slug}/integrations/new/s3/standard_feed/",
        form_data(
            "s3", "standard_feed", bucket="Bad_Bucket", region="mars-1", feed_path="/x/%YEAR%"
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"bucket", "region", "feed_path"}
    assert not Integration.objects.exists()


def test_it_keeps_secrets_when_left_blank(admin_client: Client, tenant: Tenant) -> None:
    integration = _create(admin_client, tenant, "s3", "clicks")
    Integration.objects.filter(pk=integration.pk).update(state=State.ACTIVE)
    data = form_data("s3", "clicks", access_key="", secret_key="", name="Renamed")
    response = admin_client.post(f"/t/{tenant.slug}/integrations/{integration.pk}/configure/", data)
    assert response.status_code == 302
    integration.refresh_from_db()
    assert integration.name == "Renamed"
    assert integration.get_secrets()["secret_key"] == CANARY_SECRET_KEY
    assert integration.state == State.ACTIVE  # a name is not a destination change


@pytest.mark.parametrize(
    "change",
    [
        {"bucket": "acme-other"},
        {"directory": "/elsewhere"},
        {"secret_key": "a-new-secret-key-1234"},
    ],
)
def test_it_needs_a_new_verify_after_a_destination_change(
    admin_client: Client, tenant: Tenant, change: dict[str, str]
) -> None:
    integration = _create(admin_client, tenant, "s3", "clicks")
    Integration.objects.filter(pk=integration.pk).update(state=State.ACTIVE)
    data = form_data("s3", "clicks", **{"access_key": "", "secret_key": "", **change})
    admin_client.post(f"/t/{tenant.slug}/integrations/{integration.pk}/configure/", data)
    integration.refresh_from_db()
    assert integration.state == State.NEW
    assert AuditEntry.objects.filter(action="integration.state_changed").exists()


def test_it_erases_keys_no_longer_needed(
    admin_client: Client, tenant: Tenant, settings: Any
) -> None:
    settings.S3_PLATFORM_PRINCIPAL_ARN = "arn:aws:iam::111122223333:user/exporthub"
    settings.S3_SEAT_ROLE_ARN = "arn:aws:iam::111122223333:role/exporthub-seat-{seat_id}"
    integration = _create(admin_client, tenant, "s3", "standard_feed")
    data = form_data("s3", "standard_feed", auth_mode="platform", access_key="", secret_key="")
    admin_client.post(f"/t/{tenant.slug}/integrations/{integration.pk}/configure/", data)
    integration.refresh_from_db()
    assert integration.encrypted_secrets == ""
    assert integration.secret_hints == {}
    page = admin_client.get(f"/t/{tenant.slug}/integrations/{integration.pk}/").content.decode()
    # The bucket policy's principal is the seat's own role, never the shared platform user.
    assert "arn:aws:iam::111122223333:role/exporthub-seat-998" in page
    assert "arn:aws:iam::111122223333:user/exporthub" not in page
    assert "arn:aws:s3:::acme-exports/manifests/*" in page


def test_it_shows_the_external_id_for_the_assume_role_mode(
    admin_client: Client,
    tenant: Tenant,
    settings: Any,
) -> None:
    settings.S3_PLATFORM_PRINCIPAL_ARN = "arn:aws:iam::111122223333:user/exporthub"
    role = "arn:aws:iam::444455556666:role/exporthub-writer"
    integration = _create(
        admin_client, tenant, "s3", "clicks", auth_mode="assume_role", role_arn=role,
        access_key="", secret_key="",
    )  # fmt: skip
    page = admin_client.get(f"/t/{tenant.slug}/integrations/{integration.pk}/").content.decode()
    assert tenant.external_id in page
    assert "sts:ExternalId" in page


def test_it_confirms_that_files_stay_before_deleting(admin_client: Client, tenant: Tenant) -> None:
    integration = _create(admin_client, tenant, "azure", "clicks")
    url = f"/t/{tenant.slug}/integrations/{integration.pk}/delete/"
    assert "Files already uploaded stay in your storage" in admin_client.get(url).content.decode()
    response = admin_client.post(url)
    assert response.status_code == 302
    assert not Integration.objects.exists()
    entry = AuditEntry.objects.get(action="integration.deleted")
    assert entry.target_label == integration.name


@pytest.mark.parametrize(
    "path", ["integrations/new/", "integrations/new/s3/clicks/", "integrations/{pk}/configure/",
             "integrations/{pk}/delete/", "audit/"],
)  # fmt: skip
def test_it_gives_viewers_no_write_pages(
    admin_client: Client, viewer_client: Client, tenant: Tenant, path: str
) -> None:
    integration = _create(admin_client, tenant, "s3", "clicks")
    url = f"/t/{tenant.slug}/" + path.format(pk=integration.pk)
    assert viewer_client.get(url).status_code == 403
    assert viewer_client.post(url, form_data("s3", "clicks")).status_code == 403
    assert Integration.objects.count() == 1


def test_it_shows_viewers_no_write_controls(
    admin_client: Client, viewer_client: Client, tenant: Tenant
) -> None:
    integration = _create(admin_client, tenant, "s3", "clicks")
    detail = viewer_client.get(f"/t/{tenant.slug}/integrations/{integration.pk}/").content.decode()
    dashboard = viewer_client.get(f"/t/{tenant.slug}/").content.decode()
    for html in (detail, dashboard):
        assert (
            "/configure/" not in html and "/delete/" not in html and "New integration" not in html
        )


@pytest.mark.parametrize("path", ["", "configure/", "delete/"])
def test_it_hides_integrations_from_other_tenants(
    admin_client: Client, outsider_client: Client, tenant: Tenant, path: str
) -> None:
    integration = _create(admin_client, tenant, "s3", "clicks")
    url = f"/t/{tenant.slug}/integrations/{integration.pk}/{path}"
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, {}).status_code == 404
    other_slug = outsider_client.get("/")["Location"]
    assert (
        outsider_client.get(f"{other_slug}integrations/{integration.pk}/{path}").status_code == 404
    )
    assert Integration.objects.count() == 1


def test_it_answers_404_for_unknown_destinations_and_feeds(
    admin_client: Client, tenant: Tenant
) -> None:
    assert admin_client.get(f"/t/{tenant.slug}/integrations/new/ftp/clicks/").status_code == 404
    assert admin_client.get(f"/t/{tenant.slug}/integrations/new/s3/bids/").status_code == 404
