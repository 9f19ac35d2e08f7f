"""`/iceberg/v1/…`: the spec's routes without a `{prefix}` (the key names the tenant). The write
routes are listed too, so that a client trying one learns the catalog is read-only (405)."""

from __future__ import annotations

from django.urls import path

from . import views

NS = "v1/namespaces/<str:namespace>"
urlpatterns = [
    path("v1/config", views.ConfigView.as_view(), name="iceberg-config"),
    path("v1/namespaces", views.NamespacesView.as_view(), name="iceberg-namespaces"),
    path(NS, views.NamespaceView.as_view(), name="iceberg-namespace"),
    path(f"{NS}/tables", views.TablesView.as_view(), name="iceberg-tables"),
    path(f"{NS}/tables/<str:table>", views.TableView.as_view(), name="iceberg-table"),
    path(f"{NS}/views", views.ViewsView.as_view(), name="iceberg-views"),
    path(f"{NS}/views/<str:view>", views.ViewView.as_view(), name="iceberg-view"),
    *(
        path(route, views.WriteRoute.as_view())
        for route in (
            f"{NS}/properties",
            f"{NS}/register",
            f"{NS}/register-view",
            f"{NS}/tables/<str:table>/metrics",
            "v1/tables/rename",
            "v1/views/rename",
            "v1/transactions/commit",
        )
    ),
]
