"""`/api/v1/integrations`: list, create, read, PATCH, delete, within the key's tenant."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from exporthub.api.throttling import WRITE
from exporthub.tenancy.auditlog import actor_for

from ..destinations import get_destination
from ..fields import CONFIG_KEYS, SECRET_KEYS
from ..forms.base import IntegrationForm
from ..forms.registry import form_class
from ..lifecycle.services import delete_integration, save_integration
from ..models import Integration, Verification
from ..verify.runs import start_verification, verification_json
from .pages import complete_figures
from .serializers import IntegrationSerializer, VerificationSerializer


def _form_data(payload: dict[str, Any], instance: Integration | None) -> dict[str, Any]:
    data: dict[str, Any] = dict(instance.config) if instance else {}
    if instance:
        data["name"] = instance.name
    data.update({k: v for k, v in payload.get("config", {}).items() if v is not None})
    data.update({k: v for k, v in payload.get("secrets", {}).items() if v})
    if "name" in payload:
        data["name"] = payload["name"]
    for key in ("notification_emails", "columns"):  # the forms take comma-separated lists
        if isinstance(data.get(key), list):
            data[key] = ", ".join(data[key])
    return data


def _errors(form: IntegrationForm, unused: dict[str, list[str]]) -> dict[str, Any]:
    """Form errors in the API's shape: config and secrets keys nested under their object."""
    errors: dict[str, Any] = {}
    pairs = [(field, [str(m) for m in messages]) for field, messages in form.errors.items()]
    for field, messages in [*pairs, *unused.items()]:
        if field in CONFIG_KEYS:
            errors.setdefault("config", {})[field] = messages
        elif field in SECRET_KEYS:
            errors.setdefault("secrets", {})[field] = messages
        elif field == "__all__":
            errors["non_field_errors"] = messages
        else:
            errors[field] = messages
    return errors


class IntegrationViewSet(viewsets.GenericViewSet[Integration]):
    serializer_class = IntegrationSerializer
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Integration]:
        return Integration.objects.filter(tenant=self.request.auth.tenant)  # type: ignore[union-attr]

    def get_object(self) -> Integration:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def _save(
        self, request: Request, payload: dict[str, Any], instance: Integration | None
    ) -> Integration:
        tenant = request.auth.tenant  # type: ignore[union-attr]
        destination = instance.destination if instance else payload["destination"]
        feed = instance.feed if instance else payload["feed"]
        cls = form_class(destination)
        data = _form_data(payload, instance)
        # A setting with choices is optional in the API: its form's initial choice applies.
        for key in (setting.name for setting in cls.destination.settings if setting.choices):
            if key in cls.base_fields and not data.get(key):
                data[key] = cls.base_fields[key].initial
        form = cls(data, tenant=tenant, feed=feed, instance=instance)
        label = get_destination(destination).label
        unused = {
            key: [f"Not used by {label} integrations of this feed."]
            for group in ("config", "secrets")
            for key, value in payload.get(group, {}).items()
            if value not in (None, "", [], False) and key not in form.fields
        }
        if not form.is_valid() or unused:
            raise serializers.ValidationError(_errors(form, unused))
        return save_integration(form, actor_for(request))

    def list(self, request: Request) -> Response:
        integrations = list(self.get_queryset().defer("encrypted_secrets"))
        complete_figures(integrations, timezone.now())
        return Response(IntegrationSerializer(integrations, many=True).data)

    def create(self, request: Request) -> Response:
        serializer = IntegrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        integration = self._save(request, serializer.validated_data, None)
        return Response(IntegrationSerializer(integration).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(IntegrationSerializer(self.get_object()).data)

    def partial_update(self, request: Request, pk: str) -> Response:
        integration = self.get_object()
        serializer = IntegrationSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        payload = serializer.validated_data
        for field in ("feed", "destination"):
            if field in payload and payload[field] != getattr(integration, field):
                raise serializers.ValidationError(
                    {field: ["Cannot be changed; create a new integration instead."]}
                )
        integration = self._save(request, payload, integration)
        return Response(IntegrationSerializer(integration).data)

    def destroy(self, request: Request, pk: str) -> Response:
        delete_integration(self.get_object(), actor_for(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={202: VerificationSerializer})
    @action(detail=True, methods=["post"], throttle_classes=WRITE)
    def verify(self, request: Request, pk: str) -> Response:
        """Start Verify (or return the one already running): 202 with the verification."""
        verification, _ = start_verification(self.get_object(), actor_for(request))
        return Response(verification_json(verification), status=status.HTTP_202_ACCEPTED)


class VerificationViewSet(viewsets.GenericViewSet[Verification]):
    """`GET /api/v1/verifications/{id}`: state and steps so far."""

    lookup_value_regex = r"\d+"
    serializer_class = VerificationSerializer

    def retrieve(self, request: Request, pk: str) -> Response:
        tenant = request.auth.tenant  # type: ignore[union-attr]
        verification = get_object_or_404(Verification, integration__tenant=tenant, pk=pk)
        return Response(verification_json(verification))
