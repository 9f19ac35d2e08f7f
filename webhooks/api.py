"""`GET|POST /api/v1/integrations/{id}/webhooks` and `DELETE /api/v1/webhooks/{id}`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from exporthub.tenancy.auditlog import actor_for
from integrations.models import get_integration

from .models import Endpoint
from .serializers import CreatedEndpointSerializer, EndpointSerializer
from .services import add_endpoint, remove_endpoint


class IntegrationWebhooksView(APIView):
    @extend_schema(responses={200: EndpointSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        """The integration's webhooks (URLs masked, never a secret)."""
        integration = get_integration(request.auth.tenant, pk)  # type: ignore[union-attr]
        return Response(EndpointSerializer(integration.webhooks.all(), many=True).data)

    @extend_schema(request=EndpointSerializer, responses={201: CreatedEndpointSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Add a webhook (Admin keys): 201 with its signing `secret`, shown this once."""
        integration = get_integration(request.auth.tenant, pk)  # type: ignore[union-attr]
        payload = EndpointSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            endpoint, secret = add_endpoint(
                integration, data["kind"], data["url"], data.get("events"), actor_for(request)
            )
        except ValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            raise serializers.ValidationError(detail) from None
        body = EndpointSerializer(endpoint).data
        if endpoint.kind == Endpoint.Kind.WEBHOOK:  # Slack verifies nothing: no secret to show
            body["secret"] = secret
        return Response(body, status=status.HTTP_201_CREATED)


class WebhookView(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        """Remove a webhook (Admin keys); another tenant's is a 404."""
        tenant = request.auth.tenant  # type: ignore[union-attr]
        endpoint = get_object_or_404(Endpoint, integration__tenant=tenant, pk=pk)
        remove_endpoint(endpoint, actor_for(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
