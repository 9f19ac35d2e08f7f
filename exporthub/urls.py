"""Top-level URLs. Tenant pages live under /t/<slug>/ so a link always names its tenant."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from feeds.views import reprocess_hour, schema_file

from .health import healthz
from .tenancy import views as tenancy_views

urlpatterns = [
    path("", tenancy_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("schemas/<slug:feed>.<slug:kind>", schema_file, name="schema-file"),
    path(
        "t/<slug:tenant_slug>/settings/",
        tenancy_views.tenant_settings,
        name="tenant-settings",
    ),
    path("t/<slug:tenant_slug>/audit/", tenancy_views.audit_log, name="audit-log"),
    path(
        "t/<slug:tenant_slug>/integrations/<int:pk>/reprocess/",
        reprocess_hour,
        name="integration-reprocess",
    ),
    path("t/<slug:tenant_slug>/", include("integrations.urls")),
    path("api/", include("exporthub.api.urls")),
]
