"""The catalog's routes: config, the tenant's namespace, its tables and each table's metadata as
the last commit left it; every write route answers 405."""

from __future__ import annotations

import hashlib
from typing import Any, cast

from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from exporthub.api.authentication import ApiKeyAuthentication
from exporthub.api.throttling import CATALOG
from exporthub.tenancy.models import ApiKey, Tenant

from ..models import IcebergTable
from .errors import NoSuchNamespace, NoSuchTable, NoSuchView, describe
from .names import find_table, namespace_of, table_name, tables_of
from .paging import page

# Declared in config so that clients call no other route (Iceberg 1.7+ and pyiceberg skip what
# is not listed: no metrics reports, no commits attempted).
ENDPOINTS = [
    "GET /v1/{prefix}/namespaces",
    "GET /v1/{prefix}/namespaces/{namespace}",
    "HEAD /v1/{prefix}/namespaces/{namespace}",
    "GET /v1/{prefix}/namespaces/{namespace}/tables",
    "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "GET /v1/{prefix}/namespaces/{namespace}/views",
]


class AnyTenantKey(permissions.BasePermission):
    """Any valid key of the tenant, a Viewer's too: the catalog only reads."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ApiKey)


class CatalogView(APIView):
    """Bearer API keys, the catalog's throttles, and the spec's error model for every error."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [AnyTenantKey]
    throttle_classes = CATALOG
    # Not in /api/schema: the catalog's contract is Apache Iceberg's REST catalog spec.
    schema = None

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        method, where = self.request.method or "", self.request.path
        response.data = describe(exc, method, where, response.status_code)
        return response

    @property
    def tenant(self) -> Tenant:
        return cast(ApiKey, self.request.auth).tenant

    def namespace(self, namespace: str) -> str:
        """The namespace asked for, if it is the key's tenant's (404 otherwise)."""
        if namespace != namespace_of(self.tenant):
            raise NoSuchNamespace(namespace)
        return namespace

    def table(self, namespace: str, table: str) -> IcebergTable:
        self.namespace(namespace)
        found = find_table(self.tenant, table)
        if found is None:
            raise NoSuchTable(namespace, table)
        return found


class ConfigView(CatalogView):
    def get(self, request: Request) -> Response:
        # No `prefix`: the key already names the tenant, so the routes need no second name for
        # it; the warehouse a client sends is ignored for the same reason.
        return Response({"defaults": {}, "overrides": {}, "endpoints": ENDPOINTS})


class NamespacesView(CatalogView):
    def get(self, request: Request) -> Response:
        parent = request.query_params.get("parent")
        own = namespace_of(self.tenant)
        if parent is not None:
            self.namespace(parent)  # 404 unless it is the tenant's, which has no children
        names = [] if parent is not None else [[own]]
        items, token = page(request, list(enumerate(names)))
        return Response({"namespaces": items, "next-page-token": token})


class NamespaceView(CatalogView):
    def get(self, request: Request, namespace: str) -> Response:
        own = self.namespace(namespace)
        return Response({"namespace": [own], "properties": {"comment": self.tenant.name}})

    def head(self, request: Request, namespace: str) -> Response:
        self.namespace(namespace)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TablesView(CatalogView):
    def get(self, request: Request, namespace: str) -> Response:
        own = self.namespace(namespace)
        found = tables_of(self.tenant).values_list("integration_id", "integration__feed")
        keyed = [(pk, {"namespace": [own], "name": table_name(feed, pk)}) for pk, feed in found]
        items, token = page(request, keyed)
        return Response({"identifiers": items, "next-page-token": token})


class TableView(CatalogView):
    def get(self, request: Request, namespace: str, table: str) -> Response:
        found = self.table(namespace, table)
        # Each commit writes a new metadata file, so its name is the version: an engine that
        # already holds it is told so (304) instead of being sent the metadata again.
        etag = '"' + hashlib.sha256(found.metadata_location.encode()).hexdigest() + '"'
        if etag in request.headers.get("If-None-Match", "").replace(" ", "").split(","):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        # Never any credentials: engines read the bucket with their own (docs/api.md).
        body = {"metadata-location": found.metadata_location, "metadata": found.metadata}
        return Response({**body, "config": {}}, headers={"ETag": etag})

    def head(self, request: Request, namespace: str, table: str) -> Response:
        self.table(namespace, table)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ViewsView(CatalogView):
    """The catalog has no views; Spark and Trino list them beside the tables."""

    def get(self, request: Request, namespace: str) -> Response:
        self.namespace(namespace)
        return Response({"identifiers": [], "next-page-token": None})


class ViewView(CatalogView):
    def get(self, request: Request, namespace: str, view: str) -> Response:
        self.namespace(namespace)
        raise NoSuchView(namespace, view)

    def head(self, request: Request, namespace: str, view: str) -> Response:
        return self.get(request, namespace, view)


class WriteRoute(CatalogView):
    """A route of the spec that only writes: no handler, so every method is 405 (DRF checks the
    key first)."""
