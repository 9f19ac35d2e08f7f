"""Top-level URLs. Tenant pages live under /t/<slug>/ so a link always names its tenant."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from feeds.views import (
    backfill_range,
    next_file_status,
    reprocess_hour,
    run_detail,
    run_progress,
    schema_file,
)
from webhooks import views as webhook_views

from .health import healthz
from .metrics import metrics
from .tenancy import views as tenancy_views
from .tenancy.invitations import views as invitation_views
from .tenancy.keys import views as key_views
from .tenancy.members import views as member_views
from .tenancy.two_factor import views as two_factor_views

urlpatterns = [
    path("", tenancy_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("accounts/login/", two_factor_views.LoginView.as_view(), name="login"),
    path("accounts/two-factor/", two_factor_views.two_factor, name="two-factor"),
    path(
        "accounts/password/", two_factor_views.PasswordChangeView.as_view(), name="password-change"
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invitations/<str:token>/", invitation_views.invitation, name="invitation"),
    # The operators' login is ours too: Django admin's own would log in with the password alone.
    path("admin/login/", two_factor_views.LoginView.as_view(), name="admin-login"),
    path("admin/", admin.site.urls),
    path("schemas/<slug:feed>.<slug:kind>", schema_file, name="schema-file"),
    path(
        "t/<slug:tenant_slug>/settings/",
        tenancy_views.tenant_settings,
        name="tenant-settings",
    ),
    path("t/<slug:tenant_slug>/members/", member_views.members, name="members"),
    path(
        "t/<slug:tenant_slug>/members/<int:pk>/role/",
        member_views.member_role,
        name="member-role",
    ),
    path(
        "t/<slug:tenant_slug>/members/<int:pk>/remove/",
        member_views.member_remove,
        name="member-remove",
    ),
    path(
        "t/<slug:tenant_slug>/invitations/<int:pk>/revoke/",
        member_views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("t/<slug:tenant_slug>/api-keys/", key_views.api_keys, name="api-keys"),
    path(
        "t/<slug:tenant_slug>/api-keys/<int:pk>/revoke/",
        key_views.api_key_revoke,
        name="api-key-revoke",
    ),
    path("t/<slug:tenant_slug>/audit/", tenancy_views.audit_log, name="audit-log"),
    path(
        "t/<slug:tenant_slug>/integrations/<int:pk>/reprocess/",
        reprocess_hour,
        name="integration-reprocess",
    ),
    path(
        "t/<slug:tenant_slug>/integrations/<int:pk>/backfill/",
        backfill_range,
        name="integration-backfill",
    ),
    path(
        "t/<slug:tenant_slug>/integrations/<int:pk>/runs/progress.json",
        run_progress,
        name="run-progress",
    ),
    path(
        "t/<slug:tenant_slug>/integrations/<int:pk>/runs/<int:run_id>/",
        run_detail,
        name="run-detail",
    ),
    path(
        "t/<slug:tenant_slug>/integrations/<int:pk>/next-file.json",
        next_file_status,
        name="next-file",
    ),
    path(
        "t/<slug:tenant_slug>/integrations/<int:pk>/webhooks/",
        webhook_views.webhook_add,
        name="webhook-add",
    ),
    path(
        "t/<slug:tenant_slug>/integrations/<int:pk>/webhooks/<int:endpoint_id>/delete/",
        webhook_views.webhook_delete,
        name="webhook-delete",
    ),
    path(
        "t/<slug:tenant_slug>/integrations/<int:pk>/webhooks/<int:endpoint_id>/test/",
        webhook_views.webhook_test,
        name="webhook-test",
    ),
    path("t/<slug:tenant_slug>/", include("integrations.web.urls")),
    path("api/", include("exporthub.api.urls")),
    path("iceberg/", include("feeds.iceberg_catalog.urls")),
]

handler404 = "exporthub.errors.not_found"
handler500 = "exporthub.errors.server_error"
