from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("integrations/new/", views.new_integration, name="integration-new"),
    path(
        "integrations/new/<slug:destination>/<slug:feed>/",
        views.create_integration,
        name="integration-create",
    ),
    path("integrations/<int:pk>/", views.integration_detail, name="integration-detail"),
    path(
        "integrations/<int:pk>/configure/",
        views.configure_integration,
        name="integration-configure",
    ),
    path("integrations/<int:pk>/delete/", views.remove_integration, name="integration-delete"),
    path("integrations/<int:pk>/verify/", views.verify, name="integration-verify"),
    path(
        "integrations/<int:pk>/verifications/<int:verification_id>.json",
        views.verification_status,
        name="verification-status",
    ),
]
