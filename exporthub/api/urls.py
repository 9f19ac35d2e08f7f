"""`/api/v1/…` routes (a public contract: add, never rename) and the OpenAPI schema."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from feeds.api import BackfillView, EventIngestView, ReprocessView, RunListView
from integrations.web.api import IntegrationViewSet, VerificationViewSet
from webhooks.api import IntegrationWebhooksView, WebhookView

router = SimpleRouter(trailing_slash=False)
router.register("integrations", IntegrationViewSet, basename="integration")
router.register("verifications", VerificationViewSet, basename="verification")

urlpatterns = [
    path("schema", SpectacularAPIView.as_view(), name="api-schema"),
    path("v1/events/<str:feed>", EventIngestView.as_view(), name="api-events"),
    path("v1/integrations/<int:pk>/runs", RunListView.as_view(), name="api-runs"),
    path("v1/integrations/<int:pk>/reprocess", ReprocessView.as_view(), name="api-reprocess"),
    path("v1/integrations/<int:pk>/backfill", BackfillView.as_view(), name="api-backfill"),
    path(
        "v1/integrations/<int:pk>/webhooks",
        IntegrationWebhooksView.as_view(),
        name="api-integration-webhooks",
    ),
    path("v1/webhooks/<int:pk>", WebhookView.as_view(), name="api-webhook"),
    path("v1/", include(router.urls)),
]
